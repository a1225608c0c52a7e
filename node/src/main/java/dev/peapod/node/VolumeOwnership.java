package dev.peapod.node;

import dev.peapod.node.volume.FileProjection;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * fsGroup volume ownership, kubelet's {@code SetVolumeOwnership} (pkg/volume/volume_linux.go;
 * https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#configure-volume-permission-and-ownership-change-policy-for-pods):
 * every file and directory of a volume that supports ownership management (emptyDir, and
 * configMap, secret, downwardAPI and projected volumes on every write) gets the group {@code fsGroup} (its
 * owner stays), group read-write ({@code 0660}, {@code 0440} for a read-only volume), and
 * directories also group search and the setgid bit, so that files created later inherit the
 * group. Symlinks get the group but no chmod (it would follow them).
 *
 * <p>{@code fsGroupChangePolicy: OnRootMismatch} skips the walk when the volume's root already has
 * the group, the permission bits and the setgid bit ({@code requiresPermissionChange}); the default
 * {@code Always} walks every time.
 */
final class VolumeOwnership {
    private VolumeOwnership() {}

    static final int RW = 0660, RO = 0440, EXEC = 0110, SETGID = 02000;

    /** The mode a file gets: its own bits plus the group's, per kubelet's changeFilePermission. */
    static int newMode(int mode, boolean dir, boolean readOnly) {
        int mask = readOnly ? RO : RW;
        if (dir) mask |= SETGID | EXEC;
        return (mode & 07777) | mask;
    }

    /**
     * The payload of a read-only volume with the modes its files have once fsGroup applied (group
     * read added), so that the writer's "unchanged payload" check compares like with like.
     */
    static Map<String, FileProjection> modes(Pod pod, Map<String, FileProjection> payload) {
        var sc = pod.getSpec().getSecurityContext();
        if (sc == null || sc.getFsGroup() == null) return payload;
        var out = new LinkedHashMap<String, FileProjection>();
        payload.forEach((path, f) -> out.put(path, new FileProjection(f.data(), newMode(f.mode(), false, true))));
        return out;
    }

    /** kubelet's requiresPermissionChange on the volume's root. */
    static boolean rootMismatch(long gid, int mode, boolean dir, boolean readOnly, long fsGroup) {
        if (gid != fsGroup || !dir) return true;
        int perms = (readOnly ? RO : RW) | EXEC;
        return (mode & perms) != perms || (mode & SETGID) == 0;
    }

    /** Applies the pod's fsGroup (if any) to the volume directory {@code root}, as its fsGroupChangePolicy says. */
    static void apply(Pod pod, Path root, boolean readOnly) {
        apply(pod, root, readOnly, true);
    }

    /** Applies the pod's fsGroup (if any) to the whole volume, ignoring fsGroupChangePolicy. */
    static void applyAlways(Pod pod, Path root, boolean readOnly) {
        apply(pod, root, readOnly, false);
    }

    private static void apply(Pod pod, Path root, boolean readOnly, boolean policy) {
        var sc = pod.getSpec().getSecurityContext();
        if (sc == null || sc.getFsGroup() == null) return;
        long fsGroup = sc.getFsGroup();
        try {
            if (policy && "OnRootMismatch".equals(sc.getFsGroupChangePolicy())
                    && !rootMismatch(gid(root), mode(root), Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS), readOnly, fsGroup)) {
                return;
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                    change(dir, a, fsGroup, readOnly);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    change(file, a, fsGroup, readOnly);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("failed to set the ownership of volume " + root + " to fsGroup "
                    + fsGroup + ": " + e.getMessage(), e);
        }
    }

    private static void change(Path p, BasicFileAttributes a, long fsGroup, boolean readOnly) throws IOException {
        Files.setAttribute(p, "unix:gid", (int) fsGroup, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) return;
        Files.setAttribute(p, "unix:mode", newMode(mode(p), a.isDirectory(), readOnly), LinkOption.NOFOLLOW_LINKS);
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }
}
