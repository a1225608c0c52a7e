package dev.peapod.node.probe;

import java.time.Duration;

/**
 * Runs one probe action once: the seam between {@link ProbeWorker}s and the probers. The real one is
 * {@link Probers}; tests script outcomes.
 *
 * <p>Contract: blocks for at most about {@code timeout}; thread safe (workers of many containers
 * call it at once); never throws — trouble is a {@link ProbeResult} (FAILURE, or ERROR when the
 * probe could not be run at all).
 */
@FunctionalInterface
public interface ProbeRunner {

    /** @param containerId the runtime's id of the container attempt (exec probes run in it) */
    ProbeResult run(ProbeAction action, String containerId, Duration timeout);
}
