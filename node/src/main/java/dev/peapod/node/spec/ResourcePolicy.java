package dev.peapod.node.spec;

import dev.peapod.oci.spec.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * cgroup limits of a container from its resources (kubelet
 * pkg/kubelet/kuberuntime/kuberuntime_container_linux.go {@code calculateLinuxResources};
 * https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run):
 * <ul>
 *   <li>cpu.shares from requests.cpu (the limit when no request): milliCPU × 1024 / 1000, at least
 *       2, at most 262144 ({@code MilliCPUToShares});</li>
 *   <li>cpu.period 100000 µs; cpu.quota from limits.cpu: milliCPU × period / 1000, at least 1000
 *       ({@code milliCPUToQuota}); no limit, no quota;</li>
 *   <li>memory.limit from limits.memory; memory.swap equal to it when swap can be limited
 *       (containerd {@code WithResources}: "swap/memory limit should be equal to prevent
 *       container from swapping by default");</li>
 *   <li>devices: deny all (containerd's default spec), the runtime adds its standard devices;
 *       privileged allows all.</li>
 * </ul>
 */
final class ResourcePolicy {
    private ResourcePolicy() {}

    static final long MIN_SHARES = 2;
    static final long MAX_SHARES = 262144;
    static final long SHARES_PER_CPU = 1024;
    static final long QUOTA_PERIOD = 100_000;
    static final long MIN_QUOTA = 1000;

    static Resources of(Container c, boolean privileged, boolean swapAccounting) {
        long cpuRequest = milli(request(c, "cpu"));
        long cpuLimit = milli(limit(c, "cpu"));
        long memoryLimit = value(limit(c, "memory"));
        long shares = shares(cpuRequest == 0 && cpuLimit != 0 ? cpuLimit : cpuRequest);
        Long quota = quota(cpuLimit);
        var cpu = new Resources.Cpu(shares, quota, QUOTA_PERIOD, null, null);
        Resources.Memory memory = memoryLimit == 0 ? null
                : new Resources.Memory(memoryLimit, null, swapAccounting ? memoryLimit : null);
        var devices = privileged ? List.of(new Resources.DeviceRule(true, null, null, null, "rwm"))
                : List.of(Resources.DeviceRule.denyAll());
        return new Resources(devices, memory, cpu, null);
    }

    /** kubelet {@code milliCPUToQuota}: none without a limit, else at least {@link #MIN_QUOTA}. */
    static Long quota(long milliCpu) {
        if (milliCpu <= 0) return null;
        return Math.max(MIN_QUOTA, milliCpu * QUOTA_PERIOD / 1000);
    }

    static long shares(long milliCpu) {
        if (milliCpu == 0) return MIN_SHARES;
        long shares = milliCpu * SHARES_PER_CPU / 1000;
        return Math.clamp(shares, MIN_SHARES, MAX_SHARES);
    }

    static Quantity request(Container c, String resource) { return get(c, resource, true); }

    static Quantity limit(Container c, String resource) { return get(c, resource, false); }

    private static Quantity get(Container c, String resource, boolean requests) {
        ResourceRequirements r = c.getResources();
        if (r == null) return null;
        Map<String, Quantity> m = requests ? r.getRequests() : r.getLimits();
        return m == null ? null : m.get(resource);
    }

    /** Quantity.MilliValue: thousandths, rounded up. Absent or unparsable counts as 0. */
    static long milli(Quantity q) {
        BigDecimal v = amount(q);
        return v.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** Quantity.Value: rounded up to a whole number. Absent or unparsable counts as 0. */
    static long value(Quantity q) {
        return amount(q).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    private static BigDecimal amount(Quantity q) {
        if (q == null || q.getAmount() == null) return BigDecimal.ZERO;
        try {
            BigDecimal v = Quantity.getAmountInBytes(q);
            return v.signum() < 0 ? BigDecimal.ZERO : v;
        } catch (ArithmeticException | IllegalArgumentException e) {
            return BigDecimal.ZERO;  // validation rejects malformed quantities before we get here
        }
    }
}
