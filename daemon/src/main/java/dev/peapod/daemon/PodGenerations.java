package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code metadata.generation} of each pod that the node has acted on (KEP-5067, pod
 * generation): the pod sync records it when it starts a pod and when it hands a changed spec to the
 * engine (images, resources); the status writer puts it into {@code status.observedGeneration} and
 * into each condition's {@code observedGeneration}, so a client sees which spec the status
 * describes. When a new generation is acted on, {@code onChange} lets the status writer say so
 * even if the status itself does not change (kubelet's status manager syncs on a generation change).
 */
final class PodGenerations {
    /** Told (pod key, uid, generation) when a running pod's acted-on generation changes. */
    interface Listener {
        void changed(Key key, String uid, long generation);
    }

    private final Map<String, Long> byUid = new ConcurrentHashMap<>();
    private volatile Listener listener = (k, u, g) -> { };

    void listen(Listener l) { this.listener = l; }

    /** The node acts on {@code pod} as it is now. */
    void acted(Key key, JsonNode pod) {
        String uid = pod.at("/metadata/uid").asText();
        long generation = pod.at("/metadata/generation").asLong(0);
        if (generation <= 0) return;
        Long before = byUid.put(uid, generation);
        if (before != null && before != generation) listener.changed(key, uid, generation);
    }

    /** The generation acted on, 0 when unknown. */
    long of(String uid) { return byUid.getOrDefault(uid, 0L); }

    void forget(String uid) { byUid.remove(uid); }

    /** Sets {@code observedGeneration} on {@code status} and its conditions (nothing for 0). Returns whether anything changed. */
    static boolean stamp(ObjectNode status, long generation) {
        if (generation <= 0) return false;
        boolean changed = status.path("observedGeneration").asLong(0) != generation;
        status.put("observedGeneration", generation);
        for (JsonNode c : status.path("conditions")) {
            if (c instanceof ObjectNode o && o.path("observedGeneration").asLong(0) != generation) {
                o.put("observedGeneration", generation);
                changed = true;
            }
        }
        return changed;
    }
}
