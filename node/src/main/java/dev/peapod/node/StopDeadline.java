package dev.peapod.node;

import java.time.Duration;

/**
 * When a stopping pod's containers get SIGKILL. A later request with a shorter grace period moves it
 * earlier, never later: kubelet's pod worker cancels a termination in flight when the grace period
 * is shortened (pkg/kubelet/pod_workers.go, {@code calculateEffectiveGracePeriod}; e.g. {@code kubectl
 * delete --force --grace-period=0} on a pod already terminating with its 30 s).
 * Contract: thread safe; measured on the monotonic clock.
 */
final class StopDeadline {
    private long deadlineNanos;

    private StopDeadline(long deadlineNanos) { this.deadlineNanos = deadlineNanos; }

    static StopDeadline after(Duration grace) {
        return new StopDeadline(System.nanoTime() + grace.toNanos());
    }

    /** Moves the deadline to {@code grace} from now if that is earlier. */
    synchronized void shorten(Duration grace) {
        long candidate = System.nanoTime() + grace.toNanos();
        if (candidate - deadlineNanos < 0) deadlineNanos = candidate;
    }

    /** The time left, zero once it has passed. */
    synchronized Duration remaining() {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }
}
