package dev.peapod.node.spec;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.List;
import java.util.Map;

/**
 * A pod's effective cpu and memory requests and limits, as the kubelet sizes the pod cgroup and
 * the scheduler counts a pod (k8s.io/component-helpers/resource {@code PodRequests}/{@code PodLimits};
 * https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers,
 * KEP-753 for sidecars):
 * {@code max(sum(app containers) + sum(sidecars), max over init containers i of (i + sidecars declared before i))},
 * where a sidecar counts in its own term as the sidecars up to and including it. Pod-level
 * {@code spec.resources} (KEP-2837), where it sets a resource, replaces the aggregate.
 *
 * @param cpuRequest    milliCPU
 * @param cpuLimit      milliCPU; 0: none
 * @param memoryRequest bytes
 * @param memoryLimit   bytes; 0: none
 * @param cpuLimited    every container (init and sidecar included) has a cpu limit, or the pod has one:
 *                      only then is the pod cgroup's CPU capped (kubelet {@code cpuLimitsDeclared})
 * @param memoryLimited the same for memory ({@code memoryLimitsDeclared})
 */
public record PodResources(long cpuRequest, long cpuLimit, long memoryRequest, long memoryLimit,
                           boolean cpuLimited, boolean memoryLimited) {

    public static PodResources of(Pod pod) {
        List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        List<Container> apps = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        long[] req = aggregate(inits, apps, true);
        long[] lim = aggregate(inits, apps, false);
        boolean cpuLimited = true;
        boolean memoryLimited = true;
        for (Container c : concat(inits, apps)) {
            cpuLimited &= ResourcePolicy.milli(ResourcePolicy.limit(c, "cpu")) > 0;
            memoryLimited &= ResourcePolicy.value(ResourcePolicy.limit(c, "memory")) > 0;
        }
        ResourceRequirements podLevel = pod.getSpec().getResources();
        if (podLevel != null) {
            Map<String, Quantity> r = podLevel.getRequests() == null ? Map.of() : podLevel.getRequests();
            Map<String, Quantity> l = podLevel.getLimits() == null ? Map.of() : podLevel.getLimits();
            // A pod-level limit without a request defaults the request (API defaulting, KEP-2837).
            if (l.containsKey("cpu")) { lim[0] = ResourcePolicy.milli(l.get("cpu")); cpuLimited = lim[0] > 0; req[0] = lim[0]; }
            if (l.containsKey("memory")) { lim[1] = ResourcePolicy.value(l.get("memory")); memoryLimited = lim[1] > 0; req[1] = lim[1]; }
            if (r.containsKey("cpu")) req[0] = ResourcePolicy.milli(r.get("cpu"));
            if (r.containsKey("memory")) req[1] = ResourcePolicy.value(r.get("memory"));
        }
        return new PodResources(req[0], lim[0], req[1], lim[1], cpuLimited, memoryLimited);
    }

    /** [milliCPU, memory bytes] of the pod, after the init-container rule above. */
    private static long[] aggregate(List<Container> inits, List<Container> apps, boolean requests) {
        long[] sum = new long[2];
        for (Container c : apps) add(sum, amounts(c, requests));
        long[] sidecars = new long[2];
        long[] initMax = new long[2];
        for (Container c : inits) {
            long[] own = amounts(c, requests);
            long[] term;
            if ("Always".equals(c.getRestartPolicy())) {
                add(sum, own);          // a sidecar runs beside the app containers
                add(sidecars, own);
                term = sidecars.clone();
            } else {
                term = own.clone();     // and beside every init container declared after it
                add(term, sidecars);
            }
            for (int i = 0; i < 2; i++) initMax[i] = Math.max(initMax[i], term[i]);
        }
        for (int i = 0; i < 2; i++) sum[i] = Math.max(sum[i], initMax[i]);
        return sum;
    }

    /** A container's cpu (milli) and memory; a request defaults to the limit (API defaulting). */
    private static long[] amounts(Container c, boolean requests) {
        long cpuLimit = ResourcePolicy.milli(ResourcePolicy.limit(c, "cpu"));
        long memLimit = ResourcePolicy.value(ResourcePolicy.limit(c, "memory"));
        if (!requests) return new long[] {cpuLimit, memLimit};
        var cpuReq = ResourcePolicy.request(c, "cpu");
        var memReq = ResourcePolicy.request(c, "memory");
        return new long[] {cpuReq == null ? cpuLimit : ResourcePolicy.milli(cpuReq),
                memReq == null ? memLimit : ResourcePolicy.value(memReq)};
    }

    private static void add(long[] into, long[] more) {
        for (int i = 0; i < into.length; i++) into[i] += more[i];
    }

    private static List<Container> concat(List<Container> a, List<Container> b) {
        var out = new java.util.ArrayList<Container>(a);
        out.addAll(b);
        return out;
    }
}
