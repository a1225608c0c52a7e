package dev.peapod.oci;

import java.util.List;
import java.util.OptionalLong;

/**
 * Pod-level cgroups on cgroup v1, hybrid and v2 hosts. Paths are cgroup-relative
 * ({@code /peapod/pod-<uid>}); containers get {@code <podPath>/<containerId>} as the OCI
 * {@code linux.cgroupsPath}, which the runtime creates and {@code delete} removes.
 *
 * <p>Contract: thread safe; {@link #remove} is idempotent and kills nothing — callers remove
 * containers first. Both throw {@link OciException} on failure.
 */
public interface Cgroups {
    /** Which cgroup layout this host has. */
    CgroupMode mode();

    /** Creates the pod cgroup in every mounted hierarchy that Peapod uses. */
    void create(String podPath);

    /** Removes the pod cgroup (and the {@code /peapod} parent when empty is left alone). */
    void remove(String podPath);

    /**
     * Writes cgroup interface files of an existing cgroup (a pod's, or a container's the runtime
     * made), in order; on v1 each in its controller's hierarchy. Stops at the first failure.
     */
    void write(String path, List<CgroupFile> files);

    /**
     * How many processes of the cgroup the OOM killer killed: {@code oom_kill} of
     * {@code memory.events} (v2) or {@code memory.oom_control} (v1, Linux 4.13+). Empty when the
     * cgroup or the counter does not exist. Read it before the runtime deletes the cgroup.
     */
    OptionalLong oomKills(String path);

    /**
     * The memory the cgroup uses now in bytes: {@code memory.current} (v2) or
     * {@code memory.usage_in_bytes} (v1). Empty when the cgroup does not exist.
     */
    OptionalLong memoryUsage(String path);

    enum CgroupMode { V1, HYBRID, V2 }
}
