package dev.peapod.oci;

import java.util.ArrayList;
import java.util.List;

/**
 * The limits of one cgroup (a pod's or a container's) as Peapod sets them, and their rendering as
 * cgroup v1 or v2 interface files: a pure function, so that the pod cgroup and in-place resize write
 * exactly what a runtime would have written from the OCI spec.
 * <ul>
 *   <li>v1: {@code cpu.shares}, {@code cpu.cfs_period_us}, {@code cpu.cfs_quota_us} (-1: none),
 *       {@code memory.limit_in_bytes} (-1: none) with {@code memory.memsw.limit_in_bytes} when swap
 *       is limited, {@code pids.max};</li>
 *   <li>v2 (cgroup-v2.rst): {@code cpu.weight} from the shares, {@code cpu.max} "quota period" or
 *       "max period", {@code memory.max}, {@code memory.swap.max} (0: no swap, since OCI's swap is
 *       memory+swap and Peapod sets it equal to the limit), {@code pids.max}.</li>
 * </ul>
 * Every file is written, "unlimited" included, so that lifting a limit (a resize) takes effect.
 *
 * @param cpuShares   relative CPU weight in cgroup v1 shares [2, 262144]
 * @param cpuQuota    CFS quota in µs per period; null: no limit
 * @param cpuPeriod   CFS period in µs
 * @param memoryLimit bytes; null: no limit
 * @param limitSwap   cap swap at the memory limit (a container does not swap), when the host can
 * @param pidsLimit   maximum tasks; null: no limit
 */
public record CgroupLimits(long cpuShares, Long cpuQuota, long cpuPeriod, Long memoryLimit, boolean limitSwap,
                           Long pidsLimit) {

    public static final long DEFAULT_PERIOD = 100_000;

    /** cgroup v2's {@code cpu.weight} for {@link #cpuShares}. */
    public long cpuWeight() { return sharesToWeight(cpuShares); }

    /** The files to write, in an order the kernel accepts from any previous values. */
    public List<CgroupFile> files(Cgroups.CgroupMode mode) {
        return mode == Cgroups.CgroupMode.V2 ? v2() : v1();
    }

    private List<CgroupFile> v1() {
        var out = new ArrayList<CgroupFile>();
        out.add(new CgroupFile("cpu", "cpu.shares", Long.toString(cpuShares)));
        out.add(new CgroupFile("cpu", "cpu.cfs_period_us", Long.toString(cpuPeriod)));
        out.add(new CgroupFile("cpu", "cpu.cfs_quota_us", cpuQuota == null ? "-1" : Long.toString(cpuQuota)));
        String memory = memoryLimit == null ? "-1" : Long.toString(memoryLimit);
        if (limitSwap) {
            // memsw may never be below limit_in_bytes (EINVAL): lift it first, set the limit, then
            // bring it down to the limit — valid whatever the old values were (runc setMemoryAndSwap
            // orders by comparing with the current value instead).
            out.add(new CgroupFile("memory", "memory.memsw.limit_in_bytes", "-1"));
            out.add(new CgroupFile("memory", "memory.limit_in_bytes", memory));
            out.add(new CgroupFile("memory", "memory.memsw.limit_in_bytes", memory));
        } else {
            out.add(new CgroupFile("memory", "memory.limit_in_bytes", memory));
        }
        out.add(new CgroupFile("pids", "pids.max", pidsLimit == null ? "max" : Long.toString(pidsLimit)));
        return out;
    }

    private List<CgroupFile> v2() {
        var out = new ArrayList<CgroupFile>();
        out.add(new CgroupFile("cpu", "cpu.weight", Long.toString(cpuWeight())));
        out.add(new CgroupFile("cpu", "cpu.max", (cpuQuota == null ? "max" : Long.toString(cpuQuota)) + " " + cpuPeriod));
        out.add(new CgroupFile("memory", "memory.max", memoryLimit == null ? "max" : Long.toString(memoryLimit)));
        if (limitSwap) out.add(new CgroupFile("memory", "memory.swap.max", memoryLimit == null ? "max" : "0"));
        out.add(new CgroupFile("pids", "pids.max", pidsLimit == null ? "max" : Long.toString(pidsLimit)));
        return out;
    }

    /**
     * cgroup v1 shares [2, 262144] to v2 weight [1, 10000] with the conversion runc 1.3.2+/crun 1.23+
     * and the kubelet use since 2025 (opencontainers/cgroups#20, kubernetes#131216: the old linear
     * {@code 1 + (shares − 2) × 9999 / 262142} gave one CPU (1024 shares) a weight of 39 instead of
     * the default 100): a parabola through the ends and 1024 → 100 on log scales,
     * {@code weight = ⌈10^((L² + 125 L) / 612 − 7/34)⌉} with {@code L = log2(shares)}.
     */
    static long sharesToWeight(long shares) {
        if (shares <= 2) return 1;
        if (shares >= 262_144) return 10_000;
        double l = log2(shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (long) Math.ceil(Math.pow(10, exponent));
    }

    /** log2 exact for powers of two (as Go's math.Log2, which the reference implementation uses). */
    private static double log2(long x) {
        int exp = 64 - Long.numberOfLeadingZeros(x);     // x = frac × 2^exp, frac in [0.5, 1)
        double frac = x / Math.pow(2, exp);
        if (frac == 0.5) return exp - 1;
        return Math.log(frac) * (1 / Math.log(2)) + exp;
    }
}
