package dev.peapod.node.probe;

import dev.peapod.testing.FakeClock;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link ProbeScheduler} that runs nothing by itself: {@link #runUntil} moves the fake clock to
 * each due task in time order (ties in scheduling order) and runs it on the test's thread. Probe
 * timing is then deterministic and needs no sleeps.
 */
final class FakeScheduler implements ProbeScheduler {
    private final FakeClock clock;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long sequence;

    private static final class Task implements Comparable<Task>, Scheduled {
        final Instant at;
        final long seq;
        final Runnable body;
        boolean cancelled;

        Task(Instant at, long seq, Runnable body) {
            this.at = at;
            this.seq = seq;
            this.body = body;
        }

        @Override
        public int compareTo(Task o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    FakeScheduler(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public Scheduled schedule(Instant at, Runnable task) {
        var t = new Task(at, sequence++, task);
        queue.add(t);
        return t;
    }

    /** Runs every task due until {@code until} (tasks scheduled meanwhile included), then sets the clock there. */
    void runUntil(Instant until) {
        while (!queue.isEmpty() && !queue.peek().at.isAfter(until)) {
            Task t = queue.poll();
            if (t.cancelled) continue;
            if (t.at.isAfter(clock.instant())) clock.set(t.at);
            t.body.run();
        }
        if (until.isAfter(clock.instant())) clock.set(until);
    }

    void advance(Duration d) {
        runUntil(clock.instant().plus(d));
    }

    /** Tasks still waiting (not cancelled). */
    long pending() {
        return queue.stream().filter(t -> !t.cancelled).count();
    }
}
