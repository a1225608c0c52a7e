package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The Node's conditions as kubelet's node status setters compute them (pkg/kubelet/nodestatus):
 * MemoryPressure, DiskPressure and PIDPressure from the eviction manager's hard thresholds, and
 * Ready. Each has kubelet's reason and message; {@code lastHeartbeatTime} is the time of this
 * report, {@code lastTransitionTime} is kept from the previous report while the status stays.
 * A pure function of the host's {@link Signals}, the thresholds and the previous conditions.
 */
final class NodeConditions {
    private NodeConditions() {}

    /** What the eviction signals read on the host (bytes, counts). */
    record Signals(long memoryCapacity, long memoryAvailable, long nodefsCapacity, long nodefsAvailable, long pidMax, long pidsInUse) {}

    /**
     * Hard eviction thresholds. {@link #KUBELET_DEFAULTS}: kubelet's {@code evictionHard} defaults on
     * Linux (https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/#hard-eviction-thresholds):
     * {@code memory.available<100Mi}, {@code nodefs.available<10%} (Peapod's images live on the same
     * filesystem, so imagefs is nodefs). kubelet has no default for {@code pid.available}; Peapod
     * uses 10% of the PID limit, so that a host running out of PIDs says so.
     */
    record Thresholds(long memoryAvailableBytes, double nodefsAvailableFraction, double pidAvailableFraction) {}

    static final long MI = 1024 * 1024;
    static final Thresholds KUBELET_DEFAULTS = new Thresholds(100 * MI, 0.10, 0.10);

    static boolean memoryPressure(Signals s, Thresholds t) { return s.memoryAvailable() < t.memoryAvailableBytes(); }

    static boolean diskPressure(Signals s, Thresholds t) {
        return s.nodefsCapacity() > 0 && s.nodefsAvailable() < t.nodefsAvailableFraction() * s.nodefsCapacity();
    }

    static boolean pidPressure(Signals s, Thresholds t) {
        return s.pidMax() > 0 && s.pidMax() - s.pidsInUse() < t.pidAvailableFraction() * s.pidMax();
    }

    /** The four conditions in kubelet's order, for a report at {@code now}; {@code previous} the stored ones (may be missing). */
    static ArrayNode conditions(Signals s, Thresholds t, JsonNode previous, Instant now) {
        ArrayNode out = StoredObjects.JSON.createArrayNode();
        add(out, previous, now, "MemoryPressure", memoryPressure(s, t), "KubeletHasInsufficientMemory",
                "kubelet has insufficient memory available", "KubeletHasSufficientMemory", "kubelet has sufficient memory available");
        add(out, previous, now, "DiskPressure", diskPressure(s, t), "KubeletHasDiskPressure",
                "kubelet has disk pressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
        add(out, previous, now, "PIDPressure", pidPressure(s, t), "KubeletHasInsufficientPID",
                "kubelet has insufficient PID available", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
        // Ready is about the runtime and the network; pressure does not make a node NotReady (it taints it).
        add(out, previous, now, "Ready", true, "KubeletReady", "kubelet is posting ready status", null, null);
        return out;
    }

    private static void add(ArrayNode out, JsonNode previous, Instant now, String type, boolean isTrue,
                            String reasonTrue, String messageTrue, String reasonFalse, String messageFalse) {
        String status = isTrue ? "True" : "False";
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        String transition = time;
        for (JsonNode p : previous) {
            if (p.path("type").asText().equals(type) && p.path("status").asText().equals(status) && p.path("lastTransitionTime").isTextual()) {
                transition = p.get("lastTransitionTime").asText();
            }
        }
        ObjectNode c = out.addObject().put("type", type).put("status", status).put("lastHeartbeatTime", time)
                .put("lastTransitionTime", transition);
        c.put("reason", isTrue ? reasonTrue : reasonFalse).put("message", isTrue ? messageTrue : messageFalse);
    }
}
