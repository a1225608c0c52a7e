package dev.peapod.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's writer lock: a {@link ReentrantLock} per root for threads of this JVM (a JVM may
 * hold only one {@link FileLock} per file, OverlappingFileLockException otherwise) plus an
 * exclusive {@link FileChannel#lock()} on {@code root/lock} for other processes (a CLI next to a
 * daemon). On Linux that is an fcntl record lock, released by the kernel if the process dies, and
 * not seen by flock(1). Blocking; reentrant for the holding thread.
 */
final class StoreLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final ReentrantLock local;
    private FileChannel channel;
    private FileLock fileLock;

    StoreLock(Path root) {
        this.lockFile = root.resolve("lock");
        this.local = LOCAL.computeIfAbsent(root.toAbsolutePath().normalize(), k -> new ReentrantLock());
    }

    /** Holds the lock until the returned handle is closed. */
    Held acquire() {
        local.lock();
        if (local.getHoldCount() > 1) {
            return local::unlock;
        }
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            fileLock = channel.lock();
            return this::release;
        } catch (IOException | RuntimeException e) {
            closeChannel();
            local.unlock();
            throw new ImageException("failed to lock image store " + lockFile + ": " + e.getMessage(), e);
        }
    }

    private void release() {
        try {
            fileLock.release();
        } catch (IOException e) {
            // closing the channel below releases it as well
        } finally {
            closeChannel();
            local.unlock();
        }
    }

    private void closeChannel() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // nothing useful to do: the lock dies with the channel or the process
        } finally {
            channel = null;
            fileLock = null;
        }
    }

    /** An acquired lock. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
