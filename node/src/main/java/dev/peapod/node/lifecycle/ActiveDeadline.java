package dev.peapod.node.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code spec.activeDeadlineSeconds}: how long a pod may be active on the node, counted from
 * {@code status.startTime}; past it the kubelet fails the pod (phase Failed, reason
 * {@value #REASON}), records a Normal event with the same reason and message, and kills its
 * containers. Kubelet's {@code pkg/kubelet/active_deadline.go}: no deadline or no start time means
 * never exceeded; exceeded when {@code now - startTime >= activeDeadlineSeconds}.
 *
 * <p>Pure; thread safe.
 */
public final class ActiveDeadline {
    public static final String REASON = "DeadlineExceeded";
    public static final String MESSAGE = "Pod was active on the node longer than the specified deadline";

    private ActiveDeadline() {}

    /**
     * @param exceeded whether the pod is past its deadline now
     * @param deadline when it is (or was) past; empty if it has none. A pod worker not yet past it
     *                 should wake up then (kubelet's {@code ShouldSync}).
     */
    public record Check(boolean exceeded, Optional<Instant> deadline) {
        public String reason() { return REASON; }

        public String message() { return MESSAGE; }
    }

    /**
     * @param activeDeadlineSeconds {@code spec.activeDeadlineSeconds}, null if unset
     * @param startTime             {@code status.startTime}, null if the pod has not started
     */
    public static Check check(Long activeDeadlineSeconds, Instant startTime, Instant now) {
        if (activeDeadlineSeconds == null || startTime == null) return new Check(false, Optional.empty());
        Instant deadline = startTime.plus(Duration.ofSeconds(activeDeadlineSeconds));
        return new Check(!now.isBefore(deadline), Optional.of(deadline));
    }

    /** The same, with {@code status.startTime} as the API writes it (RFC 3339); null or blank if unset. */
    public static Check check(Long activeDeadlineSeconds, String startTime, Instant now) {
        Instant start = startTime == null || startTime.isBlank() ? null : Instant.parse(startTime);
        return check(activeDeadlineSeconds, start, now);
    }
}
