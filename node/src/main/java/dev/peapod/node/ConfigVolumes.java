package dev.peapod.node;

import dev.peapod.node.volume.AtomicWriter;
import dev.peapod.node.volume.ServiceAccountTokens;
import dev.peapod.oci.Mounter;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * configMap, secret, downwardAPI and projected volumes: their files ({@link VolumePayloads}) written
 * with kubelet's {@link AtomicWriter}, and rewritten the same way when what they show changes. As
 * in kubelet, only configMap volumes sit on the data dir's disk; secret, downwardAPI and projected
 * volumes (which may hold secrets and tokens) get a tmpfs of their own, so a secret never reaches
 * a disk. Containers mount all of them read-only (kubernetes#60814, CVE-2017-1002102: a container
 * could otherwise plant files or symlinks where kubelet writes).
 *
 * <p>Contract: thread safe; a pod's volumes are written only from its worker thread.
 */
final class ConfigVolumes {
    private final Mounter mounter;
    private final ConfigSource config;
    private final InstantSource clock;
    private final Path tokenKeyDir;
    private volatile ServiceAccountTokens tokens;
    private final java.util.concurrent.locks.ReentrantLock tokensLock = new java.util.concurrent.locks.ReentrantLock();
    /** When a pod's token-holding volumes must be rewritten, by pod uid and volume name. */
    private final Map<String, Map<String, Instant>> refreshAt = new ConcurrentHashMap<>();

    ConfigVolumes(Mounter mounter, ConfigSource config, InstantSource clock, Path tokenKeyDir) {
        this.mounter = mounter;
        this.config = config;
        this.clock = clock;
        this.tokenKeyDir = tokenKeyDir;
    }

    static boolean handles(Volume v) {
        return v.getConfigMap() != null || v.getSecret() != null || v.getDownwardAPI() != null || v.getProjected() != null;
    }

    private static boolean onTmpfs(Volume v) { return v.getConfigMap() == null; }

    /** kubelet's plugin directory names, under the pod's volumes directory. */
    static Path dir(PodPaths paths, Volume v) {
        String plugin = v.getConfigMap() != null ? "kubernetes.io~configmap"
                : v.getSecret() != null ? "kubernetes.io~secret"
                : v.getDownwardAPI() != null ? "kubernetes.io~downward-api" : "kubernetes.io~projected";
        return paths.volumes().resolve(plugin).resolve(v.getName());
    }

    /** Makes the volume's directory (and tmpfs) and writes its files. */
    Path setUp(Pod pod, Volume v, PodPaths paths) throws IOException {
        Path dir = dir(paths, v);
        Files.createDirectories(dir);
        if (onTmpfs(v) && !mounter.isMounted(dir)) mounter.mountTmpfs(dir, "mode=0755");
        write(pod, v, dir);
        return dir;
    }

    /**
     * Rewrites the pod's volumes of this kind whose content may have changed; an unchanged payload
     * is left alone. A failure is reported per volume, the others are still written.
     *
     * @param which  the volumes to look at
     * @param failed receives (volume name, message) for each volume that could not be written
     */
    void update(Pod pod, PodPaths paths, java.util.function.Predicate<Volume> which,
                java.util.function.BiConsumer<String, String> failed) {
        for (Volume v : pod.getSpec().getVolumes()) {
            if (!handles(v) || !which.test(v)) continue;
            try {
                write(pod, v, dir(paths, v));
            } catch (IOException | RuntimeException e) {
                failed.accept(v.getName(), e.getMessage());
                // A renewal that failed is tried again a little later, not in a tight loop.
                var m = refreshAt.get(pod.getMetadata().getUid());
                if (m != null) m.computeIfPresent(v.getName(), (k, at) -> clock.instant().plusSeconds(10));
            }
        }
    }

    /** The earliest time one of the pod's volumes must be rewritten (a token renewal), if any. */
    Optional<Instant> nextRefresh(Pod pod) {
        var m = refreshAt.get(pod.getMetadata().getUid());
        return m == null ? Optional.empty() : m.values().stream().min(Instant::compareTo);
    }

    /** Whether {@code v} is due for its token renewal at {@code now}. */
    boolean refreshDue(Pod pod, Volume v, Instant now) {
        var m = refreshAt.get(pod.getMetadata().getUid());
        Instant at = m == null ? null : m.get(v.getName());
        return at != null && !now.isBefore(at);
    }

    private void write(Pod pod, Volume v, Path dir) throws IOException {
        var payload = VolumePayloads.of(pod, v, config, r -> tokens().issue(r, clock.instant()));
        try {
            // fsGroup on every write, whatever fsGroupChangePolicy says (kubelet passes no policy
            // for AtomicWriter volumes); read-only volumes: group r, directories r-x and setgid.
            new AtomicWriter(dir).write(VolumeOwnership.modes(pod, payload.files()),
                    target -> VolumeOwnership.applyAlways(pod, target, true));
        } catch (IllegalArgumentException e) {
            throw new VolumeException(e.getMessage());
        }
        var m = refreshAt.computeIfAbsent(pod.getMetadata().getUid(), k -> new ConcurrentHashMap<>());
        payload.refreshAt().ifPresentOrElse(at -> m.put(v.getName(), at), () -> m.remove(v.getName()));
    }

    private ServiceAccountTokens tokens() {
        var t = tokens;
        if (t != null) return t;
        tokensLock.lock(); // the key is loaded (or made) once per engine
        try {
            if (tokens == null) tokens = ServiceAccountTokens.open(tokenKeyDir);
            return tokens;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            tokensLock.unlock();
        }
    }

    /** Unmounts the pod's tmpfs-backed config volumes. Idempotent. */
    void tearDown(Pod pod, PodPaths paths) {
        refreshAt.remove(pod.getMetadata().getUid());
        for (Volume v : pod.getSpec().getVolumes()) {
            if (handles(v) && onTmpfs(v)) mounter.unmount(dir(paths, v), false);
        }
    }

    /** Whether the pod's volume shows the ConfigMap or Secret that changed. */
    static boolean shows(Volume v, ConfigSource.Change change) {
        boolean cm = change.kind() == ConfigSource.Kind.CONFIG_MAP, name;
        if (v.getConfigMap() != null) return cm && v.getConfigMap().getName().equals(change.name());
        if (v.getSecret() != null) return !cm && v.getSecret().getSecretName().equals(change.name());
        if (v.getProjected() == null) return false;
        for (VolumeProjection p : v.getProjected().getSources()) {
            name = cm ? p.getConfigMap() != null && p.getConfigMap().getName().equals(change.name())
                    : p.getSecret() != null && p.getSecret().getName().equals(change.name());
            if (name) return true;
        }
        return false;
    }

    /** Whether the volume shows the pod's labels or annotations (which may change while it runs). */
    static boolean showsMetadata(Volume v) {
        if (v.getDownwardAPI() != null) return true;
        return v.getProjected() != null && v.getProjected().getSources().stream().anyMatch(p -> p.getDownwardAPI() != null);
    }
}
