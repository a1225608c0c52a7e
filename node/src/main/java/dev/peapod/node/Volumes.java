package dev.peapod.node;

import dev.peapod.oci.Mounter;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pod volumes of this issue: {@code emptyDir} (disk, or tmpfs with {@code medium: Memory}) and
 * {@code hostPath} with its type checks
 * (https://kubernetes.io/docs/concepts/storage/volumes/#hostpath-volume-types), and the mount
 * points of image volumes ({@link ImageVolumes} mounts them).
 * Other volume types are refused by {@link #setUp} with a clear message.
 */
final class Volumes {
    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFCHR = 0020000, S_IFBLK = 0060000;

    private final Mounter mounter;

    Volumes(Mounter mounter) { this.mounter = mounter; }

    /** Sets up every volume of the pod and returns the host path of each, by volume name. */
    Map<String, Path> setUp(Pod pod, PodPaths paths) {
        var result = new LinkedHashMap<String, Path>();
        for (Volume v : pod.getSpec().getVolumes()) {
            result.put(v.getName(), setUp(v, paths));
        }
        return result;
    }

    private Path setUp(Volume v, PodPaths paths) {
        try {
            if (v.getEmptyDir() != null) return emptyDir(v, paths);
            if (v.getHostPath() != null) return hostPath(v);
            // Mounted when a container that mounts it is created (ImageVolumes).
            if (v.getImage() != null) return ImageVolumes.mountPoint(paths, v.getName());
        } catch (IOException e) {
            throw new VolumeException("MountVolume.SetUp failed for volume \"" + v.getName() + "\": " + e);
        }
        throw new VolumeException("MountVolume.SetUp failed for volume \"" + v.getName()
                + "\": this volume type is not supported yet (supported: emptyDir, hostPath, image)");
    }

    private Path emptyDir(Volume v, PodPaths paths) throws IOException {
        Path dir = paths.emptyDir(v.getName());
        if ("Memory".equals(v.getEmptyDir().getMedium())) {
            Files.createDirectories(dir);
            if (!mounter.isMounted(dir)) {
                Quantity limit = v.getEmptyDir().getSizeLimit();
                String opts = "mode=0777" + (limit == null ? "" : ",size=" + Quantity.getAmountInBytes(limit).toBigInteger());
                mounter.mountTmpfs(dir, opts);
            }
        } else {
            Files.createDirectories(dir);
        }
        // emptyDir is world-writable (kubelet's emptyDir plugin uses 0777), whatever the umask.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    private static Path hostPath(Volume v) throws IOException {
        Path p = Path.of(v.getHostPath().getPath());
        String type = v.getHostPath().getType() == null ? "" : v.getHostPath().getType();
        String fail = "MountVolume.SetUp failed for volume \"" + v.getName() + "\": hostPath type check failed: " + p;
        switch (type) {
            case "" -> { }
            case "DirectoryOrCreate" -> {
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(p);
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (!Files.isDirectory(p)) throw new VolumeException(fail + " is not a directory");
            }
            case "Directory" -> { if (!Files.isDirectory(p)) throw new VolumeException(fail + " is not a directory"); }
            case "FileOrCreate" -> {
                if (!Files.exists(p)) {
                    // Like kubelet: the parent directory is not created.
                    Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
                } else if (!Files.isRegularFile(p)) throw new VolumeException(fail + " is not a file");
            }
            case "File" -> { if (!Files.isRegularFile(p)) throw new VolumeException(fail + " is not a file"); }
            case "Socket" -> { if (fileType(p) != S_IFSOCK) throw new VolumeException(fail + " is not a socket file"); }
            case "CharDevice" -> { if (fileType(p) != S_IFCHR) throw new VolumeException(fail + " is not a character device"); }
            case "BlockDevice" -> { if (fileType(p) != S_IFBLK) throw new VolumeException(fail + " is not a block device"); }
            default -> throw new VolumeException(fail + ": unsupported type " + type);
        }
        return p;
    }

    private static int fileType(Path p) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode")) & S_IFMT;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Unmounts memory-backed emptyDirs and removes the pod's volume directories. Idempotent. */
    void tearDown(Pod pod, PodPaths paths) {
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getEmptyDir() != null) mounter.unmount(paths.emptyDir(v.getName()), false);
            if (v.getImage() != null) mounter.unmount(ImageVolumes.mountPoint(paths, v.getName()), false);
        }
        try {
            FileTree.deleteRecursively(paths.volumes());
        } catch (IOException e) {
            throw new UncheckedIOException("failed to remove volumes of pod: " + e.getMessage(), e);
        }
    }
}
