package dev.peapod.node.spec;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    private static final List<String> QOS_RESOURCES = List.of("cpu", "memory");

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
     * {@code status.qosClass} when set, else computed as kubelet's {@code ComputePodQOS} over init
     * and regular containers, with a missing request taken from the limit as API defaulting does
     * ("Kubernetes copies the limit you specified and uses it as the requested value").
     */
    static QosClass qosClass(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getQosClass() != null) {
            try {
                return QosClass.valueOf(pod.getStatus().getQosClass());
            } catch (IllegalArgumentException ignored) {
                // unknown value: compute it
            }
        }
        var containers = new ArrayList<Container>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) containers.addAll(pod.getSpec().getInitContainers());
        Map<String, Long> requests = new HashMap<>();
        Map<String, Long> limits = new HashMap<>();
        boolean guaranteed = true;
        for (Container c : containers) {
            int limitsFound = 0;
            for (String r : QOS_RESOURCES) {
                long limit = amount(c, r, false);
                long request = amount(c, r, true);
                if (request == 0) request = limit;
                if (request > 0) requests.merge(r, request, Long::sum);
                if (limit > 0) {
                    limits.merge(r, limit, Long::sum);
                    limitsFound++;
                }
            }
            if (limitsFound < QOS_RESOURCES.size()) guaranteed = false;
        }
        if (requests.isEmpty() && limits.isEmpty()) return QosClass.BestEffort;
        if (guaranteed && requests.equals(limits)) return QosClass.Guaranteed;
        return QosClass.Burstable;
    }

    /** Amounts in milli-units so that fractional CPU compares exactly. */
    private static long amount(Container c, String resource, boolean request) {
        return ResourcePolicy.milli(request ? ResourcePolicy.request(c, resource) : ResourcePolicy.limit(c, resource));
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
