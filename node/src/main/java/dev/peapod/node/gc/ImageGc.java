package dev.peapod.node.gc;

import dev.peapod.image.Image;
import dev.peapod.image.Images;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives {@link ImageGcPlanner} against the store: on a period (kubelet's ImageGCPeriod, 5 minutes)
 * and soon after a pod is removed. Each pass marks the images in use as used now (kubelet sets
 * lastUsed for every image it detects in use), plans, and removes; a removal that frees less than
 * planned (shared layers) is what the next pass catches.
 *
 * <p>Contract: thread safe; {@link #requestRun} never blocks (requests coalesce in a capacity-1
 * queue); passes run one at a time on one virtual thread; {@link #close} stops it.
 */
public final class ImageGc implements AutoCloseable {
    public static final Duration PERIOD = Duration.ofMinutes(5);

    /** The image filesystem's size and free space. */
    public interface DiskStats {
        ImageGcPlanner.Disk read() throws IOException;

        /** statfs of the filesystem holding {@code path} (the nearest existing parent). */
        static DiskStats of(Path path) {
            return () -> {
                Path p = path.toAbsolutePath();
                while (p != null && !Files.exists(p)) p = p.getParent();
                FileStore store = Files.getFileStore(p == null ? Path.of("/") : p);
                return new ImageGcPlanner.Disk(store.getTotalSpace(), store.getUsableSpace());
            };
        }
    }

    /** What one pass did. */
    public record Result(ImageGcPlanner.Plan plan, List<String> removed, long freed) {}

    private final Images images;
    private final Path dataDir;
    private final DiskStats disk;
    private final ImageGcPlanner.Policy policy;
    private final InstantSource clock;
    private final Consumer<String> log;
    private final BlockingQueue<Boolean> requests = new ArrayBlockingQueue<>(1);
    private volatile Thread loop;
    private volatile boolean closed;

    /**
     * @param dataDir the data dir whose pods' images are in use ({@link ImagesInUse})
     * @param log     receives a line per removal and per failure
     */
    public ImageGc(Images images, Path dataDir, DiskStats disk, ImageGcPlanner.Policy policy, InstantSource clock,
                   Consumer<String> log) {
        this.images = images;
        this.dataDir = dataDir;
        this.disk = disk;
        this.policy = policy;
        this.clock = clock;
        this.log = log;
    }

    /** One pass now, on the caller's thread. */
    public Result run() throws IOException {
        Instant now = clock.instant();
        Set<String> inUse = ImagesInUse.of(dataDir);
        Map<String, Instant> lastUsed = images.lastUsed();
        List<ImageGcPlanner.Candidate> candidates = new ArrayList<>();
        for (Image i : images.list()) {
            boolean used = inUse.contains(i.id());
            if (used) images.markUsed(i.id(), now);
            candidates.add(new ImageGcPlanner.Candidate(i.id(), i.size(),
                    used ? now : lastUsed.getOrDefault(i.id(), Instant.EPOCH), used));
        }
        var plan = ImageGcPlanner.plan(candidates, disk.read(), policy, now);
        if (plan.toFree() == 0) return new Result(plan, List.of(), 0);
        long freed = plan.delete().isEmpty() ? 0 : images.removeImages(plan.delete());
        plan.delete().forEach(id -> log.accept("image garbage collection removed " + id));
        if (plan.insufficient()) {
            // kubelet's FreeDiskSpaceFailed event text
            log.accept("Failed to garbage collect required amount of images. Attempted to free " + plan.toFree()
                    + " bytes, but only found " + plan.planned() + " bytes eligible to free.");
        }
        return new Result(plan, plan.delete(), freed);
    }

    /** Runs a pass every {@code period} and on {@link #requestRun}, on a virtual thread. */
    public void start(Duration period) {
        loop = Thread.ofVirtual().name("image-gc").start(() -> {
            while (!closed) {
                try {
                    requests.poll(period.toMillis(), TimeUnit.MILLISECONDS);
                    if (closed) return;
                    run();
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    log.accept("image garbage collection failed: " + e.getMessage());
                }
            }
        });
    }

    /** Asks for a pass soon (after a pod was removed); never blocks. */
    public void requestRun() {
        requests.offer(Boolean.TRUE);
    }

    @Override
    public void close() {
        closed = true;
        requests.offer(Boolean.TRUE); // wakes the loop; a pass under way finishes first (no interrupt mid-removal)
        Thread t = loop;
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
