package dev.peapod.node.status;

import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.Waiting;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@link PodStatusComputer#compute} reads. Start from {@link #of} and add what is
 * known with the {@code with…} methods.
 *
 * @param pod         the pod as the API has it (its {@code status}, if any, is read only for
 *                    conditions owned by others — readiness gates — and terminal phases)
 * @param observed    what the runtime reports
 * @param waiting     why a container that should run does not, by container name (kubelet's
 *                    {@code reasonCache}): {@code CrashLoopBackOff}, {@code ErrImagePull}…
 * @param terminating the pod is being deleted: nothing will be restarted, and once every
 *                    container has stopped the phase becomes terminal
 * @param startTime   when the node accepted the pod; null = now, unless {@code previous} has one
 * @param previous    the status computed last time, or null; keeps condition
 *                    {@code lastTransitionTime}s, the start time and terminal phases stable
 * @param now         the time of this computation
 * @param hostIp      the node address, or null if unknown
 * @param podIp       the sandbox address, or null if not known yet
 * @param runtimeName prefix of container ids ({@code <runtimeName>://<id>})
 * @param probes      startup and readiness results; {@link ProbeResults#NONE} if no probes run
 * @param eviction    a node decision that the pod failed, or null
 */
public record StatusInput(Pod pod, ObservedPod observed, Map<String, Waiting> waiting, boolean terminating,
                          Instant startTime, PodStatus previous, Instant now, String hostIp, String podIp,
                          String runtimeName, ProbeResults probes, Eviction eviction) {

    public static final String DEFAULT_RUNTIME = "crun";

    public StatusInput {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(pod.getSpec(), "pod.spec");
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(now, "now");
        waiting = waiting == null ? Map.of() : Map.copyOf(waiting);
        runtimeName = runtimeName == null ? DEFAULT_RUNTIME : runtimeName;
        probes = probes == null ? ProbeResults.NONE : probes;
    }

    /** A pod that is not terminating, has no previous status, no addresses and no probes. */
    public static StatusInput of(Pod pod, ObservedPod observed, Instant now) {
        return new StatusInput(pod, observed, Map.of(), false, null, null, now, null, null,
                DEFAULT_RUNTIME, ProbeResults.NONE, null);
    }

    public StatusInput withWaiting(Map<String, Waiting> w) {
        return new StatusInput(pod, observed, w, terminating, startTime, previous, now, hostIp, podIp,
                runtimeName, probes, eviction);
    }

    public StatusInput withTerminating(boolean t) {
        return new StatusInput(pod, observed, waiting, t, startTime, previous, now, hostIp, podIp,
                runtimeName, probes, eviction);
    }

    public StatusInput withStartTime(Instant t) {
        return new StatusInput(pod, observed, waiting, terminating, t, previous, now, hostIp, podIp,
                runtimeName, probes, eviction);
    }

    public StatusInput withPrevious(PodStatus p) {
        return new StatusInput(pod, observed, waiting, terminating, startTime, p, now, hostIp, podIp,
                runtimeName, probes, eviction);
    }

    public StatusInput withAddresses(String host, String podAddress) {
        return new StatusInput(pod, observed, waiting, terminating, startTime, previous, now, host, podAddress,
                runtimeName, probes, eviction);
    }

    public StatusInput withRuntimeName(String name) {
        return new StatusInput(pod, observed, waiting, terminating, startTime, previous, now, hostIp, podIp,
                name, probes, eviction);
    }

    public StatusInput withProbes(ProbeResults p) {
        return new StatusInput(pod, observed, waiting, terminating, startTime, previous, now, hostIp, podIp,
                runtimeName, p, eviction);
    }

    public StatusInput withEviction(Eviction e) {
        return new StatusInput(pod, observed, waiting, terminating, startTime, previous, now, hostIp, podIp,
                runtimeName, probes, e);
    }

    public StatusInput withObserved(ObservedPod o) {
        return new StatusInput(pod, o, waiting, terminating, startTime, previous, now, hostIp, podIp,
                runtimeName, probes, eviction);
    }

    public StatusInput withNow(Instant t) {
        return new StatusInput(pod, observed, waiting, terminating, startTime, previous, t, hostIp, podIp,
                runtimeName, probes, eviction);
    }
}
