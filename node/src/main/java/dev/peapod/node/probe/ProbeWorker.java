package dev.peapod.node.probe;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Probes one container for one {@link ProbeKind}, attempt after attempt (kubelet
 * {@code pkg/kubelet/prober/worker.go}). Each run schedules the next on the {@link ProbeScheduler},
 * so runs never overlap; the probe itself runs outside the lock.
 *
 * <pre>
 *            start(attempt, gated)                 release() (startup succeeded)
 *  idle ───────────────────────────▶ gated ─────────────────────────────────▶ probing ◀─┐
 *                       └──────(not gated)──────────────────────────────────────▲   │    │ every period
 *                                                                                │   └────┘
 *   probing ──(liveness: failureThreshold failures; startup: either threshold)──▶ held
 *   any ──stop()──▶ stopped;  any ──start(next attempt)──▶ gated / probing (counts reset)
 * </pre>
 * Timing: the first run is at {@code startedAt + initialDelaySeconds} (at once if that has passed),
 * then one run per {@code periodSeconds} after the previous one was due (a run that took longer than
 * a period is followed at once). Counting: a run's outcome extends the run of equal outcomes or starts
 * a new one; when the run reaches {@code successThreshold} or {@code failureThreshold} the state is
 * set (reported); errored runs are not counted. Unlike kubelet, the counts start afresh with each
 * attempt (kubelet carries them over, so a restarted container could become ready on its first
 * success despite {@code successThreshold}).
 *
 * <p>Thread safety: every method may be called from any thread; the {@link Reporter} is called
 * from the probe's thread, never under this worker's lock.
 */
final class ProbeWorker {

    /** One container attempt. {@code action} is null when the probe could not be built; {@code error} says why. */
    record Attempt(String container, String containerId, ProbeAction action, String error, Instant startedAt) {
        Attempt {
            Objects.requireNonNull(container, "container");
            Objects.requireNonNull(containerId, "containerId");
            Objects.requireNonNull(startedAt, "startedAt");
            if ((action == null) == (error == null)) throw new IllegalArgumentException("exactly one of action and error");
        }
    }

    /** Receives every run of the worker. */
    interface Reporter {
        /**
         * @param consecutive the length of the run of equal outcomes; 0 for an errored run
         * @param state       the new state when a threshold was reached (true: success), else null
         */
        void report(ProbeWorker worker, Attempt attempt, ProbeResult result, int consecutive, Boolean state);
    }

    private final ProbeKind kind;
    private final ProbeSettings settings;
    private final ProbeRunner runner;
    private final ProbeScheduler scheduler;
    private final InstantSource clock;
    private final Reporter reporter;
    private final ReentrantLock lock = new ReentrantLock();
    private Attempt attempt;
    private int generation;
    private boolean gated;
    private boolean held;
    private boolean stopped = true;
    private Boolean lastSuccess;
    private int run;
    private ProbeScheduler.Scheduled pending;
    private Instant nextAt;

    ProbeWorker(ProbeKind kind, ProbeSettings settings, ProbeRunner runner, ProbeScheduler scheduler,
                InstantSource clock, Reporter reporter) {
        this.kind = kind;
        this.settings = settings;
        this.runner = runner;
        this.scheduler = scheduler;
        this.clock = clock;
        this.reporter = reporter;
    }

    ProbeKind kind() { return kind; }

    ProbeSettings settings() { return settings; }

    /** Starts probing a new attempt; {@code gated}: wait for {@link #release} (the startup probe). */
    void start(Attempt next, boolean gated) {
        lock.lock();
        try {
            cancelPending();
            generation++;
            attempt = next;
            this.gated = gated;
            held = false;
            stopped = false;
            lastSuccess = null;
            run = 0;
            if (!gated) scheduleFirst();
        } finally {
            lock.unlock();
        }
    }

    /** The startup probe succeeded: a gated worker starts probing (kubelet probes readiness at once then). */
    void release() {
        lock.lock();
        try {
            if (!gated) return;
            gated = false;
            if (!stopped && !held) scheduleFirst();
        } finally {
            lock.unlock();
        }
    }

    /** No more runs; a run in flight is dropped. Idempotent; {@link #start} makes the worker probe again. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            generation++;
            cancelPending();
        } finally {
            lock.unlock();
        }
    }

    /** When the next run is due, or null if none is scheduled (for tests and diagnostics). */
    Instant nextAt() {
        lock.lock();
        try {
            return pending == null ? null : nextAt;
        } finally {
            lock.unlock();
        }
    }

    private void run(int gen, Instant due) {
        Attempt current;
        lock.lock();
        try {
            if (gen != generation || stopped || gated || held) return;
            pending = null;
            current = attempt;
        } finally {
            lock.unlock();
        }
        ProbeResult result = current.action() == null
                ? ProbeResult.error(current.error())
                : runner.run(current.action(), current.containerId(), settings.timeout());
        int consecutive;
        Boolean state;
        lock.lock();
        try {
            if (gen != generation) return; // stopped or restarted while probing
            consecutive = count(result);
            state = reached(result, consecutive);
        } finally {
            lock.unlock();
        }
        reporter.report(this, current, result, consecutive, state);
        lock.lock();
        try {
            if (gen != generation || stopped || gated || held) return;
            Instant next = due.plus(settings.period());
            Instant now = clock.instant();
            schedule(next.isBefore(now) ? now : next);
        } finally {
            lock.unlock();
        }
    }

    private int count(ProbeResult result) {
        if (!result.counted()) return 0;
        boolean success = result.success();
        if (lastSuccess != null && lastSuccess == success) {
            run++;
        } else {
            lastSuccess = success;
            run = 1;
        }
        return run;
    }

    /** The new state if a threshold is reached; holds the worker where kubelet stops probing. */
    private Boolean reached(ProbeResult result, int consecutive) {
        if (!result.counted()) return null;
        boolean success = result.success();
        int threshold = success ? settings.successThreshold() : settings.failureThreshold();
        if (consecutive < threshold) return null;
        // kubelet worker.go: a liveness failure kills the container, and a startup probe is done
        // once it decided either way (#117153): no more runs until the next attempt.
        if ((kind == ProbeKind.LIVENESS && !success) || kind == ProbeKind.STARTUP) {
            held = true;
            run = 0;
        }
        return success;
    }

    private void scheduleFirst() {
        Instant first = attempt.startedAt().plus(settings.initialDelay());
        Instant now = clock.instant();
        schedule(first.isBefore(now) ? now : first);
    }

    private void schedule(Instant at) {
        cancelPending();
        int gen = generation;
        nextAt = at;
        pending = scheduler.schedule(at, () -> run(gen, at));
    }

    private void cancelPending() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }
}
