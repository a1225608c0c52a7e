package dev.peapod.node;

import dev.peapod.api.PersistentVolumeClaimValidator;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * {@code persistentVolumeClaim} volumes on one host, as kind's local-path provisioner and podman's
 * named volumes give them: each claim is a directory {@code <data-dir>/volumes/pvc/<namespace>/<name>},
 * made on first use (mode 0777, as local-path-provisioner's {@code mkdir -m 0777}) and kept after
 * the pods that used it are gone; the pod's volume binds it like a hostPath directory.
 *
 * <p>Read-only when the pod's volume says {@code readOnly} (kubelet mounts the PV read-only then),
 * or when the claim asks only for {@code ReadOnlyMany}
 * (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes). A claim the source
 * does not know fails the mount with kubelet's wording for a missing claim.
 *
 * <p>A pod that mounts a claim records it in {@code <pod data dir>/claims} (one {@code namespace/name}
 * a line, one {@code O_APPEND} write each, as {@link dev.peapod.node.gc.ImagesInUse} records images),
 * gone with the pod's directory: {@link #remove} refuses a claim a pod still uses, as the
 * {@code kubernetes.io/pvc-protection} finalizer holds a claim a pod uses.
 */
public final class ClaimVolumes {
    private final ConfigSource source;
    private final Path dataDir;

    ClaimVolumes(ConfigSource source, Path dataDir) {
        this.source = source;
        this.dataDir = dataDir;
    }

    /** The root of every claim's directory. */
    static Path root(Path dataDir) {
        return dataDir.resolve("volumes").resolve("pvc");
    }

    /**
     * The directory of claim {@code namespace/name}. Names that are not a DNS-1123 label and
     * subdomain are refused (none of those can be {@code ..} or hold a {@code /}), and the result is
     * checked to sit two levels under {@link #root} all the same.
     */
    static Path directory(Path dataDir, String namespace, String name) {
        if (!PersistentVolumeClaimValidator.validKey(namespace, name)) {
            throw new IllegalArgumentException("invalid persistentvolumeclaim name " + namespace + "/" + name);
        }
        Path root = root(dataDir).toAbsolutePath().normalize();
        Path dir = root.resolve(namespace).resolve(name).normalize();
        if (dir.getNameCount() != root.getNameCount() + 2 || !dir.startsWith(root)) {
            throw new IllegalArgumentException("persistentvolumeclaim " + namespace + "/" + name + " leaves " + root);
        }
        return dir;
    }

    /** The claim a pod volume names, if the source knows it. */
    java.util.Optional<PersistentVolumeClaim> claim(Pod pod, Volume v) {
        return source.persistentVolumeClaim(pod.getMetadata().getNamespace(), v.getPersistentVolumeClaim().getClaimName());
    }

    /** Makes (or finds) the claim's directory, records that the pod uses it, and returns it. */
    Path setUp(Pod pod, Volume v, PodPaths paths) throws IOException {
        String ns = pod.getMetadata().getNamespace();
        String name = v.getPersistentVolumeClaim().getClaimName();
        var claim = claim(pod, v);
        if (claim.isEmpty()) {
            // kubelet's desired-state populator, when the claim is missing from the API server.
            throw new VolumeException("Unable to attach or mount volumes: unmounted volumes=[" + v.getName()
                    + "]: error processing PVC " + ns + "/" + name
                    + ": failed to fetch PVC from API server: persistentvolumeclaims \"" + name + "\" not found");
        }
        if (claim.get().getMetadata().getDeletionTimestamp() != null) {
            // The same populator refuses a claim being deleted (held by kubernetes.io/pvc-protection),
            // so that a new pod cannot start on a volume about to be reclaimed.
            throw new VolumeException("Unable to attach or mount volumes: unmounted volumes=[" + v.getName()
                    + "]: error processing PVC " + ns + "/" + name
                    + ": can't start pod because PVC " + ns + "/" + name + " is being deleted");
        }
        Path dir = provision(dataDir, ns, name);
        Files.createDirectories(paths.dataDir());
        Files.writeString(paths.dataDir().resolve(IN_USE), ns + "/" + name + "\n", java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return dir;
    }

    private static final String IN_USE = "claims";

    /**
     * Creates the claim's directory if missing. No component below the data dir may be a symlink
     * (so nothing planted there redirects a claim elsewhere on the host).
     */
    static Path provision(Path dataDir, String namespace, String name) throws IOException {
        Path dir = directory(dataDir, namespace, name);
        Path base = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(base);
        Path current = base;
        for (Path part : base.relativize(dir)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) throw new IOException(current + " is a symbolic link");
            if (Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) throw new IOException(current + " is not a directory");
                continue;
            }
            Files.createDirectory(current);
            // local-path-provisioner makes the volume world-writable, so that any uid can use it.
            if (current.equals(dir)) Files.setPosixFilePermissions(current, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        return dir;
    }

    boolean readOnly(Pod pod, String volume) {
        return readOnly(pod, volume, source);
    }

    /** Whether the pod's volume {@code volume} is a claim mounted read-only (its readOnly, or ReadOnlyMany only). */
    static boolean readOnly(Pod pod, String volume, ConfigSource source) {
        for (Volume v : pod.getSpec().getVolumes()) {
            if (!v.getName().equals(volume) || v.getPersistentVolumeClaim() == null) continue;
            if (Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly())) return true;
            return source.persistentVolumeClaim(pod.getMetadata().getNamespace(), v.getPersistentVolumeClaim().getClaimName())
                    .map(c -> c.getSpec() != null && List.of("ReadOnlyMany").equals(c.getSpec().getAccessModes()))
                    .orElse(false);
        }
        return false;
    }

    /** A claim's directory on this host and how many pods (not yet removed) use it. */
    public record Claim(String namespace, String name, Path path, int pods) {}

    /** The claims whose directories exist under {@code dataDir}, sorted by namespace and name. */
    public static List<Claim> claims(Path dataDir) throws IOException {
        var users = new java.util.HashMap<String, Integer>();
        Path pods = dataDir.resolve("pods");
        if (Files.isDirectory(pods)) {
            try (var dirs = Files.list(pods)) {
                for (Path pod : dirs.toList()) {
                    try {
                        Files.readAllLines(pod.resolve(IN_USE)).stream().map(String::strip).filter(l -> !l.isEmpty())
                                .distinct().forEach(l -> users.merge(l, 1, Integer::sum));
                    } catch (java.nio.file.NoSuchFileException e) {
                        // a pod without claims, or removed meanwhile
                    }
                }
            }
        }
        var out = new java.util.ArrayList<Claim>();
        for (String key : list(dataDir)) {
            String[] parts = key.split("/", 2);
            out.add(new Claim(parts[0], parts[1], directory(dataDir, parts[0], parts[1]), users.getOrDefault(key, 0)));
        }
        return out;
    }

    /**
     * Removes the claim's directory and everything in it.
     *
     * @throws IllegalStateException if a pod still uses it
     * @throws java.nio.file.NoSuchFileException if there is no such claim
     */
    public static void remove(Path dataDir, String namespace, String name) throws IOException {
        Path dir = directory(dataDir, namespace, name);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new java.nio.file.NoSuchFileException(namespace + "/" + name);
        for (Claim c : claims(dataDir)) {
            if (c.namespace().equals(namespace) && c.name().equals(name) && c.pods() > 0) {
                throw new IllegalStateException("persistentvolumeclaim " + namespace + "/" + name + " is in use by "
                        + c.pods() + (c.pods() == 1 ? " pod" : " pods"));
            }
        }
        FileTree.deleteRecursively(dir);
    }

    /** The names of the claims on this host, as {@code namespace/name}, sorted. */
    static List<String> list(Path dataDir) throws IOException {
        Path root = root(dataDir);
        if (!Files.isDirectory(root)) return List.of();
        var out = new java.util.ArrayList<String>();
        try (var namespaces = Files.list(root)) {
            for (Path ns : namespaces.toList()) {
                if (!Files.isDirectory(ns, LinkOption.NOFOLLOW_LINKS)) continue;
                try (var names = Files.list(ns)) {
                    names.filter(n -> Files.isDirectory(n, LinkOption.NOFOLLOW_LINKS)
                                    && PersistentVolumeClaimValidator.validKey(ns.getFileName().toString(), n.getFileName().toString()))
                            .forEach(n -> out.add(ns.getFileName() + "/" + n.getFileName()));
                }
            }
        }
        out.sort(null);
        return out;
    }
}
