package dev.peapod.node.status;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod's Quality of Service class, after kubelet's {@code pkg/apis/core/v1/helper/qos GetPodQOS}
 * and https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/. Only cpu and memory count.
 * <ul>
 *   <li><b>Guaranteed</b>: every container (init and sidecar included) has cpu and memory limits,
 *       and the summed requests equal the summed limits;</li>
 *   <li><b>BestEffort</b>: no container requests or limits any cpu or memory;</li>
 *   <li><b>Burstable</b>: anything else.</li>
 * </ul>
 * When pod-level {@code spec.resources} is set (KEP-2837, on by default since 1.34) it alone decides.
 * A limit without a request counts as a request of the same amount, as API defaulting
 * ({@code SetDefaults_Pod}) would have set it — pods run by {@code peapod up} may skip defaulting.
 */
public enum QosClass {
    GUARANTEED("Guaranteed"),
    BURSTABLE("Burstable"),
    BEST_EFFORT("BestEffort");

    private static final Set<String> COMPUTE = Set.of("cpu", "memory");

    private final String apiName;

    QosClass(String apiName) { this.apiName = apiName; }

    /** The value of {@code status.qosClass}. */
    public String apiName() { return apiName; }

    public static QosClass of(Pod pod) {
        var requests = new HashMap<String, BigDecimal>();
        var limits = new HashMap<String, BigDecimal>();
        boolean guaranteed;
        ResourceRequirements podLevel = pod.getSpec().getResources();
        if (podLevel != null && (nonEmpty(podLevel.getRequests()) || nonEmpty(podLevel.getLimits()))) {
            guaranteed = add(podLevel, requests, limits);
        } else {
            guaranteed = true;
            List<Container> all = new ArrayList<>(Specs.containers(pod));
            all.addAll(Specs.initContainers(pod));
            for (Container c : all) guaranteed &= add(c.getResources(), requests, limits);
        }
        if (requests.isEmpty() && limits.isEmpty()) return BEST_EFFORT;
        if (guaranteed) {
            for (var r : requests.entrySet()) {
                BigDecimal lim = limits.get(r.getKey());
                if (lim == null || lim.compareTo(r.getValue()) != 0) { guaranteed = false; break; }
            }
        }
        return guaranteed && requests.size() == limits.size() ? GUARANTEED : BURSTABLE;
    }

    /**
     * Adds one set of resources to the sums.
     *
     * @return whether it has positive cpu and memory limits (a precondition of Guaranteed)
     */
    private static boolean add(ResourceRequirements res, Map<String, BigDecimal> requests,
                               Map<String, BigDecimal> limits) {
        Map<String, Quantity> req = res == null || res.getRequests() == null ? Map.of() : res.getRequests();
        Map<String, Quantity> lim = res == null || res.getLimits() == null ? Map.of() : res.getLimits();
        var effective = new HashMap<>(lim);
        effective.putAll(req); // a limit without a request defaults the request
        for (var e : effective.entrySet()) addPositive(e.getKey(), e.getValue(), requests);
        var found = new HashMap<String, BigDecimal>();
        for (var e : lim.entrySet()) addPositive(e.getKey(), e.getValue(), found);
        found.forEach((k, v) -> limits.merge(k, v, BigDecimal::add));
        return found.keySet().containsAll(COMPUTE);
    }

    private static void addPositive(String name, Quantity q, Map<String, BigDecimal> sums) {
        if (!COMPUTE.contains(name) || q == null) return;
        BigDecimal v = q.getNumericalAmount();
        if (v.signum() > 0) sums.merge(name, v, BigDecimal::add);
    }

    private static boolean nonEmpty(Map<String, Quantity> m) {
        return m != null && !m.isEmpty();
    }

    @Override
    public String toString() { return apiName; }
}
