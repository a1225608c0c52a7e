package dev.peapod.testing;

import dev.peapod.oci.Mounter;
import dev.peapod.oci.OciException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A {@link Mounter} that mounts nothing: it keeps the mount table in memory. Like the kernel,
 * mounting needs an existing target, and mounts on the same target stack (each {@link #unmount}
 * removes the top one), so a mount made twice and undone once still shows in {@link #mounted}.
 *
 * <p>A bind mount does not make the target show the source: code that checks the mounted inode
 * (subPath's staging check) sees the difference. Failures can be injected per target.
 *
 * <p>Contract as {@link Mounter}: thread safe; {@link #unmount} of a path that is not mounted is a
 * no-op; failures throw {@link OciException} and leave the table as it was.
 */
public final class FakeMounter implements Mounter {

    /**
     * One mount.
     *
     * @param type    {@code overlay}, {@code tmpfs} or {@code bind}
     * @param source  lower dirs (topmost first, colon-separated), {@code tmpfs}, or the bind source
     * @param options mount options as the real mounter would pass them
     */
    public record Mount(String type, Path target, String source, String options) {}

    private record Failure(Predicate<Path> target, String message, boolean once) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Path, Deque<Mount>> table = new LinkedHashMap<>();
    private final List<Mount> history = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();

    /** Every later mount onto a target matching {@code target} fails with {@code message}. */
    public void failMountsWhere(Predicate<Path> target, String message) {
        withLock(() -> failures.add(new Failure(target, message, false)));
    }

    /** The next mount onto a target matching {@code target} fails with {@code message}; later ones work. */
    public void failNextMountWhere(Predicate<Path> target, String message) {
        withLock(() -> failures.add(new Failure(target, message, true)));
    }

    /** Drops every injected failure. */
    public void stopFailing() {
        withLock(failures::clear);
    }

    @Override
    public void mountOverlay(List<Path> lowerTopFirst, Path upper, Path work, Path target) {
        String lower = String.join(":", lowerTopFirst.stream().map(Path::toString).toList());
        mount(new Mount("overlay", target, lower, "upperdir=" + upper + ",workdir=" + work));
    }

    @Override
    public void mountReadOnlyLayers(List<Path> lowerTopFirst, Path target) {
        if (lowerTopFirst.isEmpty()) throw new OciException("failed to mount layers at " + target + ": no layers");
        String lower = String.join(":", lowerTopFirst.stream().map(Path::toString).toList());
        mount(new Mount(lowerTopFirst.size() == 1 ? "bind" : "overlay", target, lower, "ro"));
    }

    @Override
    public void mountTmpfs(Path target, String options) {
        mount(new Mount("tmpfs", target, "tmpfs", options));
    }

    @Override
    public void bind(Path source, Path target, boolean readOnly) {
        if (!Files.exists(source)) throw new OciException("failed to bind mount " + source + " on " + target + ": No such file or directory");
        mount(new Mount("bind", target, source.toString(), readOnly ? "rbind,ro" : "rbind"));
    }

    @Override
    public void unmount(Path target, boolean lazy) {
        Path key = key(target);
        lock.lock();
        try {
            Deque<Mount> stack = table.get(key);
            if (stack == null) return;
            stack.pop();
            if (stack.isEmpty()) table.remove(key);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isMounted(Path path) {
        lock.lock();
        try {
            return table.containsKey(key(path));
        } finally {
            lock.unlock();
        }
    }

    /** The mount points now (each once, however many mounts are stacked on it). */
    public Set<Path> mounted() {
        lock.lock();
        try {
            return Set.copyOf(table.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** Every mount in place now, stacked ones included, oldest target first. */
    public List<Mount> mounts() {
        lock.lock();
        try {
            var out = new ArrayList<Mount>();
            table.values().forEach(stack -> out.addAll(stack.reversed()));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Every mount ever made (unmounted or not), in order; failed mounts are not in it. */
    public List<Mount> history() {
        lock.lock();
        try {
            return List.copyOf(history);
        } finally {
            lock.unlock();
        }
    }

    private void mount(Mount m) {
        Path key = key(m.target());
        lock.lock();
        try {
            for (var it = failures.iterator(); it.hasNext(); ) {
                Failure f = it.next();
                if (!f.target().test(key)) continue;
                if (f.once()) it.remove();
                throw new OciException("failed to mount " + m.type() + " on " + m.target() + ": " + f.message());
            }
            if (!Files.exists(m.target())) {
                throw new OciException("failed to mount " + m.type() + " on " + m.target() + ": No such file or directory");
            }
            Mount normalised = new Mount(m.type(), key, m.source(), m.options());
            table.computeIfAbsent(key, k -> new ArrayDeque<>()).push(normalised);
            history.add(normalised);
        } finally {
            lock.unlock();
        }
    }

    /** Mount points are compared as absolute, normalised paths (symlinks are not resolved). */
    private static Path key(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private void withLock(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }
}
