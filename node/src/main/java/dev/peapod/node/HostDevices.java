package dev.peapod.node;

import dev.peapod.oci.spec.Linux;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The host's device nodes, for privileged containers (containerd pkg/oci {@code HostDevices},
 * used by {@code WithPrivileged}: "privileged containers get all the host's devices"). Like
 * containerd it walks /dev without following symlinks, skips the per-container pseudo
 * filesystems (pts, shm, mqueue) and /dev/console, and keeps character and block devices.
 * Read on every call: devices come and go.
 */
final class HostDevices {
    private HostDevices() {}

    private static final Set<String> SKIPPED_DIRS = Set.of("pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev");
    private static final int S_IFMT = 0170000, S_IFCHR = 0020000, S_IFBLK = 0060000;

    static List<Linux.Device> list(Path dev) {
        var out = new ArrayList<Linux.Device>();
        try {
            Files.walkFileTree(dev, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                    return !dir.equals(dev) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    if (!a.isOther() || file.equals(dev.resolve("console"))) return FileVisitResult.CONTINUE;
                    int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                    int type = mode & S_IFMT;
                    if (type != S_IFCHR && type != S_IFBLK) return FileVisitResult.CONTINUE;
                    long rdev = (Long) Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
                    out.add(new Linux.Device(Path.of("/dev").resolve(dev.relativize(file)).toString(),
                            type == S_IFCHR ? "c" : "b", major(rdev), minor(rdev), mode & 0777,
                            ((Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue(),
                            ((Integer) Files.getAttribute(file, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // a device removed while walking
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("failed to list the host's devices: " + e.getMessage(), e);
        }
        return out;
    }

    /** glibc's gnu_dev_major/minor. */
    static long major(long rdev) { return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL); }

    static long minor(long rdev) { return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL); }
}
