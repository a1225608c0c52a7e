package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Stored;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code DeleteOptions.propagationPolicy}: what a delete does to the object's dependents
 * (https://kubernetes.io/docs/concepts/architecture/garbage-collection/#cascading-deletion).
 * kube-apiserver only records the choice as a finalizer on the deleted object (the generic
 * registry's {@code deletionFinalizersForGarbageCollection}): {@code Foreground} adds
 * {@value #FOREGROUND} (the garbage collector deletes the dependents, then removes it),
 * {@code Orphan} adds {@value #ORPHAN} (the collector removes the dependents' ownerReferences, then
 * removes it), {@code Background} adds neither (the object goes now, the collector deletes the
 * dependents afterwards). The collector is the daemon's {@code GarbageCollector}.
 */
public final class Cascade {
    public static final String FOREGROUND = "foregroundDeletion";
    public static final String ORPHAN = "orphan";
    private static final List<String> POLICIES = List.of("Foreground", "Background", "Orphan");

    private Cascade() {}

    /**
     * The policy asked for: {@code propagationPolicy} (query or body), else the legacy
     * {@code orphanDependents}; null when neither is set (the object's own finalizers then decide,
     * and without them the default, Background).
     */
    static String policy(ApiRequest req, JsonNode options) {
        String policy = req.param("propagationPolicy");
        if (policy == null) policy = Json.text(options, "/propagationPolicy");
        String orphan = req.param("orphanDependents");
        if (orphan == null && options.path("orphanDependents").isBoolean()) orphan = options.get("orphanDependents").asText();
        if (policy != null && orphan != null) {
            throw invalid("orphanDependents: Invalid value: " + orphan + ": orphanDependents and deletionPropagation cannot be both set");
        }
        if (policy == null) return orphan == null ? null : orphan.equals("true") ? "Orphan" : "Background";
        if (!POLICIES.contains(policy)) {
            throw invalid("propagationPolicy: Unsupported value: \"" + policy + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }
        return policy;
    }

    private static ApiException invalid(String what) {
        return new ApiException(422, "Invalid", "DeleteOptions.meta.k8s.io \"\" is invalid: " + what, null);
    }

    /** The object with the finalizers {@code policy} asks for (the other GC finalizer removed); unchanged for null. */
    static Stored withFinalizers(Stored old, String policy) {
        if (policy == null) return old;
        List<String> finalizers = new ArrayList<>();
        for (JsonNode f : old.object().at("/metadata/finalizers")) {
            if (!f.asText().equals(FOREGROUND) && !f.asText().equals(ORPHAN)) finalizers.add(f.asText());
        }
        if (policy.equals("Orphan")) finalizers.add(ORPHAN);
        if (policy.equals("Foreground")) finalizers.add(FOREGROUND);
        ObjectNode o = old.object().deepCopy();
        ObjectNode meta = Json.meta(o);
        if (finalizers.isEmpty()) {
            meta.remove("finalizers");
        } else {
            ArrayNode a = meta.putArray("finalizers");
            finalizers.forEach(a::add);
        }
        return new Stored(old.key(), old.uid(), old.revision(), o);
    }
}
