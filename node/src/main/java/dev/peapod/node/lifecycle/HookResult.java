package dev.peapod.node.lifecycle;

import java.util.Objects;
import java.util.Optional;

/**
 * How one run of a lifecycle hook ended.
 *
 * <ul>
 *   <li>{@link Succeeded}: the handler completed (an exec exited 0, an HTTP request got any
 *       response, a sleep ran out). It may carry a {@link Warning} to record as a pod event.</li>
 *   <li>{@link Failed}: the handler failed; {@code message} is kubelet's text ({@code Exec
 *       lifecycle hook ([...]) for Container "c" in Pod "p_ns(uid)" failed - error: ...}). Kubelet
 *       puts it in the log and, for postStart, in the container's waiting message; the event
 *       itself says only {@code PostStartHook failed} / {@code PreStopHook failed} so that
 *       secrets in the output do not leak ({@code kuberuntime_container.go}).</li>
 *   <li>{@link TimedOut}: the deadline passed first. For preStop this is kubelet's "PreStop hook
 *       not completed in grace period": logged, no event, and the stop signal follows at once.</li>
 * </ul>
 */
public sealed interface HookResult permits HookResult.Succeeded, HookResult.Failed, HookResult.TimedOut {

    /** A pod event the caller should record ({@code type} Warning), e.g. {@code LifecycleHTTPFallback}. */
    record Warning(String reason, String message) {
        public Warning {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    record Succeeded(Optional<Warning> warning) implements HookResult {
        public Succeeded {
            Objects.requireNonNull(warning, "warning");
        }
    }

    record Failed(String message) implements HookResult {
        public Failed {
            Objects.requireNonNull(message, "message");
        }
    }

    /** {@code message} says which hook did not finish and within what time, for the log. */
    record TimedOut(String message) implements HookResult {
        public TimedOut {
            Objects.requireNonNull(message, "message");
        }
    }

    static Succeeded succeeded() {
        return new Succeeded(Optional.empty());
    }
}
