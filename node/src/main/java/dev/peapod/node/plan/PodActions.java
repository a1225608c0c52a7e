package dev.peapod.node.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What to do next for one pod: the output of {@link PodPlanner#compute}. Mirrors kubelet's
 * {@code podActions} ({@code kuberuntime_manager.go}): the executor carries it out step by step.
 *
 * @param killPod          stop every container (and the sandbox) — the pod is terminating or its
 *                         sandbox died and must be recreated
 * @param createSandbox    create a new sandbox (after {@code killPod} if both are set)
 * @param start            containers to start now, in order (at most one non-sidecar init container)
 * @param kill             running containers to stop now, name to reason, in stop order
 * @param backingOff       containers that should restart but are in CrashLoopBackOff, name to
 *                         the earliest restart time
 * @param done             nothing will ever run again in this pod (Succeeded or Failed): the
 *                         worker may tear the sandbox down
 */
public record PodActions(boolean killPod, boolean createSandbox, List<String> start,
                         Map<String, String> kill, Map<String, Instant> backingOff, boolean done) {

    public PodActions {
        start = List.copyOf(start);
        kill = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kill));
        backingOff = Map.copyOf(backingOff);
    }

    public boolean idle() {
        return !killPod && !createSandbox && start.isEmpty() && kill.isEmpty();
    }

    /** The earliest moment a backing-off container may restart, if any: the worker's next wake-up. */
    public java.util.Optional<Instant> nextWakeUp() {
        return backingOff.values().stream().min(Instant::compareTo);
    }
}
