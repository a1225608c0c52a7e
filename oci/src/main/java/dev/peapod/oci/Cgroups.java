package dev.peapod.oci;

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

    enum CgroupMode { V1, HYBRID, V2 }
}
