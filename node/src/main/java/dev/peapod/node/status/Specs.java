package dev.peapod.node.status;

import dev.peapod.node.plan.RestartRules;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Optional;

/** Small readings of the pod spec and of container statuses shared by the status computation. */
final class Specs {

    private Specs() {}

    static List<Container> initContainers(Pod pod) {
        var l = pod.getSpec().getInitContainers();
        return l == null ? List.of() : l;
    }

    static List<Container> containers(Pod pod) {
        var l = pod.getSpec().getContainers();
        return l == null ? List.of() : l;
    }

    /** A native sidecar: an init container with {@code restartPolicy: Always} (KEP-753). */
    static boolean isSidecar(Container c) {
        return "Always".equals(c.getRestartPolicy());
    }

    /**
     * Whether a container that exited with {@code exitCode} will be restarted: its own
     * restartPolicyRules and restartPolicy, then the pod's (kubelet {@code podutil.ContainerShouldRestart},
     * the planner's rule too). Sidecars always restart.
     */
    static boolean restartable(Pod pod, Container c, int exitCode) {
        return isSidecar(c) || RestartRules.shouldRestart(pod, c, exitCode);
    }

    static Optional<ContainerStatus> find(List<ContainerStatus> statuses, String name) {
        return statuses.stream().filter(s -> name.equals(s.getName())).findFirst();
    }

    static boolean running(ContainerStatus s) {
        return s.getState() != null && s.getState().getRunning() != null;
    }

    static boolean terminated(ContainerStatus s) {
        return s.getState() != null && s.getState().getTerminated() != null;
    }

    static boolean waiting(ContainerStatus s) {
        return s.getState() != null && s.getState().getWaiting() != null;
    }

    /** The exit code of the last termination, if {@code lastState} holds one. */
    static Optional<Integer> lastExitCode(ContainerStatus s) {
        ContainerState last = s.getLastState();
        if (last == null || last.getTerminated() == null) return Optional.empty();
        Integer code = last.getTerminated().getExitCode();
        return Optional.of(code == null ? 0 : code);
    }

    static int exitCode(ContainerStatus s) {
        Integer code = s.getState().getTerminated().getExitCode();
        return code == null ? 0 : code;
    }

    static boolean isTrue(Boolean b) {
        return Boolean.TRUE.equals(b);
    }
}
