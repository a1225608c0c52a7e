package dev.peapod.node.status;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Optional;

/**
 * The pod phase from container statuses, after kubelet's {@code getPhase}
 * ({@code pkg/kubelet/kubelet_pods.go}, 1.36, ContainerRestartRules on by default) and
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-phase:
 * <ul>
 *   <li>an init container that failed and will not be restarted fails the pod;</li>
 *   <li>a pending init container — or, before any regular container has run, a sidecar not yet
 *       started — or a regular container waiting for its first start keeps it Pending;</li>
 *   <li>any running sidecar or regular container makes it Running (so a pod whose regular
 *       containers finished stays Running until its sidecars have been stopped);</li>
 *   <li>once everything has stopped: Running while some regular container will restart, else
 *       Succeeded if all regular containers exited 0, else Failed. Stopped sidecars never count
 *       (KEP-753: sidecars do not block completion; their SIGTERM exit code does not fail it).</li>
 * </ul>
 */
final class Phases {

    static final String PENDING = "Pending";
    static final String RUNNING = "Running";
    static final String SUCCEEDED = "Succeeded";
    static final String FAILED = "Failed";

    private Phases() {}

    private static final class Counts {
        int pendingInit, pendingSidecars, failedInitNotRestartable;
        int unknown, running, waiting, stopped, stoppedNotRestartable, succeeded;
    }

    /**
     * @param podIsTerminal     the pod is being deleted and all its containers have stopped: the
     *                          phase becomes terminal whatever the restart policy
     * @param podHasInitialized a regular container has been created in this sandbox
     */
    static String of(Pod pod, List<ContainerStatus> init, List<ContainerStatus> regular,
                     boolean podIsTerminal, boolean podHasInitialized) {
        var n = new Counts();
        for (Container c : Specs.initContainers(pod)) {
            var s = Specs.find(init, c.getName());
            if (Specs.isSidecar(c)) countSidecar(n, s);
            else countInit(pod, c, n, s);
        }
        for (Container c : Specs.containers(pod)) countRegular(pod, c, n, Specs.find(regular, c.getName()));

        if (n.failedInitNotRestartable > 0) return FAILED;
        if (n.pendingInit > 0 || (n.pendingSidecars > 0 && !podHasInitialized) || n.waiting > 0) return PENDING;
        if (n.running > 0 && n.unknown == 0) return RUNNING;
        if (n.running == 0 && n.stopped > 0 && n.unknown == 0) {
            if (podIsTerminal) return n.stopped == n.succeeded ? SUCCEEDED : FAILED;
            if (n.stopped != n.stoppedNotRestartable) return RUNNING; // some container is restarting
            return n.stopped == n.succeeded ? SUCCEEDED : FAILED;
        }
        return PENDING;
    }

    private static void countInit(Pod pod, Container c, Counts n, Optional<ContainerStatus> status) {
        if (status.isEmpty()) { n.pendingInit++; return; }
        var s = status.get();
        if (Specs.running(s)) {
            n.pendingInit++;
        } else if (Specs.terminated(s)) {
            int code = Specs.exitCode(s);
            if (code != 0 && !Specs.restartable(pod, c, code)) n.failedInitNotRestartable++;
        } else if (Specs.waiting(s)) {
            var last = Specs.lastExitCode(s);
            if (last.isEmpty()) n.pendingInit++;
            else if (last.get() != 0 && !Specs.restartable(pod, c, last.get())) n.failedInitNotRestartable++;
        } else {
            n.pendingInit++;
        }
    }

    private static void countSidecar(Counts n, Optional<ContainerStatus> status) {
        if (status.isEmpty()) { n.unknown++; return; }
        var s = status.get();
        if (Specs.running(s)) {
            if (!Specs.isTrue(s.getStarted())) n.pendingSidecars++;
            n.running++;
        } else if (Specs.terminated(s)) {
            return; // a stopped sidecar does not count toward the phase
        } else if (Specs.waiting(s)) {
            if (Specs.lastExitCode(s).isEmpty()) { n.pendingSidecars++; n.waiting++; }
        } else {
            n.pendingSidecars++;
            n.unknown++;
        }
    }

    private static void countRegular(Pod pod, Container c, Counts n, Optional<ContainerStatus> status) {
        if (status.isEmpty()) { n.unknown++; return; }
        var s = status.get();
        if (Specs.running(s)) {
            n.running++;
        } else if (Specs.terminated(s)) {
            int code = Specs.exitCode(s);
            n.stopped++;
            if (!Specs.restartable(pod, c, code)) n.stoppedNotRestartable++;
            if (code == 0) n.succeeded++;
        } else if (Specs.waiting(s)) {
            var last = Specs.lastExitCode(s);
            if (last.isEmpty()) { n.waiting++; return; }
            n.stopped++;
            if (!Specs.restartable(pod, c, last.get())) n.stoppedNotRestartable++;
        } else {
            n.unknown++;
        }
    }
}
