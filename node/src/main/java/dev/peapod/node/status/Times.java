package dev.peapod.node.status;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * API timestamps. {@code metav1.Time} serialises as RFC 3339 in UTC with whole seconds, so
 * sub-second precision is dropped here too; a null instant (a container that never started) stays
 * null, as a zero {@code metav1.Time} serialises to null.
 */
public final class Times {

    private Times() {}

    public static String format(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }
}
