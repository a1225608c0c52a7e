package dev.peapod.node.probe;

import io.fabric8.kubernetes.api.model.Probe;

import java.time.Duration;
import java.util.Optional;

/**
 * A probe's timing and thresholds, with the Kubernetes defaults for what the spec leaves out or
 * sets below the minimum (https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes):
 * initialDelaySeconds 0, periodSeconds 10 (min 1), timeoutSeconds 1 (min 1), successThreshold 1
 * (min 1; must be 1 for liveness and startup, which validation enforces), failureThreshold 3 (min 1).
 *
 * @param terminationGracePeriod probe-level {@code terminationGracePeriodSeconds} (KEP-2238, GA
 *                               1.28): replaces the pod's grace period when this probe's failure
 *                               kills the container; empty if not set
 */
public record ProbeSettings(Duration initialDelay, Duration period, Duration timeout, int successThreshold,
                            int failureThreshold, Optional<Duration> terminationGracePeriod) {

    public static final ProbeSettings DEFAULTS =
            new ProbeSettings(Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(1), 1, 3, Optional.empty());

    public static ProbeSettings of(Probe probe) {
        Long grace = probe.getTerminationGracePeriodSeconds();
        return new ProbeSettings(
                Duration.ofSeconds(atLeast(probe.getInitialDelaySeconds(), 0, 0)),
                Duration.ofSeconds(atLeast(probe.getPeriodSeconds(), 1, 10)),
                Duration.ofSeconds(atLeast(probe.getTimeoutSeconds(), 1, 1)),
                atLeast(probe.getSuccessThreshold(), 1, 1),
                atLeast(probe.getFailureThreshold(), 1, 3),
                grace == null ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.max(0, grace))));
    }

    private static int atLeast(Integer value, int min, int fallback) {
        if (value == null || value < min) return fallback;
        return value;
    }
}
