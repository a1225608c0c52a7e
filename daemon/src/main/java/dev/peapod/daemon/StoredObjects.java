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
}
