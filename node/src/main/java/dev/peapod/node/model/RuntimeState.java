package dev.peapod.node.model;

import java.time.Instant;

/**
 * What the runtime reports for one attempt of a container. Derived from facts (the runtime's
 * state and conmon's exit file), never stored twice.
 *
 * <pre>
 *   Created ──start──▶ Running ──process exits / killed──▶ Exited
 *      └──────────────────── start failed ───────────────────┘
 * </pre>
 */
public sealed interface RuntimeState {

    /** Created by the runtime, process not started yet. */
    record Created(Instant createdAt) implements RuntimeState {}

    /** The process runs. */
    record Running(Instant startedAt) implements RuntimeState {}

    /**
     * The process ended (or never started: then {@code startedAt} is null).
     *
     * @param reason Kubernetes' terminated reason: {@code Completed} (exit 0), {@code Error},
     *               {@code OOMKilled}, {@code ContainerCannotRun}, {@code StartError}
     * @param message e.g. the runtime's stderr for a start failure; may be null
     */
    record Exited(int exitCode, Instant startedAt, Instant finishedAt, String reason, String message)
            implements RuntimeState {}
}
