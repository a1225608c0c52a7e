package dev.peapod.node.plan;

import dev.peapod.node.model.ObservedContainer;
import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.RuntimeState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pure "what to do next" for one pod, the analogue of kubelet's {@code computePodActions}
 * ({@code pkg/kubelet/kuberuntime/kuberuntime_manager.go}) and its init-container helper
 * ({@code kuberuntime_container.go computeInitContainerActions}). It reads the pod spec and what
 * the runtime observed and returns a {@link PodActions}; it performs nothing.
 *
 * <p>Ordering rules (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/ and
 * .../sidecar-containers/):
 * <ul>
 *   <li>init containers run one at a time, in order; each must exit 0 before the next starts;</li>
 *   <li>a native sidecar (init container with {@code restartPolicy: Always}) holds back the next
 *       container until it has started ({@link StartupGate}: postStart returned, startupProbe
 *       passed), then keeps running and is restarted whatever the pod's restartPolicy;</li>
 *   <li>regular containers start together once initialisation is complete;</li>
 *   <li>with restartPolicy Never/OnFailure, once every regular container has finished for good the
 *       sidecars are stopped (last declared first) and the pod completes.</li>
 * </ul>
 *
 * <p>Attempts that had exited before the current sandbox was created ran in a sandbox that died:
 * like kubelet, which purges init containers when it recreates a sandbox
 * ({@code SyncPod → purgeInitContainers}), the init/sidecar progress of the new sandbox ignores
 * them; regular containers' old exits still decide restarts (restartPolicy applies across sandboxes).
 */
public final class PodPlanner {

    private PodPlanner() {}

    /**
     * @param gate        crash-loop backoff: may a container restart now
     * @param started     whether a running container has started (startup probe passed)
     * @param terminating the pod is being deleted
     */
    public static PodActions compute(Pod pod, ObservedPod observed, RestartGate gate, StartupGate started,
                                     boolean terminating) {
        var plan = new Builder();
        if (terminating) {
            plan.killPod = observed.sandbox().isPresent() || !observed.containers().isEmpty();
            plan.done = true;
            return plan.build();
        }
        if (!observed.sandboxReady()) {
            planNewSandbox(pod, observed, gate, plan);
            return plan.build();
        }
        planInit(pod, currentSandbox(observed), gate, started, plan);
        if (plan.failed) {
            // kubelet drops every start (sidecar restarts included) and kills the pod: it is Failed.
            plan.start.clear();
            plan.backingOff.clear();
            stopAll(pod, observed, plan, "init container failed and restartPolicy is Never");
            plan.done = noneRunning(observed);
            return plan.build();
        }
        if (plan.initComplete) {
            planRegular(pod, observed, gate, plan);
        }
        return plan.build();
    }

    /**
     * While a terminating pod's regular containers drain (they got the stop signal, the sidecars
     * wait for their turn), a sidecar that exits is restarted, within the crash-loop backoff, so
     * that the draining containers keep their proxy or log shipper to the end. kubelet only has this
     * as alpha (KEP-4438); Peapod does it always. Once no regular container runs any more, nothing
     * restarts: the sidecars are stopped in their turn, last declared first.
     *
     * @return the sidecars to start now ({@code start}) or later ({@code backingOff}); nothing else
     */
    public static PodActions restartsWhileDraining(Pod pod, ObservedPod observed, RestartGate gate) {
        var plan = new Builder();
        boolean draining = pod.getSpec().getContainers().stream().anyMatch(c -> notExited(observed, c));
        if (!draining || !observed.sandboxReady()) return plan.build();
        for (Container c : pod.getSpec().getInitContainers()) {
            if (!isSidecar(c)) continue;
            var latest = observed.latest(c.getName());
            if (latest.isPresent() && latest.get().state() instanceof RuntimeState.Exited e) restart(c.getName(), e, gate, plan);
        }
        return plan.build();
    }

