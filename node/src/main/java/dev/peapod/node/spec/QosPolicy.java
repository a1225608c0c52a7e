package dev.peapod.node.spec;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Pod QoS class and the container's oom_score_adj (kubelet pkg/kubelet/qos/policy.go,
 * https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/#node-out-of-memory-behavior):
 * Guaranteed and system-node-critical −997, BestEffort 1000, Burstable
 * {@code 1000 − 1000 × memoryRequest / memoryCapacity} kept within [3, 999]. A sidecar
 * (restartable init container) scores no higher than the regular container with the smallest
 * memory request (KEP-753).
 */
final class QosPolicy {
    private QosPolicy() {}

    static final int GUARANTEED_OOM_SCORE_ADJ = -997;
    static final int BEST_EFFORT_OOM_SCORE_ADJ = 1000;

    enum QosClass { Guaranteed, Burstable, BestEffort }

    /** Null when the pod is Burstable and the node's memory is unknown. */
    static Integer oomScoreAdj(Pod pod, Container c, long memoryCapacity) {
        if ("system-node-critical".equals(pod.getSpec().getPriorityClassName())) return GUARANTEED_OOM_SCORE_ADJ;
        switch (qosClass(pod)) {
            case Guaranteed -> { return GUARANTEED_OOM_SCORE_ADJ; }
            case BestEffort -> { return BEST_EFFORT_OOM_SCORE_ADJ; }
            case Burstable -> { /* below */ }
        }
        if (memoryCapacity <= 0) return null;
        long adjust = 1000 - (1000 * memoryRequest(c)) / memoryCapacity;
        if (isSidecar(pod, c) && !pod.getSpec().getContainers().isEmpty()) {
            long min = pod.getSpec().getContainers().stream().mapToLong(QosPolicy::memoryRequest).min().orElse(0);
            if (min > 0) adjust = Math.min(adjust, 1000 - (1000 * min) / memoryCapacity);
        }
        if (adjust < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
        if (adjust == BEST_EFFORT_OOM_SCORE_ADJ) return BEST_EFFORT_OOM_SCORE_ADJ - 1;
        return (int) adjust;
    }

    /**
     * {@code status.qosClass} when set (it never changes for a pod, KEP-1287), else computed as
     * kubelet's {@code ComputePodQOS} ({@link dev.peapod.node.status.QosClass}).
     */
    static QosClass qosClass(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getQosClass() != null) {
            try {
                return QosClass.valueOf(pod.getStatus().getQosClass());
            } catch (IllegalArgumentException ignored) {
                // unknown value: compute it
            }
        }
        return QosClass.valueOf(dev.peapod.node.status.QosClass.of(pod).apiName());
    }

    private static long memoryRequest(Container c) {
        long request = ResourcePolicy.value(ResourcePolicy.request(c, "memory"));
        return request != 0 ? request : ResourcePolicy.value(ResourcePolicy.limit(c, "memory"));
    }

    private static boolean isSidecar(Pod pod, Container c) {
        return "Always".equals(c.getRestartPolicy()) && pod.getSpec().getInitContainers() != null
                && pod.getSpec().getInitContainers().contains(c);
    }
}
