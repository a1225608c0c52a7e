package dev.peapod.oci.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * cgroup limits (config-linux.md "Control groups"). Every part is optional; null leaves the
 * runtime's (and the parent cgroup's) default.
 *
 * @param devices device-cgroup rules, applied in order
 * @param memory  memory limits
 * @param cpu     CPU shares, CFS quota and cpusets
 * @param pids    pids limit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"devices", "memory", "cpu", "pids"})
public record Resources(@JsonInclude(JsonInclude.Include.NON_EMPTY) List<DeviceRule> devices,
                        Memory memory, Cpu cpu, Pids pids) {

    public Resources {
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /**
     * One device-cgroup rule.
     *
     * @param allow  allow or deny
     * @param type   {@code a} (all), {@code c} or {@code b}; null means all
     * @param major  device major number; null means all
     * @param minor  device minor number; null means all
     * @param access some of {@code r}, {@code w}, {@code m}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"allow", "type", "major", "minor", "access"})
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
        /** {@code {"allow": false, "access": "rwm"}}: deny everything not allowed later. */
        public static DeviceRule denyAll() { return new DeviceRule(false, null, null, null, "rwm"); }
    }

    /**
     * Memory limits in bytes.
     *
     * @param limit       memory limit
     * @param reservation soft limit
     * @param swap        memory + swap limit (equal to {@code limit}: no swap)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"limit", "reservation", "swap"})
    public record Memory(Long limit, Long reservation, Long swap) {}

    /**
     * CPU controls.
     *
     * @param shares relative weight (cgroup v1 cpu.shares; runtimes convert it for v2)
     * @param quota  CFS quota in microseconds per period
     * @param period CFS period in microseconds
     * @param cpus   cpuset CPUs ("0-3")
     * @param mems   cpuset memory nodes
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"shares", "quota", "period", "cpus", "mems"})
    public record Cpu(Long shares, Long quota, Long period, String cpus, String mems) {}

    /** @param limit maximum number of tasks in the cgroup */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pids(long limit) {}
}
