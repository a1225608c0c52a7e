package dev.peapod.node.status;

import java.util.HashMap;
import java.util.Map;

/**
 * The latest startup and readiness probe results per container name, as the prober reports
 * them. A name that is absent has no such probe: kubelet then treats a running container as
 * started and a started container as ready ({@code pkg/kubelet/prober/prober_manager.go
 * UpdatePodStatus}). A container that has a probe without a result yet must be present with
 * {@code false}: kubelet reports it unstarted / unready until the first success.
 */
public record ProbeResults(Map<String, Boolean> started, Map<String, Boolean> ready) {

    /** No container has a startup or readiness probe. */
    public static final ProbeResults NONE = new ProbeResults(Map.of(), Map.of());

    public ProbeResults {
        started = Map.copyOf(started);
        ready = Map.copyOf(ready);
    }

    /** Whether a running container counts as started. */
    public boolean startedIfRunning(String container) {
        return started.getOrDefault(container, true);
    }

    /** Whether a started, running container counts as ready. */
    public boolean readyIfStarted(String container) {
        return ready.getOrDefault(container, true);
    }

    public ProbeResults withStarted(String container, boolean result) {
        var copy = new HashMap<>(started);
        copy.put(container, result);
        return new ProbeResults(copy, ready);
    }

    public ProbeResults withReady(String container, boolean result) {
        var copy = new HashMap<>(ready);
        copy.put(container, result);
        return new ProbeResults(started, copy);
    }
}
