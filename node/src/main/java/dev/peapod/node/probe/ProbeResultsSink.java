package dev.peapod.node.probe;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a {@link ProbeManager} reports; the pod worker implements it (events, status, kills).
 *
 * <p>Contract: called from probe threads (virtual threads), for different containers and probe
 * kinds at once; calls for one container's one probe kind come in order. Implementations must be
 * thread safe and must not block for long — to kill a container, signal the pod worker. A result
 * that arrives after its attempt was stopped or replaced is dropped, but a call already under way
 * when {@link ProbeManager#containerStopped} runs may still complete: compare
 * {@link ProbeTarget#containerId()} with the attempt you know before acting on it.
 */
public interface ProbeResultsSink {

    /**
     * Every probe run, counted or not. {@link ProbeEvents#forResult} turns it into kubelet's event
     * ({@code Unhealthy} for a failure or error, {@code ProbeWarning} for a warning).
     *
     * @param consecutive how many runs in a row (this one included) had this run's success or
     *                    failure; 0 for an errored run, which is not counted
     */
    default void onResult(ProbeTarget target, ProbeKind kind, ProbeResult result, int consecutive) {}

    /**
     * The container's started (STARTUP) or ready (READINESS) state changed: publish the pod status
     * again, reading {@link ProbeManager#results()}.
     */
    default void onChanged(ProbeTarget target, ProbeKind kind, boolean state) {}

    /**
     * A liveness or startup probe failed {@code failureThreshold} times in a row: kill the container
     * (event {@code Killing}, {@link ProbeEvents#killMessage}) and let the restart policy decide. The
     * probe stays quiet until the next attempt. Called once per attempt.
     *
     * @param gracePeriod the probe-level {@code terminationGracePeriodSeconds}, which replaces the
     *                    pod's for this kill; empty to use the pod's
     */
    default void onFailedPastThreshold(ProbeTarget target, ProbeKind kind, ProbeResult last, Optional<Duration> gracePeriod) {}
}
