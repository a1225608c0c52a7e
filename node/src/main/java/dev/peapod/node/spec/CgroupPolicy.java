package dev.peapod.node.spec;

import dev.peapod.oci.CgroupLimits;
import dev.peapod.oci.spec.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * The cgroup limits of a pod and of a container, pure: the OCI spec carries a container's at create
 * (through {@link ResourcePolicy}); these are written directly for the pod cgroup and for an
 * in-place resize.
 *
 * <p>Pod cgroup, after kubelet pkg/kubelet/cm/helpers_linux.go {@code ResourceConfigForPod}
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/) over {@link PodResources}:
 * <ul>
 *   <li>Guaranteed: shares from the requests, CFS quota and memory limit from the limits;</li>
 *   <li>Burstable: shares from the requests; the quota only when every container has a cpu limit,
 *       the memory limit only when every container has a memory limit;</li>
 *   <li>BestEffort: the minimum shares (2), nothing else;</li>
 *   <li>every class: the node's {@code podPidsLimit} (kubelet sets it on the pod cgroup, not on
 *       containers; https://kubernetes.io/docs/concepts/policy/pid-limiting/). Swap is not
 *       limited at the pod level: each container caps its own.</li>
 * </ul>
 */
public final class CgroupPolicy {
    private CgroupPolicy() {}

    /** @param podPidsLimit the node's limit; 0 or less: none */
    public static CgroupLimits pod(Pod pod, long podPidsLimit) {
        Long pids = podPidsLimit > 0 ? podPidsLimit : null;
        long period = ResourcePolicy.QUOTA_PERIOD;
        PodResources r = PodResources.of(pod);
        return switch (QosPolicy.qosClass(pod)) {
            case BestEffort -> new CgroupLimits(ResourcePolicy.MIN_SHARES, null, period, null, false, pids);
            case Guaranteed -> new CgroupLimits(ResourcePolicy.shares(r.cpuRequest()), ResourcePolicy.quota(r.cpuLimit()), period,
                    r.memoryLimit() > 0 ? r.memoryLimit() : null, false, pids);
            case Burstable -> new CgroupLimits(ResourcePolicy.shares(r.cpuRequest()),
                    r.cpuLimited() ? ResourcePolicy.quota(r.cpuLimit()) : null, period,
                    r.memoryLimited() && r.memoryLimit() > 0 ? r.memoryLimit() : null, false, pids);
        };
    }

    /** A container's limits: the same values its OCI spec gets from {@link ResourcePolicy}. */
    public static CgroupLimits container(Container c, boolean swapAccounting) {
        Resources r = ResourcePolicy.of(c, false, swapAccounting);
        Resources.Cpu cpu = r.cpu();
        Long memory = r.memory() == null ? null : r.memory().limit();
        return new CgroupLimits(cpu.shares(), cpu.quota(), cpu.period(), memory, swapAccounting, null);
    }

    /**
     * The QoS parents' limits (kubelet pkg/kubelet/cm/qos_container_manager_linux.go
     * {@code setCPUCgroupConfig}): {@code besteffort} gets the minimum shares, so that BestEffort pods
     * only get CPU nobody else wants; {@code burstable} the shares of the summed cpu requests of the
     * Burstable pods in it (at least the minimum), so that as a group they weigh what they asked.
     * No limits: each pod cgroup has its own.
     *
     * @param burstablePods the Burstable pods on the node (others are skipped)
     */
    public static CgroupLimits qosParent(String parent, java.util.Collection<Pod> burstablePods) {
        long shares = ResourcePolicy.MIN_SHARES;
        if (parent.equals("burstable")) {
            long milli = 0;
            for (Pod p : burstablePods) if (QosPolicy.qosClass(p) == QosPolicy.QosClass.Burstable) milli += PodResources.of(p).cpuRequest();
            shares = ResourcePolicy.shares(milli);
        }
        return new CgroupLimits(shares, null, ResourcePolicy.QUOTA_PERIOD, null, false, null);
    }

    /** The QoS parent of a pod's cgroup, as kubelet's {@code kubepods/burstable}: "", "burstable" or "besteffort". */
    public static String qosParent(Pod pod) {
        return switch (QosPolicy.qosClass(pod)) {
            case Guaranteed -> "";
            case Burstable -> "burstable";
            case BestEffort -> "besteffort";
        };
    }
}
