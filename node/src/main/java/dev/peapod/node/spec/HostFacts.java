package dev.peapod.node.spec;

/**
 * Limits and capabilities of the host that shape a container's spec.
 *
 * @param nofileHard          the hard {@code RLIMIT_NOFILE} of the runtime's process tree; a spec
 *                            asking more fails in setrlimit with EPERM (host-notes.md: 20000 here)
 * @param nprocHard           the hard {@code RLIMIT_NPROC}; not used yet: like containerd's CRI,
 *                            Peapod sets no nproc limit
 * @param memoryCapacityBytes the node's memory, for the Burstable oom_score_adj formula; 0 when
 *                            unknown (Burstable containers then get no oomScoreAdj)
 * @param cgroupV2            the unified hierarchy is in use: containers get a cgroup namespace,
 *                            as containerd does on v2 only
 * @param swapAccounting      the memory controller can limit swap (v1 {@code memory.memsw.*} or
 *                            v2 {@code memory.swap.max}); then swap is capped at the memory limit,
 *                            as containerd does, so a container does not swap
 * @param minOomScoreAdj      the lowest oom_score_adj the runtime may set: lowering it below the
 *                            runtime's own needs CAP_SYS_RESOURCE, without which crun fails with
 *                            "write to /proc/self/oom_score_adj: Permission denied". Pass the
 *                            runtime's own value ({@code /proc/self/oom_score_adj}) when it lacks
 *                            that capability — containerd's {@code restrict_oom_score_adj} — and
 *                            {@link #OOM_SCORE_ADJ_MIN} otherwise
 */
public record HostFacts(long nofileHard, long nprocHard, long memoryCapacityBytes, boolean cgroupV2,
                        boolean swapAccounting, int minOomScoreAdj) {

    /** The kernel's lowest oom_score_adj: no restriction. */
    public static final int OOM_SCORE_ADJ_MIN = -1000;

    public HostFacts {
        if (minOomScoreAdj < OOM_SCORE_ADJ_MIN || minOomScoreAdj > 1000) {
            throw new IllegalArgumentException("minOomScoreAdj out of [-1000, 1000]: " + minOomScoreAdj);
        }
    }
}
