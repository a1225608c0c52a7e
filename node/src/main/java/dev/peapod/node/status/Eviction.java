package dev.peapod.node.status;

import java.util.Objects;

/**
 * A node-side decision that the pod has failed whatever its containers say, with the reason and
 * message the pod status carries — kubelet's {@code PodSyncHandler.ShouldEvict} result, e.g.
 * {@code DeadlineExceeded} / "Pod was active on the node longer than the specified deadline"
 * for {@code activeDeadlineSeconds}, or {@code Evicted} under node pressure.
 */
public record Eviction(String reason, String message) {
    public Eviction {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }
}