    /**
     * The sandbox is gone or dead (kubelet {@code PodSandboxChanged}): everything in it is killed and,
     * unless the pod must not run again, a new sandbox starts from the first init container.
     */
    private static void planNewSandbox(Pod pod, ObservedPod observed, RestartGate gate, Builder plan) {
        boolean ranBefore = !observed.containers().isEmpty();
        boolean anyRunning = !noneRunning(observed);
        // kubelet: with restartPolicy Never a pod whose containers already ran never gets a second
        // sandbox; otherwise no sandbox is made for a pod that has nothing left to run. A regular
        // container that may restart by its own policy or rules keeps a Never pod going, so it
        // gets its sandbox back too (or the pod would end while its status says it restarts).
        if (ranBefore && (!anyRestartable(pod) || podFinished(pod, observed))) {
            plan.killPod = observed.sandbox().isPresent() || anyRunning;
            plan.done = true;
            return;
        }
        // "Pod sandbox changed, it will be killed and re-created": init containers run again.
        plan.killPod = ranBefore || observed.sandbox().isPresent();
        plan.createSandbox = true;
        List<Container> inits = pod.getSpec().getInitContainers();
        if (!inits.isEmpty()) {
            plan.start.add(inits.getFirst().getName());
            return;
        }
        // Without init containers kubelet starts the regular containers at once, except those that
        // finished for good (succeeded under OnFailure, or their own policy or rules say so); the
        // crash-loop backoff of their last exit still applies.
        for (Container c : pod.getSpec().getContainers()) {
            var latest = observed.latest(c.getName());
            if (latest.isPresent() && latest.get().state() instanceof RuntimeState.Exited e) {
                if (RestartRules.shouldRestart(pod, c, e.exitCode())) restart(c.getName(), e, gate, plan);
            } else {
                plan.start.add(c.getName());
            }
        }
    }

    /**
     * Init and sidecar containers, in declaration order. Once a regular container has run in this
     * sandbox the pod is initialised: plain init containers are done with and only sidecars are kept
     * running (kubelet: "after initialization, only restartable init containers need to be kept running").
     */
    private static void planInit(Pod pod, ObservedPod observed, RestartGate gate, StartupGate started, Builder plan) {
        List<Container> inits = pod.getSpec().getInitContainers();
        boolean initialized = anyStarted(observed, pod.getSpec().getContainers());
        for (int i = 0; i < inits.size(); i++) {
            Container c = inits.get(i);
            Optional<ObservedContainer> latest = observed.latest(c.getName());
            if (isSidecar(c)) {
                // A sidecar that let later containers start has done its part for ordering: a crash
                // now restarts it without holding anything back again.
                boolean letOthersGo = initialized || anyStarted(observed, inits.subList(i + 1, inits.size()));
                if (!planSidecar(c.getName(), latest, gate, started, plan) && !letOthersGo) return;
                continue;
            }
            if (initialized) continue;
            if (latest.isEmpty()) { plan.start.add(c.getName()); return; }
            if (!(latest.get().state() instanceof RuntimeState.Exited e)) return; // still running: wait for it
            if (e.exitCode() == 0) continue;
            // "If the Pod's restartPolicy is Never and an init container fails during startup,
            // Kubernetes treats the overall Pod as failed"; otherwise it is retried (with backoff).
            // The init container's own restartPolicy and restartPolicyRules come first (KEP-5307).
            if (!RestartRules.shouldRestart(pod, c, e.exitCode())) plan.failed = true;
            else restart(c.getName(), e, gate, plan);
            return;
        }
        plan.initComplete = true;
    }

    /**
     * Keeps one sidecar going, whatever the pod's restartPolicy (KEP-753).
     *
     * @return whether it runs and has started, i.e. whether it lets the next container start
     */
    private static boolean planSidecar(String name, Optional<ObservedContainer> latest, RestartGate gate,
                                       StartupGate started, Builder plan) {
        if (latest.isEmpty()) {
            plan.start.add(name);
            return false;
        }
        return switch (latest.get().state()) {
            // Running is not enough: until its startupProbe passes it holds back the next container
            // (kubelet computeInitContainerActions: "if !isStarted ... break").
            case RuntimeState.Running r -> started.started(name);
            case RuntimeState.Exited e -> {
                restart(name, e, gate, plan);
                yield false;
            }
            case RuntimeState.Created c -> false; // not started yet: it holds back the next container
        };
    }

