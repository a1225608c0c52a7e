package dev.peapod.node.status;

import dev.peapod.node.model.ObservedContainer;
import dev.peapod.node.model.RuntimeState;
import dev.peapod.node.model.Waiting;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ContainerUser;
import io.fabric8.kubernetes.api.model.ContainerUserBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Container statuses from observed attempts, after kubelet's {@code convertToAPIContainerStatuses}
 * ({@code pkg/kubelet/kubelet_pods.go}) followed by the prober's {@code UpdatePodStatus}
 * ({@code pkg/kubelet/prober/prober_manager.go}) for {@code started}/{@code ready}.
 *
 * <p>Never mutates its input: statuses taken over from the previous status are deep copies.
 */
final class ContainerStatuses {

    static final String POD_INITIALIZING = "PodInitializing";
    static final String CONTAINER_CREATING = "ContainerCreating";

    private ContainerStatuses() {}

    /**
     * Statuses for {@code specs}: init containers in spec order (kubelet
     * {@code SortStatusesOfInitContainers}), regular containers sorted by name (kubelet
     * {@code SortedContainerStatuses}), which is what the API shows.
     */
    static List<ContainerStatus> convert(StatusInput in, List<Container> specs, List<ContainerStatus> previous,
                                         boolean init) {
        Map<String, ContainerStatus> old = new HashMap<>();
        if (previous != null) previous.forEach(s -> old.put(s.getName(), s));
        List<ContainerStatus> out = new ArrayList<>();
        for (Container c : specs) out.add(one(in, c, old.get(c.getName()), init));
        if (!init) out.sort(Comparator.comparing(ContainerStatus::getName));
        return out;
    }

    private static ContainerStatus one(StatusInput in, Container c, ContainerStatus old, boolean init) {
        String name = c.getName();
        Optional<ObservedContainer> latest = in.observed().latest(name);
        ContainerStatus s;
        if (latest.isPresent()) {
            s = fromRuntime(in, latest.get(), in.observed().previous(name), old);
        } else {
            s = base(in, c, old);
            if (init && !Specs.isSidecar(c) && anyRegularObserved(in) && Specs.waiting(s)) {
                // The runtime lost a finished init container (e.g. garbage collected), but regular
                // containers exist, so it must have succeeded (kubelet does the same inference).
                s.setState(new ContainerStateBuilder().withNewTerminated().withExitCode(0).withReason("Completed")
                        .withMessage("Unable to get init container status from container runtime and pod has "
                                + "been initialized, treat it as exited normally")
                        .endTerminated().build());
                applyProbes(in, c, s, true);
                return s;
            }
            lostWhileRunning(in, s, old);
        }
        boolean initDone = init && latest.map(ObservedContainer::succeeded).orElse(false);
        if (!initDone && shouldBeRestarted(in, c, latest)) applyWaiting(in, s);
        applyProbes(in, c, s, init);
        return s;
    }

