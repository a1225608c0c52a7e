package dev.peapod.node.status;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pod conditions, after kubelet's {@code pkg/kubelet/status/generate.go} and the
 * {@code lastTransitionTime} rule of its status manager ({@code status_manager.go
 * updateLastTransitionTime}: a condition whose status did not change keeps its time).
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions
 *
 * <p>Order as kubelet appends them: conditions owned by others (readiness gates,
 * DisruptionTarget) kept as they are, then PodReadyToStartContainers, Initialized, Ready,
 * ContainersReady, PodScheduled.
 */
final class PodConditions {

    static final String READY_TO_START = "PodReadyToStartContainers";
    static final String INITIALIZED = "Initialized";
    static final String READY = "Ready";
    static final String CONTAINERS_READY = "ContainersReady";
    static final String SCHEDULED = "PodScheduled";

    /** kubelet {@code PodConditionByKubelet}: everything else belongs to someone else and is kept. */
    private static final Set<String> KUBELET_OWNED = Set.of(READY_TO_START, INITIALIZED, READY, CONTAINERS_READY,
            SCHEDULED, "PodResizePending", "PodResizeInProgress", "AllContainersRestarting");

    private PodConditions() {}

    static List<PodCondition> of(StatusInput in, String phase, List<ContainerStatus> init,
                                 List<ContainerStatus> regular) {
        List<PodCondition> out = new ArrayList<>(foreign(in));
        out.add(stamp(in, condition(READY_TO_START, in.observed().sandboxReady(), null, null)));
        out.add(stamp(in, initialized(in, phase, init, regular)));
        PodCondition containersReady = containersReady(in, phase, init, regular);
        out.add(stamp(in, ready(in, containersReady, out)));
        out.add(stamp(in, containersReady));
        out.add(stamp(in, condition(SCHEDULED, true, null, null)));
        return out;
    }

    /** Conditions set by others on the API object (or, failing that, kept in the previous status). */
    private static List<PodCondition> foreign(StatusInput in) {
        List<PodCondition> out = new ArrayList<>();
        PodStatus api = in.pod().getStatus();
        for (PodStatus source : new PodStatus[] {api, in.previous()}) {
            if (source == null || source.getConditions() == null) continue;
            for (PodCondition c : source.getConditions()) {
                if (KUBELET_OWNED.contains(c.getType())) continue;
                if (out.stream().anyMatch(o -> Objects.equals(o.getType(), c.getType()))) continue;
                out.add(new PodConditionBuilder(c).build());
            }
        }
        return out;
    }

    private static PodCondition initialized(StatusInput in, String phase, List<ContainerStatus> init,
                                            List<ContainerStatus> regular) {
        if (Phases.SUCCEEDED.equals(phase)) return condition(INITIALIZED, true, "PodCompleted", null);
        // A regular container that ran proves initialisation happened, even while a sidecar restarts.
        if (regular.stream().anyMatch(s -> Specs.running(s) || Specs.terminated(s))) {
            return condition(INITIALIZED, true, null, null);
        }
        List<String> incomplete = new ArrayList<>();
        for (Container c : Specs.initContainers(in.pod())) {
            Optional<ContainerStatus> s = Specs.find(init, c.getName());
            boolean done = s.isPresent()
                    && (Specs.isSidecar(c) ? Specs.isTrue(s.get().getStarted()) : Specs.isTrue(s.get().getReady()));
            if (!done) incomplete.add(c.getName());
        }
        if (incomplete.isEmpty()) return condition(INITIALIZED, true, null, null);
        return condition(INITIALIZED, false, "ContainersNotInitialized",
                "containers with incomplete status: " + goList(incomplete));
    }

    private static PodCondition containersReady(StatusInput in, String phase, List<ContainerStatus> init,
                                                List<ContainerStatus> regular) {
        if (Phases.SUCCEEDED.equals(phase)) return condition(CONTAINERS_READY, false, "PodCompleted", null);
        if (Phases.FAILED.equals(phase)) return condition(CONTAINERS_READY, false, "PodFailed", null);
        List<String> unready = new ArrayList<>();
        for (Container c : Specs.initContainers(in.pod())) {
            if (Specs.isSidecar(c) && !isReady(init, c)) unready.add(c.getName());
        }
        for (Container c : Specs.containers(in.pod())) {
            if (!isReady(regular, c)) unready.add(c.getName());
        }
        if (unready.isEmpty()) return condition(CONTAINERS_READY, true, null, null);
        return condition(CONTAINERS_READY, false, "ContainersNotReady",
                "containers with unready status: " + goList(unready));
    }

    /** Ready = ContainersReady and every readiness gate's condition True (spec.readinessGates). */
    private static PodCondition ready(StatusInput in, PodCondition containersReady, List<PodCondition> soFar) {
        if (!"True".equals(containersReady.getStatus())) {
            return condition(READY, false, containersReady.getReason(), containersReady.getMessage());
        }
        List<String> unready = new ArrayList<>();
        List<PodReadinessGate> gates = in.pod().getSpec().getReadinessGates();
        for (PodReadinessGate g : gates == null ? List.<PodReadinessGate>of() : gates) {
            String type = g.getConditionType();
            Optional<PodCondition> c = soFar.stream().filter(x -> type.equals(x.getType())).findFirst();
            if (c.isEmpty()) {
                unready.add("corresponding condition of pod readiness gate \"" + type + "\" does not exist.");
            } else if (!"True".equals(c.get().getStatus())) {
                unready.add("the status of pod readiness gate \"" + type + "\" is not \"True\", but "
                        + c.get().getStatus());
            }
        }
        if (unready.isEmpty()) return condition(READY, true, null, null);
        return condition(READY, false, "ReadinessGatesNotReady", String.join(", ", unready));
    }

    private static boolean isReady(List<ContainerStatus> statuses, Container c) {
        return Specs.find(statuses, c.getName()).map(s -> Specs.isTrue(s.getReady())).orElse(false);
    }

    private static PodCondition condition(String type, boolean status, String reason, String message) {
        return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False")
                .withReason(reason).withMessage(message).build();
    }

    /** lastTransitionTime kept while the status is unchanged; observedGeneration from the pod. */
    private static PodCondition stamp(StatusInput in, PodCondition c) {
        PodStatus old = in.previous() != null ? in.previous() : in.pod().getStatus();
        String time = Times.format(in.now());
        if (old != null && old.getConditions() != null) {
            for (PodCondition o : old.getConditions()) {
                if (c.getType().equals(o.getType()) && c.getStatus().equals(o.getStatus())
                        && o.getLastTransitionTime() != null) {
                    time = o.getLastTransitionTime();
                }
            }
        }
        c.setLastTransitionTime(time);
        c.setObservedGeneration(in.pod().getMetadata() == null ? null : in.pod().getMetadata().getGeneration());
        return c;
    }

    /** Go's {@code fmt.Sprintf("%s", []string{"a", "b"})}: {@code [a b]}, as kubelet's messages read. */
    private static String goList(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }
}
