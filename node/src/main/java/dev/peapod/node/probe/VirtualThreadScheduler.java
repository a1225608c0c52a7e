package dev.peapod.node.probe;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real {@link ProbeScheduler}: every task gets a virtual thread that sleeps until the task is
 * due and then runs it. Virtual threads cost about a microsecond to start and nothing while they
 * sleep, so a probe every second per container is cheap; a worker's runs form a chain (each run
 * schedules the next), so one worker never has two probes in flight.
 *
 * <p>Contract: as {@link ProbeScheduler}. Cancelling wakes the sleeping thread, which then exits.
 */
public final class VirtualThreadScheduler implements ProbeScheduler {
    private static final int WAITING = 0, RUNNING = 1, CANCELLED = 2;
    private final InstantSource clock;

    public VirtualThreadScheduler(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Scheduled schedule(Instant at, Runnable task) {
        var state = new AtomicInteger(WAITING);
        Thread thread = Thread.ofVirtual().name("probe").unstarted(() -> {
            try {
                Duration wait = Duration.between(clock.instant(), at);
                if (wait.isPositive()) Thread.sleep(wait);
            } catch (InterruptedException e) {
                return; // cancelled
            }
            if (state.compareAndSet(WAITING, RUNNING)) task.run();
        });
        thread.start();
        return () -> {
            // Only a sleeping thread is interrupted: a running probe finishes (its result is dropped by the worker).
            if (state.compareAndSet(WAITING, CANCELLED)) thread.interrupt();
        };
    }
}
