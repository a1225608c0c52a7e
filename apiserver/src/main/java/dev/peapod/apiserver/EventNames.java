package dev.peapod.apiserver;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names of Event objects as client-go's recorder makes them: {@code <object>.<unix nanoseconds in hex>}
 * (tools/record/event.go, makeEvent). Lists come back in name order, so an object's events list in the
 * order they happened; {@code kubectl describe} sorts them by their (whole-second) lastTimestamp with a
 * stable sort for short lists, so events within one second keep that order too. Strictly increasing
 * within this process, so two events in the same nanosecond never clash.
 * Contract: thread safe.
 */
public final class EventNames {
    private static final EventNames SHARED = new EventNames();

    private final AtomicLong last = new AtomicLong();

    EventNames() {}

    /** The name of the next event about {@code objectName}, made at {@code now}; one sequence per process. */
    public static String next(String objectName, Instant now) { return SHARED.name(objectName, now); }

    String name(String objectName, Instant now) {
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long unique = last.accumulateAndGet(nanos, (previous, candidate) -> Math.max(previous + 1, candidate));
        return objectName + "." + Long.toHexString(unique);
    }
}
