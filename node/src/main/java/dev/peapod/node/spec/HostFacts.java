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
 * @param capabilities        the capabilities the runtime may grant (Peapod's bounding set, e.g.
 *                            without CAP_SYS_RESOURCE in a restricted VM): what {@code privileged}
 *                            and {@code add: [ALL]} mean, as containerd's {@code cap.Current()};
 *                            granting more fails in capset with EPERM
 */
public record HostFacts(long nofileHard, long nprocHard, long memoryCapacityBytes, boolean cgroupV2,
                        boolean swapAccounting, int minOomScoreAdj, java.util.List<String> capabilities) {

    /** A host whose runtime may grant every capability. */
    public HostFacts(long nofileHard, long nprocHard, long memoryCapacityBytes, boolean cgroupV2,
                     boolean swapAccounting, int minOomScoreAdj) {
        this(nofileHard, nprocHard, memoryCapacityBytes, cgroupV2, swapAccounting, minOomScoreAdj, Caps.ALL);
    }

    public HostFacts withCapabilities(java.util.List<String> caps) {
        return new HostFacts(nofileHard, nprocHard, memoryCapacityBytes, cgroupV2, swapAccounting, minOomScoreAdj, caps);
    }

    /** Capability names of a {@code CapBnd:} mask from /proc/self/status (bit n is capability n). */
    public static java.util.List<String> capabilitiesOfMask(long mask) {
        var out = new java.util.ArrayList<String>();
        for (int bit = 0; bit < Caps.ALL.size(); bit++) {
            if ((mask & (1L << bit)) != 0) out.add(Caps.ALL.get(bit));
        }
        return out;
    }

    /** The kernel's lowest oom_score_adj: no restriction. */
    public static final int OOM_SCORE_ADJ_MIN = -1000;

    public HostFacts {
        capabilities = java.util.List.copyOf(capabilities);
        if (minOomScoreAdj < OOM_SCORE_ADJ_MIN || minOomScoreAdj > 1000) {
            throw new IllegalArgumentException("minOomScoreAdj out of [-1000, 1000]: " + minOomScoreAdj);
        }
    }
}