    /** The default for a container the runtime does not know: waiting, or what the previous status said. */
    private static ContainerStatus base(StatusInput in, Container c, ContainerStatus old) {
        String reason = Specs.initContainers(in.pod()).isEmpty() ? CONTAINER_CREATING : POD_INITIALIZING;
        if (old != null && Specs.terminated(old)) return new ContainerStatusBuilder(old).build();
        var b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withImageID("")
                .withRestartCount(0).withReady(false)
                .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason).endWaiting().build())
                .withLastState(new ContainerState());
        if (old != null) {
            b.withRestartCount(old.getRestartCount() == null ? 0 : old.getRestartCount());
            if (old.getLastState() != null) b.withLastState(new ContainerStateBuilder(old.getLastState()).build());
        }
        return b.build();
    }

    private static ContainerStatus fromRuntime(StatusInput in, ObservedContainer o, Optional<ObservedContainer> prev,
                                               ContainerStatus old) {
        String cid = containerId(in, o);
        var s = new ContainerStatusBuilder().withName(o.name()).withImage(o.image())
                .withImageID(o.imageId() == null ? "" : o.imageId()).withContainerID(cid)
                .withRestartCount(o.attempt()).withReady(false).withState(state(cid, o.state()))
                .withLastState(new ContainerState()).withUser(user(o.user())).build();
        if (old != null) {
            // Keep history the runtime no longer has (kubelet 1.36, RestartAllContainersOnContainerExits):
            // the restart count never goes down and the last termination survives garbage collection.
            if (old.getRestartCount() != null && old.getRestartCount() > o.attempt()) {
                s.setRestartCount(old.getRestartCount());
            }
            if (!Objects.equals(old.getContainerID(), cid) && Specs.terminated(old)) {
                s.setLastState(terminatedState(old.getState().getTerminated()));
            } else if (old.getLastState() != null && old.getLastState().getTerminated() != null
                    && !Objects.equals(old.getLastState().getTerminated().getContainerID(), cid)) {
                s.setLastState(terminatedState(old.getLastState().getTerminated()));
            }
        }
        prev.ifPresent(p -> s.setLastState(state(containerId(in, p), p.state())));
        return s;
    }

    /**
     * {@code user.linux}: kubelet's {@code convertContainerStatusUser} (pkg/kubelet/kubelet_pods.go,
     * SupplementalGroupsPolicy, KEP-3619; on by default since 1.33) copies the runtime's
     * {@code ContainerStatus.user} into the status of the latest attempt of every container the
     * runtime knows, whatever its state (created, running or exited; also when a waiting reason such
     * as CrashLoopBackOff replaces the state afterwards), and never into the default status of a
     * container the runtime does not know. containerd and CRI-O report it from the created
     * container's OCI {@code process.user} (uid, gid, additionalGids as supplementalGroups), which
     * is what the attempt carries. https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
     * ("Implementation details" of supplementalGroupsPolicy).
     */
    private static ContainerUser user(dev.peapod.node.model.ContainerUser u) {
        if (u == null) return null;
        return new ContainerUserBuilder().withNewLinux().withUid(u.uid()).withGid(u.gid())
                .withSupplementalGroups(new ArrayList<>(u.supplementalGroups())).endLinux().build();
    }

    private static ContainerState state(String cid, RuntimeState state) {
        return switch (state) {
            case RuntimeState.Running r -> new ContainerStateBuilder().withNewRunning()
                    .withStartedAt(Times.format(r.startedAt())).endRunning().build();
            // Created but not started is "waiting to be running", without a reason (kubelet).
            case RuntimeState.Created _ -> new ContainerStateBuilder().withNewWaiting().endWaiting().build();
            case RuntimeState.Exited e -> new ContainerStateBuilder().withNewTerminated()
                    .withExitCode(e.exitCode()).withReason(e.reason()).withMessage(e.message())
                    .withStartedAt(Times.format(e.startedAt())).withFinishedAt(Times.format(e.finishedAt()))
                    .withContainerID(cid).endTerminated().build();
        };
    }

    private static ContainerState terminatedState(ContainerStateTerminated t) {
        return new ContainerStateBuilder().withTerminated(new ContainerStateTerminatedBuilder(t).build()).build();
    }

    /**
     * A container that was running last time and has vanished from the runtime ran and ended in
     * an unknown way; saying so keeps the pod from falling back to Pending (kubelet
     * {@code ContainerStatusUnknown}, exit code 137).
     */
    private static void lostWhileRunning(StatusInput in, ContainerStatus s, ContainerStatus old) {
        if (old == null || !Specs.running(old) || !Specs.waiting(s)) return;
        String reason = s.getState().getWaiting().getReason();
        if (!CONTAINER_CREATING.equals(reason) && !POD_INITIALIZING.equals(reason)) return;
        if (s.getLastState() != null && s.getLastState().getTerminated() != null) return;
        s.setLastState(new ContainerStateBuilder().withNewTerminated().withExitCode(137)
                .withReason("ContainerStatusUnknown")
                .withMessage("The container could not be located when the pod was deleted.  "
                        + "The container used to be Running")
                .endTerminated().build());
        if (!in.terminating()) s.setRestartCount(s.getRestartCount() + 1);
    }

    /** kubelet {@code ShouldContainerBeRestarted}: only such a container shows a waiting reason. */
    private static boolean shouldBeRestarted(StatusInput in, Container c, Optional<ObservedContainer> latest) {
        if (in.terminating()) return false;
        if (latest.isEmpty()) return true;
        return switch (latest.get().state()) {
            case RuntimeState.Running _ -> false;
            case RuntimeState.Created _ -> true;
            case RuntimeState.Exited e -> Specs.restartable(in.pod(), c, e.exitCode());
        };
    }

    /** The reason a container is not running replaces its state; a termination moves to lastState. */
    private static void applyWaiting(StatusInput in, ContainerStatus s) {
        Waiting w = in.waiting().get(s.getName());
        if (w == null) return;
        if (Specs.terminated(s)) s.setLastState(s.getState());
        s.setState(new ContainerStateBuilder().withNewWaiting().withReason(w.reason()).withMessage(w.message())
                .endWaiting().build());
    }

    /**
     * {@code started}: running and past its startup probe. {@code ready}: an init container that
     * exited 0; any other container that is started and passes its readiness probe.
     */
    private static void applyProbes(StatusInput in, Container c, ContainerStatus s, boolean init) {
        boolean started = Specs.running(s) && in.probes().startedIfRunning(c.getName());
        s.setStarted(started);
        if (init && !Specs.isSidecar(c)) {
            s.setReady(Specs.terminated(s) && Specs.exitCode(s) == 0);
        } else {
            s.setReady(started && in.probes().readyIfStarted(c.getName()));
        }
    }

    static boolean anyRegularObserved(StatusInput in) {
        return Specs.containers(in.pod()).stream().anyMatch(c -> in.observed().latest(c.getName()).isPresent());
    }

    private static String containerId(StatusInput in, ObservedContainer o) {
        return o.id() == null ? null : in.runtimeName() + "://" + o.id();
    }
}
