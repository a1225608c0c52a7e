package dev.peapod.oci;

import java.nio.file.Path;
import java.util.List;

/**
 * The mount seam: the only place Peapod calls mount(2)/umount2(2). The Linux implementation uses
 * the FFM API (no process spawned); tests use a recording fake. All methods throw
 * {@link OciException} with errno text on failure; {@link #unmount} of a path that is not a mount
 * point is a no-op.
 */
public interface Mounter {
    /** overlayfs with {@code lower} listed topmost first (as overlayfs' lowerdir wants). */
    void mountOverlay(List<Path> lowerTopFirst, Path upper, Path work, Path target);

    /**
     * The layers as one read-only tree at {@code target} (image volumes): an overlayfs with lower
     * directories only (no upper dir, so nothing can be written), or a read-only bind mount of the
     * single layer when there is one (overlayfs without an upper dir wants two lower dirs on older
     * kernels).
     */
    void mountReadOnlyLayers(List<Path> lowerTopFirst, Path target);

    /** tmpfs with options such as {@code mode=1777,size=65536k}. */
    void mountTmpfs(Path target, String options);

    /** Bind mount, then remount read-only when asked. */
    void bind(Path source, Path target, boolean readOnly);

    /** umount2 with MNT_DETACH when {@code lazy}; no-op if {@code target} is not mounted. */
    void unmount(Path target, boolean lazy);

    /** Whether {@code path} is a mount point (from /proc/self/mountinfo). */
    boolean isMounted(Path path);

    /**
     * A cgroup v1 hierarchy with {@code controllers} (comma-separated, e.g. {@code hugetlb}) at
     * {@code target}, which must exist. Used by {@link HostPreflight} to move controllers off the
     * cgroup2 tree of a hybrid host. Fakes that do not record it inherit this failure.
     */
    default void mountCgroupV1(String controllers, Path target) {
        throw new OciException("failed to mount cgroup " + controllers + " at " + target + ": not supported by "
                + getClass().getSimpleName());
    }

    /**
     * Bind-mounts each of {@code sources} at the target of the same index as an idmapped mount:
     * on-disk ids {@code 0..size-1} appear as {@code hostId..hostId+size-1} (user namespaces of
     * {@code hostUsers: false} pods). Targets must exist. Fakes that do not record it inherit
     * this failure.
     */
    default void bindIdmapped(List<Path> sources, List<Path> targets, long hostId, long size) {
        throw new OciException("failed to create idmapped mounts: not supported by " + getClass().getSimpleName());
    }
}
