package dev.peapod.node.plan;

/**
 * Answers the planner's question about a running native sidecar: has it <em>started</em>, so that
 * the next container may start? kubelet's {@code computeInitContainerActions}
 * ({@code pkg/kubelet/kuberuntime/kuberuntime_container.go}) lets the next init or regular
 * container go once a restartable init container is started: running, its postStart hook
 * returned and its startupProbe (if it has one) succeeded
 * (https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/).
 *
 * <p>The pod worker answers from its probe results. It runs postStart on its own thread before it
 * plans again, so a running container it reports has always had its postStart hook return; the
 * startup probe is what remains to wait for. A fake in tests.
 */
@FunctionalInterface
public interface StartupGate {
    /**
     * @param container the name of a running container
     * @return whether it counts as started (a container without a startupProbe does once running)
     */
    boolean started(String container);

    /** No container has a startup probe: running means started. */
    StartupGate RUNNING = c -> true;
}
