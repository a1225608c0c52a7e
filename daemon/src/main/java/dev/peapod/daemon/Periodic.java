package dev.peapod.daemon;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A task run every period on a virtual thread until closed (the daemon's housekeeping loops:
 * node heartbeat, garbage collector, event TTL). A failing run is logged and the next one comes as
 * planned. Closing waits for a run in progress; it never interrupts one (a store write).
 */
final class Periodic implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("peapod.daemon");
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread loop;

    private Periodic(String name, Duration period, Runnable task) {
        loop = Thread.ofVirtual().name(name).start(() -> {
            try {
                while (!closed.await(period.toMillis(), TimeUnit.MILLISECONDS)) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, name + " failed: " + e, e);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Runs {@code task} every {@code period}, the first time one period from now. */
    static Periodic every(Duration period, String name, Runnable task) { return new Periodic(name, period, task); }

    @Override
    public void close() {
        closed.countDown();
        try {
            loop.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
