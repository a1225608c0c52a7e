package dev.peapod.node.probe;

import java.time.Instant;

/**
 * Runs a task at a given time: how {@link ProbeWorker}s wait for their next probe. Workers compute
 * <em>when</em> (from an injected clock); the scheduler only waits. The real one is
 * {@link VirtualThreadScheduler}; tests run due tasks by hand against a fake clock, so that probe
 * timing is tested without sleeps.
 *
 * <p>Contract: thread safe; {@link #schedule} never blocks and never runs the task on the calling
 * thread; a task runs at most once, at or after {@code at} by the scheduler's clock, unless it was
 * cancelled before it started. Tasks may block (a probe takes up to its timeout).
 */
public interface ProbeScheduler {

    Scheduled schedule(Instant at, Runnable task);

    /** A pending task. */
    interface Scheduled {
        /** Stops the task from starting; no effect once it has started. Idempotent. */
        void cancel();
    }
}
