package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Receives what the engine reports. Contract: called from pod worker threads, possibly
 * concurrently for different pods, in order for one pod; implementations must not block for long.
 */
public interface PodListener {
    /** An event (Created, Started, Killing, BackOff...). */
    default void event(PodEvent event) {}

    /** The pod's status changed; {@code pod} is a snapshot with the new status. */
    default void statusChanged(Pod pod) {}

    /** A container attempt started writing its CRI-format log file at {@code logPath}. */
    default void logStarted(Pod pod, String container, int attempt, java.nio.file.Path logPath) {}

    /** The pod is gone: everything is removed. {@code pod} carries the final status. */
    default void removed(Pod pod) {}

    PodListener NONE = new PodListener() {};
}
