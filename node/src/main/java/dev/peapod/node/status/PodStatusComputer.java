package dev.peapod.node.status;

import dev.peapod.node.model.ObservedContainer;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

import java.util.List;

/**
 * The pod status the node reports, computed from the spec and what the runtime observed: the
 * analogue of kubelet's {@code generateAPIPodStatus} ({@code pkg/kubelet/kubelet_pods.go}) plus
 * the parts of its status manager that make a status stable between syncs (start time,
 * {@code lastTransitionTime}).
 *
 * <p>A pure function: it reads only its {@link StatusInput} (the clock is {@code input.now()}),
 * never mutates it, and returns a fresh {@link PodStatus}. Safe to call from any thread.
 *
 * <p>What it decides and where the rule comes from:
 * <ul>
 *   <li>container statuses — {@link ContainerStatuses} (kubelet {@code convertToAPIContainerStatuses});</li>
 *   <li>phase — {@link Phases} (kubelet {@code getPhase}); a terminal phase, once reported, is kept
 *       (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-phase: pods do not
 *       leave Succeeded/Failed); an {@link Eviction} forces Failed with its reason;</li>
 *   <li>conditions — {@link PodConditions} (kubelet {@code status/generate.go});</li>
 *   <li>{@code qosClass} — {@link QosClass}; addresses; {@code startTime}, which never changes once set.</li>
 * </ul>
 */
public final class PodStatusComputer {

    private PodStatusComputer() {}

    public static PodStatus compute(StatusInput in) {
        Pod pod = in.pod();
        PodStatus prev = in.previous();
        List<ContainerStatus> init = ContainerStatuses.convert(in, Specs.initContainers(pod),
                prev == null ? null : prev.getInitContainerStatuses(), true);
        List<ContainerStatus> regular = ContainerStatuses.convert(in, Specs.containers(pod),
                prev == null ? null : prev.getContainerStatuses(), false);

        var status = new PodStatusBuilder()
                .withObservedGeneration(pod.getMetadata() == null ? null : pod.getMetadata().getGeneration())
                .withInitContainerStatuses(init)
                .withContainerStatuses(regular)
                .withQosClass(QosClass.of(pod).apiName())
                .withStartTime(startTime(in))
                .build();
        phase(in, status, Phases.of(pod, init, regular, podIsTerminal(in), ContainerStatuses.anyRegularObserved(in)));
        status.setConditions(PodConditions.of(in, status.getPhase(), init, regular));
        addresses(in, status);
        return status;
    }

    /** Sets phase, reason and message; keeps terminal phases and the reason that came with a phase. */
    private static void phase(StatusInput in, PodStatus status, String computed) {
        PodStatus prev = in.previous();
        PodStatus api = in.pod().getStatus();
        String phase = computed;
        if (!terminal(phase)) {
            if (prev != null && terminal(prev.getPhase())) phase = prev.getPhase();
            else if (api != null && terminal(api.getPhase())) phase = api.getPhase();
        }
        status.setPhase(phase);
        if (prev != null && phase.equals(prev.getPhase())) {
            status.setReason(prev.getReason());
            status.setMessage(prev.getMessage());
        }
        if (api != null && phase.equals(api.getPhase())) {
            if (status.getReason() == null) status.setReason(api.getReason());
            if (status.getMessage() == null) status.setMessage(api.getMessage());
        }
        if (in.eviction() != null) {
            status.setPhase(Phases.FAILED);
            status.setReason(in.eviction().reason());
            status.setMessage(in.eviction().message());
        }
    }

    private static boolean terminal(String phase) {
        return Phases.SUCCEEDED.equals(phase) || Phases.FAILED.equals(phase);
    }

    /**
     * kubelet passes {@code podIsTerminal} once a terminating pod's containers have all stopped
     * ({@code syncTerminatingPod}): then the phase is Succeeded or Failed whatever the restart policy.
     */
    private static boolean podIsTerminal(StatusInput in) {
        return in.terminating() && in.observed().containers().stream().allMatch(ObservedContainer::exited);
    }

    /** Once set, startTime never changes (status manager); otherwise the given time, else now. */
    private static String startTime(StatusInput in) {
        if (in.previous() != null && in.previous().getStartTime() != null) return in.previous().getStartTime();
        PodStatus api = in.pod().getStatus();
        if (api != null && api.getStartTime() != null) return api.getStartTime();
        return Times.format(in.startTime() != null ? in.startTime() : in.now());
    }

    /** Host network pods take the node's address (kubelet {@code generateAPIPodStatus}). */
    private static void addresses(StatusInput in, PodStatus status) {
        if (in.hostIp() != null) {
            status.setHostIP(in.hostIp());
            status.setHostIPs(List.of(new HostIP(in.hostIp())));
        }
        String podIp = in.podIp();
        if (podIp == null && Boolean.TRUE.equals(in.pod().getSpec().getHostNetwork())) podIp = in.hostIp();
        if (podIp != null) {
            status.setPodIP(podIp);
            status.setPodIPs(List.of(new PodIP(podIp)));
        }
    }
}
