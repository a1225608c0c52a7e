package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.Stored;

/**
 * {@code metadata.finalizers} (https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/):
 * an object that has any is not removed by a delete; it gets a {@code deletionTimestamp} and stays
 * until an update empties its finalizers. Pods also wait for the node: they go once the finalizers
 * are empty and the node has set {@code deletionGracePeriodSeconds} to 0 (kubelet's final delete).
 */
public final class Finalizers {
    private Finalizers() {}

    static boolean pending(JsonNode o) { return !o.at("/metadata/finalizers").isEmpty(); }

    /** The object with a deletionTimestamp (kept when set) and a grace period of 0: the delete that finalizers hold back. */
    static ObjectNode markDeleted(JsonNode o, String now) {
        ObjectNode copy = o.deepCopy();
        ObjectNode meta = Json.meta(copy);
        if (!meta.has("deletionTimestamp")) meta.put("deletionTimestamp", now);
        meta.put("deletionGracePeriodSeconds", 0);
        return copy;
    }

    /** An update that leaves a deleted object without finalizers removes it (for pods: once the node is done). */
    static boolean releasable(ResourceType type, JsonNode next) {
        JsonNode meta = next.path("metadata");
        if (!meta.path("deletionTimestamp").isTextual() || pending(next)) return false;
        return type != ResourceType.PODS || meta.path("deletionGracePeriodSeconds").asLong(-1) == 0;
    }

    /**
     * The node's final delete of a pod whose containers are gone: removes it, or, while finalizers
     * hold it, sets its grace period to 0 so that emptying them removes it. Returns true when removed.
     */
    public static boolean finalDelete(ObjectStore store, Stored pod) {
        if (!pending(pod.object())) {
            store.delete(pod.key(), pod.revision());
            return true;
        }
        if (pod.object().at("/metadata/deletionGracePeriodSeconds").asLong(-1) != 0) {
            store.update(pod.key(), markDeleted(pod.object(), Json.time(java.time.Instant.now())), pod.revision());
        }
        return false;
    }

    /**
     * A controller's removal of its {@code finalizer} from a deleted object: the object goes when no finalizer
     * is left (as the update that empties them does through the API), else it is written without this one.
     *
     * @throws dev.peapod.store.StoreException.Conflict if the object was written meanwhile
     */
    public static void release(ObjectStore store, Stored o, String finalizer) {
        ObjectNode copy = o.object().deepCopy();
        var kept = Json.meta(copy).putArray("finalizers");
        o.object().at("/metadata/finalizers").forEach(f -> { if (!f.asText().equals(finalizer)) kept.add(f); });
        if (kept.isEmpty()) Json.meta(copy).remove("finalizers");
        if (kept.isEmpty() && copy.at("/metadata/deletionTimestamp").isTextual()) store.delete(o.key(), o.revision());
        else store.update(o.key(), copy, o.revision());
    }
}
