package dev.peapod.network;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * {@link NetnsManager} by syscalls (see {@link NetnsSyscalls}): unshare(CLONE_NEWNET) on a
 * short-lived platform thread, {@code lo} up by ioctl, a bind mount of
 * {@code /proc/thread-self/ns/net} onto the file, setns back. No process is spawned; measured
 * against {@code ip netns add} + {@code ip link set lo up} in NetnsManagerIT (numbers in its
 * Javadoc).
 *
 * <p>Like iproute2, the directory is made a shared mount point (bound onto itself first if
 * needed): mount namespaces that copy it later (a service with private mounts, for example)
 * then see our unmounts, instead of keeping a copy of the namespace's mount alive forever.
 */
final class BindMountNetnsManager implements NetnsManager {
    private final Path dir;
    private final ReentrantLock dirLock = new ReentrantLock();
    private volatile boolean dirReady;

    BindMountNetnsManager(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    @Override
    public Path path(String name) {
        if (!CniNames.validId(name)) throw new IllegalArgumentException("invalid network namespace name " + name);
        return dir.resolve(name);
    }

    @Override
    public Path create(String name) {
        // Held throughout: remove() unmounts the directory when its last namespace goes, and must
        // not do so between this preparing the directory and binding the new namespace into it.
        dirLock.lock();
        try {
            return createLocked(name);
        } finally {
            dirLock.unlock();
        }
    }

    private Path createLocked(String name) {
        Path target = path(name);
        prepareDirectory();
        if (NetnsManager.isNetns(target)) return target;
        try {
            Files.createFile(target);
        } catch (FileAlreadyExistsException e) {
            // Left over from a creation that failed halfway: mount onto it.
        } catch (IOException e) {
            throw new NetworkException("failed to create network namespace file " + target + ": " + e.getMessage(), e);
        }
        try {
            onOwnThread(() -> NetnsSyscalls.createBound(target.toString()));
        } catch (RuntimeException e) {
            remove(name);
            throw new NetworkException("failed to create network namespace " + name + ": " + e.getMessage(), e);
        }
        return target;
    }

    @Override
    public void remove(String name) {
        Path target = path(name);
        int err = NetnsSyscalls.detach(target.toString());
        if (err != 0 && err != NetnsSyscalls.EINVAL && err != NetnsSyscalls.ENOENT) {
            throw new NetworkException("failed to unmount network namespace " + target + ": " + NetnsSyscalls.strerror(err));
        }
        try {
            Files.deleteIfExists(target);
        } catch (IOException e) {
            throw new NetworkException("failed to remove network namespace file " + target + ": " + e.getMessage(), e);
        }
        releaseDirectoryIfEmpty();
    }

    /**
     * With its last namespace gone the directory's own (shared) mount goes too, so that a host
     * without pods holds no Peapod mount at all; the next create() sets it up again.
     */
    private void releaseDirectoryIfEmpty() {
        dirLock.lock();
        try {
            if (!list().isEmpty()) return;
            int err = NetnsSyscalls.detach(dir.toString());
            if (err != 0 && err != NetnsSyscalls.EINVAL && err != NetnsSyscalls.ENOENT) return;
            dirReady = false;
            Files.deleteIfExists(dir);
        } catch (IOException | NetworkException e) {
            // another namespace appeared or the directory is busy: it stays
        } finally {
            dirLock.unlock();
        }
    }

    @Override
    public List<String> list() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new NetworkException("failed to list network namespaces in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** iproute2's netns_add: make the directory shared; if it is not a mount point (EINVAL), bind it onto itself first. */
    private void prepareDirectory() {
        if (dirReady) return;
        dirLock.lock();
        try {
            if (dirReady) return;
            Files.createDirectories(dir);
            int err = NetnsSyscalls.mount(null, dir.toString(), NetnsSyscalls.SHARED_REC);
            if (err == NetnsSyscalls.EINVAL) {
                err = NetnsSyscalls.mount(dir.toString(), dir.toString(), NetnsSyscalls.BIND_REC);
                if (err == 0) err = NetnsSyscalls.mount(null, dir.toString(), NetnsSyscalls.SHARED_REC);
            }
            if (err != 0) {
                throw new NetworkException("failed to make " + dir + " a shared mount: " + NetnsSyscalls.strerror(err));
            }
            dirReady = true;
        } catch (IOException e) {
            throw new NetworkException("failed to create " + dir + ": " + e.getMessage(), e);
        } finally {
            dirLock.unlock();
        }
    }

    /**
     * Runs {@code task} on a new platform thread and waits: the namespace switch must not touch
     * a thread that runs anything else, and a thread that could not switch back simply ends.
     */
    private static void onOwnThread(Runnable task) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().daemon().name("netns-create").start(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the namespace must be finished (or failed) before we return
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t != null) throw new NetworkException(t.getMessage(), t);
    }
}
