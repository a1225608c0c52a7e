package dev.peapod.node.plan;

import java.time.Instant;
import java.util.Optional;

/**
 * Answers the planner's one question about crash-loop backoff: may this container restart now?
 * Backed by {@code dev.peapod.node.backoff.Backoff}; a fake in tests.
 */
@FunctionalInterface
public interface RestartGate {
    /**
     * @param container  container name
     * @param finishedAt when its latest attempt exited
     * @return empty if it may restart now, else the earliest restart time (CrashLoopBackOff)
     */
    Optional<Instant> blockedUntil(String container, Instant finishedAt);

    RestartGate OPEN = (c, t) -> Optional.empty();
}
