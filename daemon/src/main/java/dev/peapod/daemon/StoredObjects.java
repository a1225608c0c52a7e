package dev.peapod.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.api.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;

/** Between the store's JSON and the engine's fabric8 objects. */
final class StoredObjects {
    static final ObjectMapper JSON = new ObjectMapper();

    private StoredObjects() {}

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T typed(JsonNode o) {
        return (T) Manifests.parse(o.toString(), "store").getFirst();
    }

    static Pod pod(JsonNode o) { return typed(o); }

    static JsonNode tree(Object value) {
        try {
            return JSON.readTree(Manifests.toJson(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode copy(JsonNode o) { return (ObjectNode) o.deepCopy(); }

    /** A JSON object of strings as a map (empty for a missing node). */
    static java.util.Map<String, String> stringMap(JsonNode o) {
        var out = new java.util.LinkedHashMap<String, String>();
        o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** A container's {@code resources} node as fabric8's type (empty requirements for a missing node). */
    static io.fabric8.kubernetes.api.model.ResourceRequirements resources(JsonNode o) {
        if (o == null || o.isMissingNode() || o.isNull()) return new io.fabric8.kubernetes.api.model.ResourceRequirements();
        try {
            return JSON.treeToValue(o, io.fabric8.kubernetes.api.model.ResourceRequirements.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored resources cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
