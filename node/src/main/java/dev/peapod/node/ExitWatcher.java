package dev.peapod.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns conmon's exit files into wake-ups. conmon writes {@code <exitDir>/<containerId>} when a
 * container's process exits; one inotify watch on that directory (Java's WatchService) completes
 * the future registered for the id and runs its callback, so a pod worker reacts within
 * milliseconds instead of waiting for its periodic resync (which still catches anything missed).
 *
 * <p>Contract: thread safe; {@link #watch} may be called before or after the file appears.
 */
final class ExitWatcher implements AutoCloseable {
    private record Entry(CompletableFuture<Void> exited, Runnable onExit) {}

    private final Path exitDir;
    private final WatchService watcher;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Thread thread;

    ExitWatcher(Path exitDir) {
        this.exitDir = exitDir;
        try {
            Files.createDirectories(exitDir);
            this.watcher = exitDir.getFileSystem().newWatchService();
            exitDir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to watch exit directory " + exitDir + ": " + e.getMessage(), e);
        }
        this.thread = Thread.ofVirtual().name("exit-watcher").start(this::loop);
    }

    /** Registers interest in a container's exit; the callback runs once (on the watcher's thread, or on the caller's when the container has already exited). */
    CompletableFuture<Void> watch(String containerId, Runnable onExit) {
        var entry = entries.computeIfAbsent(containerId, id -> new Entry(new CompletableFuture<>(), onExit));
        if (Files.exists(exitDir.resolve(containerId))) fire(containerId);
        return entry.exited();
    }

    /** Blocks until the container's exit file exists or the timeout passes; returns whether it exited. */
    boolean await(String containerId, Duration timeout) {
        var f = watch(containerId, () -> {});
        try {
            f.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return Files.exists(exitDir.resolve(containerId));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    void forget(String containerId) { entries.remove(containerId); }

    private void fire(String id) {
        Entry e = entries.get(id);
        if (e != null && e.exited().complete(null)) e.onExit().run();
    }

    private void loop() {
        try {
            while (true) {
                var key = watcher.poll(1, TimeUnit.SECONDS);
                if (key == null) {
                    // Level-triggered safety net: an overflowed or missed event is caught here.
                    for (String id : entries.keySet()) if (Files.exists(exitDir.resolve(id))) fire(id);
                    continue;
                }
                for (var event : key.pollEvents()) {
                    if (event.context() instanceof Path p) fire(p.getFileName().toString());
                    else for (String id : entries.keySet()) if (Files.exists(exitDir.resolve(id))) fire(id);
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        thread.interrupt();
    }
}
