package dev.peapod.node;

import dev.peapod.oci.Mounter;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a container's volumeMounts into bind mounts. A {@code subPath} must stay inside its
 * volume even when a container has planted symlinks in the volume
 * (CVE-2017-1002101, kubernetes#60813): the path is resolved component by component against the
 * volume's real root, bind-mounted onto a private staging point, and the staging point is checked
 * to be the very inode that was resolved — so a symlink swapped in between check and mount is
 * caught instead of followed.
 */
final class SubPaths {
    /** A bind mount for the spec: host {@code source} at container {@code destination}. */
    /** @param image an image volume (an overlayfs that cannot be idmapped) */
    record MountSpec(String destination, Path source, boolean readOnly, boolean image) {}

    private SubPaths() {}

    static List<MountSpec> resolve(Containers.PodContext ctx, Container c, String containerId, Mounter mounter,
                                   List<Rollback.Undo> cleanups) throws IOException {
        var out = new ArrayList<MountSpec>();
        int i = 0;
        for (VolumeMount m : c.getVolumeMounts()) {
            Path volume = ctx.volumes().get(m.getName());
            if (volume == null) throw new IOException("volume \"" + m.getName() + "\" is not set up");
            // Volumes Peapod writes are read-only in every container, whatever the mount says (CVE-2017-1002102);
            // image volumes too (KEP-4639).
            boolean image = ImageVolumes.isImageVolume(ctx.pod(), m.getName());
            boolean ro = image || Boolean.TRUE.equals(m.getReadOnly()) || Volumes.alwaysReadOnly(ctx.pod(), m.getName())
                    || ClaimVolumes.readOnly(ctx.pod(), m.getName(), ctx.config());
            String sub = m.getSubPath();
            if (sub == null || sub.isEmpty()) {
                out.add(new MountSpec(m.getMountPath(), volume, ro, image));
                continue;
            }
            Path stagingDir = ctx.paths().subPaths(containerId);
            Path staging = stagingDir.resolve(String.valueOf(i++));
            Path real = resolveInside(volume, sub, m, !image);
            if (!Files.isDirectory(stagingDir)) {
                Files.createDirectories(stagingDir);
                cleanups.add(() -> Files.deleteIfExists(stagingDir));
            }
            cleanups.add(() -> { mounter.unmount(staging, true); Files.deleteIfExists(staging); });
            if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(staging);
            else if (!Files.exists(staging)) Files.createFile(staging);
            mounter.bind(real, staging, false);
            Object expected = Files.readAttributes(real, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            Object actual = Files.readAttributes(staging, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            if (!expected.equals(actual)) {
                throw new IOException("subPath \"" + sub + "\" of volume \"" + m.getName() + "\" changed while it was mounted");
            }
            out.add(new MountSpec(m.getMountPath(), staging, ro, image));
        }
        return out;
    }

    /**
     * Resolves {@code sub} inside {@code volume}, following symlinks only while they stay inside
     * the volume, and creating missing directories like kubelet does for subPath (not in a
     * read-only image volume: there a missing subPath fails the container, as CRI-O does).
     */
    static Path resolveInside(Path volume, String sub, VolumeMount m, boolean create) throws IOException {
        Path root = volume.toRealPath();
        Path current = root;
        for (Path part : Path.of(sub)) {
            String name = part.toString();
            if (name.equals("..") || name.equals(".") || name.isEmpty()) {
                throw new IOException("subPath \"" + sub + "\" of volume \"" + m.getName() + "\" must not contain '..'");
            }
            Path next = current.resolve(name);
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                if (!create) {
                    throw new IOException("subPath \"" + sub + "\" does not exist in image volume \"" + m.getName() + "\"");
                }
                Files.createDirectory(next);
            }
            Path real = next.toRealPath();
            if (!real.startsWith(root)) {
                throw new IOException("subPath \"" + sub + "\" of volume \"" + m.getName()
                        + "\" resolves outside the volume (through a symlink): " + real);
            }
            current = real;
        }
        return current;
    }
}
