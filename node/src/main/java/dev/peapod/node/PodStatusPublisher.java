package dev.peapod.node;

import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.Waiting;
import dev.peapod.node.status.Eviction;
import dev.peapod.node.status.PodStatusComputer;
import dev.peapod.node.status.StatusInput;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Instant;
import java.util.Map;

/**
 * Computes a pod's status with the pure {@link PodStatusComputer} and tells the listener when it
 * changed (kubelet's status manager, minus the API round trip). Confined to the pod worker's thread,
 * except {@link #current}.
 */
final class PodStatusPublisher {
    private final Engine engine;
    private final Pod pod;
    private volatile Instant startTime;
    private volatile PodStatus status;
    private Eviction failure;

    PodStatusPublisher(Engine engine, Pod pod) {
        this.engine = engine;
        this.pod = pod;
        this.startTime = engine.clock().instant();
    }

    /** The pod's IP once its sandbox has one; it stays in the status after the sandbox is gone, as in Kubernetes. */
    private volatile String podIp;

    void podIp(String ip) { this.podIp = ip; }

    /** The resize parts of the status (allocated and applied resources, resize conditions). */
    private java.util.function.Supplier<dev.peapod.node.resize.ResizeStatus> resizes;

    void resizes(java.util.function.Supplier<dev.peapod.node.resize.ResizeStatus> resizes) { this.resizes = resizes; }

    void publish(ObservedPod observed, Map<String, Waiting> waiting, boolean terminating,
                 dev.peapod.node.status.ProbeResults probes) {
        var input = StatusInput.of(pod, observed, engine.clock().instant())
                .withWaiting(waiting)
                .withTerminating(terminating)
                .withStartTime(startTime)
                .withPrevious(status)
                .withAddresses(engine.hostIp(), podIp)
                .withRuntimeName(engine.runtimeName())
                .withEviction(failure)
                .withProbes(probes);
        PodStatus next = PodStatusComputer.compute(input);
        if (resizes != null) resizes.get().addTo(pod, next, status, dev.peapod.node.status.Times.format(engine.clock().instant()));
        // At most 12 KiB of termination messages per pod, shared among its containers (kubelet).
        dev.peapod.node.lifecycle.TerminationMessages.limit(pod, next);
        if (next.equals(status)) return;
        status = next;
        engine.listener().statusChanged(snapshot());
    }

    /** Marks the pod Failed for a reason of the node's own (rejected at admission, or the worker failed). */
    void fail(Eviction why) {
        failure = why;
    }

    Pod current() { return snapshot(); }

    Instant startTime() { return startTime; }

    /** An adopted pod keeps the start time its first worker gave it (restart safety). */
    void startTime(Instant t) { this.startTime = t; }

    private Pod snapshot() {
        var copy = new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), status);
        return copy;
    }
}
