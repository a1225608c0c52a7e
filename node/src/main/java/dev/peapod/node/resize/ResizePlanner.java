package dev.peapod.node.resize;

import dev.peapod.node.spec.CgroupPolicy;
import dev.peapod.node.spec.PodResources;
import dev.peapod.oci.CgroupLimits;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-place resize, pure (KEP-1287; kubelet {@code handlePodResourcesResize} and
 * {@code doPodResizeAction}): whether the node can take a resize at all, and what brings the
 * cgroups of a pod's live containers from the resources they run with to the allocated ones.
 *
 * <p>The worker's pod spec holds the <em>allocated</em> resources: a resize that the node
 * accepts replaces them; one it cannot take stays pending ({@code PodResizePending},
 * {@code Infeasible}) and changes nothing. Then, for every live container whose applied
 * resources differ from the allocated ones, either a restart (a changed resource whose
 * {@code resizePolicy} is {@code RestartContainer}) or a cgroup update, ordered so that each write
 * is valid: the pod cgroup is first widened to the larger of old and new, then the containers are
 * set, then the pod gets its final limits (kubelet orders pod and container updates by whether a
 * limit grows or shrinks; on cgroup v1 a child's CFS quota above its parent's is EINVAL).
 */
public final class ResizePlanner {
    private ResizePlanner() {}

    /**
     * What to do now.
     *
     * @param restart   live containers to restart, to run with their allocated resources
     * @param podBefore the pod cgroup's limits before the containers are updated (widened), if they change
     * @param update    new limits per live container, with the resources they then run with
     * @param podAfter  the pod cgroup's final limits, if they change
     */
    public record Actions(List<String> restart, Optional<CgroupLimits> podBefore, Map<String, Update> update,
                          Optional<CgroupLimits> podAfter) {
        public boolean none() { return restart.isEmpty() && update.isEmpty() && podBefore.isEmpty() && podAfter.isEmpty(); }
    }

    /** A container's new cgroup limits and the resources they stand for. */
    public record Update(CgroupLimits limits, ResourceRequirements resources) {}

    /** The pod with the given containers' resources replaced (a copy; the input is not changed). */
    public static Pod withResources(Pod pod, Map<String, ResourceRequirements> resources) {
        Pod copy = new PodBuilder(pod).build();
        for (Container c : all(copy)) {
            ResourceRequirements r = resources.get(c.getName());
            if (r != null) c.setResources(r);
        }
        return copy;
    }

    /**
     * Empty when the node can hold the resized pod at all, else the {@code Infeasible} message
     * (kubelet {@code canResizePod}: the pod's requests against the node's allocatable; Peapod
     * has no other pods' requests to weigh, so nothing is ever {@code Deferred}).
     */
    public static Optional<String> infeasible(Pod resized, long cpuCapacityMilli, long memoryCapacity) {
        PodResources r = PodResources.of(resized);
        if (cpuCapacityMilli > 0 && r.cpuRequest() > cpuCapacityMilli) {
            return Optional.of("Node didn't have enough capacity: cpu, requested: " + r.cpuRequest() + ", capacity: " + cpuCapacityMilli);
        }
        if (memoryCapacity > 0 && r.memoryRequest() > memoryCapacity) {
            return Optional.of("Node didn't have enough capacity: memory, requested: " + r.memoryRequest() + ", capacity: " + memoryCapacity);
        }
        return Optional.empty();
    }

    /**
     * @param allocated  the pod with its allocated resources
     * @param applied    the resources each live (created or running) container's cgroup has now
     * @param podCurrent what the pod cgroup has now
     */
    public static Actions actuate(Pod allocated, Map<String, ResourceRequirements> applied, CgroupLimits podCurrent,
                                  long podPidsLimit, boolean swapAccounting) {
        var restart = new ArrayList<String>();
        var update = new LinkedHashMap<String, Update>();
        var running = new LinkedHashMap<String, ResourceRequirements>();
        for (Container c : all(allocated)) {
            ResourceRequirements now = applied.get(c.getName());
            if (now == null) continue;
            var asApplied = new io.fabric8.kubernetes.api.model.ContainerBuilder(c).withResources(now).build();
            if (!ResizeValidator.changed(asApplied, c, "cpu") && !ResizeValidator.changed(asApplied, c, "memory")) {
                running.put(c.getName(), now);
                continue;
            }
            if (ResizeValidator.needsRestart(asApplied, c)) {
                restart.add(c.getName());
                running.put(c.getName(), now);
            } else {
                update.put(c.getName(), new Update(CgroupPolicy.container(c, swapAccounting), c.getResources()));
                running.put(c.getName(), c.getResources());
            }
        }
        // A container waiting for its restart still runs with its old limits and starts again with
        // its new ones: until it has, the pod cgroup stays wide enough for both (on v1 a child's
        // CFS quota above its parent's is EINVAL, for the running one and for crun's create).
        CgroupLimits target = CgroupPolicy.pod(allocated, podPidsLimit);
        CgroupLimits interim = restart.isEmpty() ? target
                : widest(CgroupPolicy.pod(withResources(allocated, running), podPidsLimit), target);
        CgroupLimits wide = widest(podCurrent, interim);
        Optional<CgroupLimits> before = wide.equals(podCurrent) ? Optional.empty() : Optional.of(wide);
        Optional<CgroupLimits> after = interim.equals(wide) ? Optional.empty() : Optional.of(interim);
        return new Actions(restart, before, update, after);
    }

    /** Per limit the larger (no limit is the largest); the new shares. */
    static CgroupLimits widest(CgroupLimits a, CgroupLimits b) {
        return new CgroupLimits(b.cpuShares(), maxOrNone(a.cpuQuota(), b.cpuQuota()), b.cpuPeriod(),
                maxOrNone(a.memoryLimit(), b.memoryLimit()), b.limitSwap(), maxOrNone(a.pidsLimit(), b.pidsLimit()));
    }

    private static Long maxOrNone(Long a, Long b) {
        return a == null || b == null ? null : Math.max(a, b);
    }

    private static List<Container> all(Pod pod) {
        var out = new ArrayList<Container>();
        if (pod.getSpec().getInitContainers() != null) out.addAll(pod.getSpec().getInitContainers());
        if (pod.getSpec().getContainers() != null) out.addAll(pod.getSpec().getContainers());
        return out;
    }
}
