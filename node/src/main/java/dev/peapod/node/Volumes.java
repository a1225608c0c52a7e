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
 * Pod volumes: {@code emptyDir} (disk, or tmpfs with {@code medium: Memory}), {@code hostPath} with
 * its type checks (https://kubernetes.io/docs/concepts/storage/volumes/#hostpath-volume-types) and
 * never into Peapod's own state, {@code persistentVolumeClaim} as a directory per claim ({@link ClaimVolumes}), the volumes Peapod writes ({@link ConfigVolumes}: configMap,
 * secret, downwardAPI, projected), and the mount points of image volumes ({@link ImageVolumes}
 * mounts them). Other volume types are refused by {@link #setUp} with a clear message.
 */
final class Volumes {
    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFCHR = 0020000, S_IFBLK = 0060000;

    private final Mounter mounter;
    private final ConfigVolumes config;
    private final ClaimVolumes claims;
    /** Peapod's own state (data dir, run dir): no hostPath may reach into it. */
    private final java.util.List<Path> ownState;

    Volumes(Mounter mounter, ConfigVolumes config, ClaimVolumes claims, java.util.List<Path> ownState) {
        this.mounter = mounter;
        this.config = config;
        this.claims = claims;
        this.ownState = ownState;
    }

    ConfigVolumes config() { return config; }

    /** Sets up every volume of the pod and returns the host path of each, by volume name. */
    Map<String, Path> setUp(Pod pod, PodPaths paths) {
        var result = new LinkedHashMap<String, Path>();
        var volumes = pod.getSpec().getVolumes();
        for (int i = 0; i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            Path dir = setUp(pod, v, i, paths);
            // Volumes Peapod manages get the pod's fsGroup; a hostPath stays as the host has it.
            if (v.getEmptyDir() != null) VolumeOwnership.apply(pod, dir, false);
            // kubelet applies fsGroup to a PV whose plugin manages ownership (local volumes, as local-path gives).
            if (v.getPersistentVolumeClaim() != null) VolumeOwnership.apply(pod, dir, claims.readOnly(pod, v.getName()));
            result.put(v.getName(), dir);
        }
        return result;
    }

    private Path setUp(Pod pod, Volume v, int index, PodPaths paths) {
        try {
            if (v.getEmptyDir() != null) return emptyDir(v, paths);
            if (v.getHostPath() != null) return hostPath(v, index);
            if (v.getPersistentVolumeClaim() != null) return claims.setUp(pod, v, paths);
            if (ConfigVolumes.handles(v)) return config.setUp(pod, v, paths);
            // Mounted when a container that mounts it is created (ImageVolumes).
            if (v.getImage() != null) return ImageVolumes.mountPoint(paths, v.getName());
        } catch (IOException | VolumeException | java.io.UncheckedIOException | IllegalArgumentException e) {
            if (e instanceof VolumeException ve && (ve.getMessage().startsWith("MountVolume.")
                    || ve.getMessage().startsWith("Unable to attach"))) throw ve; // worded already
            // kubelet's FailedMount wording: MountVolume.SetUp failed for volume "x" : <cause>
            throw new VolumeException("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : "
                    + (e instanceof IOException ? e.toString() : e.getMessage()));
        }
        throw new VolumeException("MountVolume.SetUp failed for volume \"" + v.getName()
                + "\": this volume type is not supported yet (supported: emptyDir, hostPath, persistentVolumeClaim, configMap, secret, downwardAPI, projected, image)");
    }

    /** Volumes Peapod writes and containers may only read (configMap, secret, downwardAPI, projected). */
    static boolean alwaysReadOnly(Pod pod, String volume) {
        return pod.getSpec().getVolumes().stream().anyMatch(v -> v.getName().equals(volume) && ConfigVolumes.handles(v));
    }

    /**
     * A hostPath into Peapod's own state would hand a pod other pods' secrets, the token signing
     * key, runtime state and images: refused, naming the field (checked on the real path, so a
     * symlink to the state is caught too). Ancestors such as {@code /} stay allowed, as in Kubernetes.
     */
    private void refuseOwnState(Path p, int index) throws IOException {
        Path real = p.toAbsolutePath().normalize();
        // The longest existing prefix, resolved: a path to be created under a symlink is caught too.
        Path existing = real;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing != null) real = existing.toRealPath().resolve(existing.relativize(real));
        for (Path state : ownState) {
            Path s = Files.exists(state) ? state.toRealPath() : state.toAbsolutePath().normalize();
            if (real.startsWith(s)) {
                throw new VolumeException("spec.volumes[" + index + "].hostPath.path: Forbidden: " + p
                        + " is inside Peapod's own state (" + s + ")");
            }
        }
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

    private Path hostPath(Volume v, int index) throws IOException {
        Path p = Path.of(v.getHostPath().getPath());
        refuseOwnState(p, index);
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
        config.tearDown(pod, paths);
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