    private static void planRegular(Pod pod, ObservedPod observed, RestartGate gate, Builder plan) {
        boolean allFinished = true;
        for (Container c : pod.getSpec().getContainers()) {
            Optional<ObservedContainer> latest = observed.latest(c.getName());
            if (latest.isEmpty()) { plan.start.add(c.getName()); allFinished = false; continue; }
            if (!(latest.get().state() instanceof RuntimeState.Exited e)) { allFinished = false; continue; }
            if (RestartRules.shouldRestart(pod, c, e.exitCode())) {
                restart(c.getName(), e, gate, plan);
                allFinished = false;
            }
        }
        if (allFinished && !pod.getSpec().getContainers().isEmpty()) {
            // Sidecars do not keep a completing pod alive (KEP-753): stop them, last declared first.
            plan.backingOff.keySet().removeIf(name -> isSidecar(container(pod, name)));
            plan.start.removeIf(name -> isSidecar(container(pod, name)));
            for (Container c : reversed(pod.getSpec().getInitContainers())) {
                if (isSidecar(c) && notExited(observed, c)) {
                    plan.kill.put(c.getName(), "all regular containers have finished");
                }
            }
            plan.done = plan.kill.isEmpty();
        }
    }

    private static void restart(String name, RuntimeState.Exited e, RestartGate gate, Builder plan) {
        Optional<Instant> until = gate.blockedUntil(name, e.finishedAt());
        if (until.isPresent()) plan.backingOff.put(name, until.get());
        else plan.start.add(name);
    }

    /** kubelet's pod kill order: regular containers, then init containers and sidecars last declared first. */
    private static void stopAll(Pod pod, ObservedPod observed, Builder plan, String reason) {
        for (Container c : pod.getSpec().getContainers()) {
            if (notExited(observed, c)) plan.kill.put(c.getName(), reason);
        }
        for (Container c : reversed(pod.getSpec().getInitContainers())) {
            if (notExited(observed, c)) plan.kill.put(c.getName(), reason);
        }
    }

    /** Whether every regular container has finished and will not be restarted. */
    static boolean podFinished(Pod pod, ObservedPod observed) {
        for (Container c : pod.getSpec().getContainers()) {
            var latest = observed.latest(c.getName());
            if (latest.isEmpty() || !(latest.get().state() instanceof RuntimeState.Exited e)) return false;
            if (RestartRules.shouldRestart(pod, c, e.exitCode())) return false;
        }
        return true;
    }

    /** Whether some regular container could ever be restarted (kubelet IsContainerRestartable). */
    private static boolean anyRestartable(Pod pod) {
        return pod.getSpec().getContainers().stream().anyMatch(c -> RestartRules.restartable(pod, c));
    }

    public static boolean isSidecar(Container c) {
        return c != null && "Always".equals(c.getRestartPolicy());
    }

    /**
     * The attempts of the current sandbox: all but those that had already exited when it was
     * created, which ran in a sandbox that has since been replaced. An attempt that has not exited
     * always counts, so that a clock step can never make the planner start a second copy of it.
     */
    static ObservedPod currentSandbox(ObservedPod observed) {
        Instant since = observed.sandbox().map(s -> s.createdAt()).orElse(null);
        if (since == null) return observed;
        var current = observed.containers().stream()
                .filter(c -> !(c.state() instanceof RuntimeState.Exited e)
                        || e.finishedAt() == null || !e.finishedAt().isBefore(since))
                .toList();
        return new ObservedPod(observed.sandbox(), current);
    }

    private static boolean anyStarted(ObservedPod observed, List<Container> containers) {
        return containers.stream().anyMatch(c -> observed.latest(c.getName()).isPresent());
    }

    private static boolean notExited(ObservedPod observed, Container c) {
        return observed.latest(c.getName()).map(o -> !o.exited()).orElse(false);
    }

    private static boolean noneRunning(ObservedPod observed) {
        return observed.containers().stream().allMatch(ObservedContainer::exited);
    }

    private static List<Container> reversed(List<Container> containers) {
        var copy = new ArrayList<>(containers);
        Collections.reverse(copy);
        return copy;
    }

    private static Container container(Pod pod, String name) {
        for (Container c : pod.getSpec().getInitContainers()) if (c.getName().equals(name)) return c;
        for (Container c : pod.getSpec().getContainers()) if (c.getName().equals(name)) return c;
        return null;
    }

    private static final class Builder {
        boolean killPod, createSandbox, done, failed, initComplete;
        final List<String> start = new ArrayList<>();
        final Map<String, String> kill = new LinkedHashMap<>();
        final Map<String, Instant> backingOff = new LinkedHashMap<>();

        PodActions build() {
            return new PodActions(killPod, createSandbox, start, kill, backingOff, done);
        }
    }
}
