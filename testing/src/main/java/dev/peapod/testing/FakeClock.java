package dev.peapod.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test moves it, so that time-based behaviour (backoff, probe
 * periods, grace periods) is tested without sleeps.
 *
 * <p>Thread safe: reads and moves are atomic; a reader on another thread sees either the time
 * before or after a move, never a torn value. The clock never moves by itself.
 */
public final class FakeClock implements InstantSource {

    /** An arbitrary, fixed start so that test output is reproducible. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;

    /** A clock at {@link #DEFAULT_START}. */
    public FakeClock() {
        this(DEFAULT_START);
    }

    public FakeClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** Sets the time; moving backwards is allowed (to test clock steps), use with care. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    /**
     * Moves the clock forward by {@code step} and returns the new time.
     *
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public Instant advance(Duration step) {
        Objects.requireNonNull(step, "step");
        if (step.isNegative()) {
            throw new IllegalArgumentException("failed to advance clock: negative step " + step);
        }
        return now.updateAndGet(t -> t.plus(step));
    }

    @Override
    public String toString() {
        return "FakeClock[" + now.get() + "]";
    }
}
