package dev.peapod.node;

import dev.peapod.api.FieldError;
import dev.peapod.node.resize.ResizePlanner;
import dev.peapod.node.resize.ResizeStatus;
import dev.peapod.node.resize.ResizeValidator;
import dev.peapod.node.spec.CgroupPolicy;
import dev.peapod.oci.CgroupLimits;
import dev.peapod.oci.OciException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One pod's in-place resizes (KEP-1287), driven by its worker: requests queue up from any thread
 * ({@link #submit}); on the worker thread {@link #step} validates and admits them — the pod spec
 * then holds the newly allocated resources — and carries out what the pure {@link ResizePlanner}
 * says: cgroup writes for the pod and its live containers, or the names of containers to restart.
 * Confined to the worker thread except {@link #submit} and {@link #failQueued}.
 */
final class PodResizer {
    private record Request(Map<String, ResourceRequirements> resources, CompletableFuture<List<FieldError>> result) {}

    private final Engine engine;
    private final Pod pod;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    /** What the pod cgroup has now; null without a sandbox. */
    private CgroupLimits podCgroup;
    private String pending;
    private String error;
    private boolean inProgress;
    /** The live containers (ids) at the last actuation: a new one may need its resources brought up to date. */
    private List<String> lastLive = List.of();

    PodResizer(Engine engine, Pod pod) {
        this.engine = engine;
        this.pod = pod;
    }

    CompletableFuture<List<FieldError>> submit(Map<String, ResourceRequirements> resources) {
        var r = new Request(Map.copyOf(resources), new CompletableFuture<>());
        requests.add(r);
        return r.result();
    }

    /** The pod has finished: resizes still queued fail. */
    void failQueued(String why) {
        Request r;
        while ((r = requests.poll()) != null) r.result().completeExceptionally(new IllegalStateException(why));
    }

    /** The sandbox was just made: its cgroup has the limits of the pod as allocated now. */
    void sandboxCreated() { podCgroup = CgroupPolicy.pod(pod, engine.config().podPidsLimit()); }

    void sandboxRemoved() { podCgroup = null; }

    /**
     * Admits queued resizes and applies the allocated resources to the live containers.
     *
     * @param statusQos the pod's {@code status.qosClass}, which a resize may not change
     * @return the live containers to restart for their resize (RestartContainer)
     */
    List<String> step(List<ContainerRecord> records, Sandbox sandbox, String statusQos) {
        Request r;
        boolean admitted = false;
        while ((r = requests.poll()) != null) admitted |= admit(r, statusQos);
        if (sandbox == null || podCgroup == null) return List.of();
        var live = live(records);
        var liveIds = live.values().stream().map(rec -> rec.id).toList();
        // Nothing can have changed: no resize, nothing in progress, the same containers.
        if (!admitted && !inProgress && error == null && liveIds.equals(lastLive)) return List.of();
        lastLive = liveIds;
        var applied = new LinkedHashMap<String, ResourceRequirements>();
        live.forEach((name, rec) -> applied.put(name, rec.applied == null ? new ResourceRequirements() : rec.applied));
        var actions = ResizePlanner.actuate(pod, applied, podCgroup, engine.config().podPidsLimit(),
                engine.host().swapAccounting());
        inProgress = !actions.none();
        if (actions.none()) {
            error = null;
            return List.of();
        }
        var mode = engine.cgroups().mode();
        try {
            if (actions.podBefore().isPresent()) {
                engine.cgroups().write(sandbox.cgroupPath(), actions.podBefore().get().files(mode));
                podCgroup = actions.podBefore().get();
            }
            for (var e : actions.update().entrySet()) {
                ContainerRecord rec = live.get(e.getKey());
                belowUsage(rec, e.getValue().limits());
                engine.cgroups().write(rec.cgroupPath, e.getValue().limits().files(mode));
                rec.applied = e.getValue().resources();
            }
            if (actions.podAfter().isPresent()) {
                engine.cgroups().write(sandbox.cgroupPath(), actions.podAfter().get().files(mode));
                podCgroup = actions.podAfter().get();
            }
            error = null;
            inProgress = !actions.restart().isEmpty();
        } catch (OciException e) {
            // kubelet leaves the resize in progress with the error and retries in a later sync.
            error = e.getMessage();
        }
        return actions.restart();
    }

    /**
     * kubelet 1.33+: a memory limit is not lowered below what the container uses now; the resize
     * stays in progress with an error (best effort against an OOM kill, KEP-1287).
     */
    private void belowUsage(ContainerRecord rec, CgroupLimits next) {
        if (next.memoryLimit() == null) return;
        long usage = engine.cgroups().memoryUsage(rec.cgroupPath).orElse(0);
        if (usage > next.memoryLimit()) {
            throw new OciException("attempting to set container " + rec.name + " memory limit (" + next.memoryLimit()
                    + ") below current usage (" + usage + ")");
        }
    }

    /** Returns whether the resize was admitted (allocated or pending). */
    private boolean admit(Request r, String statusQos) {
        try {
            var current = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editOrNewStatus().withQosClass(statusQos).endStatus().build();
            for (String name : r.resources().keySet()) {
                if (all().stream().noneMatch(c -> c.getName().equals(name))) {
                    r.result().complete(List.of(FieldError.notFound("spec.containers", name)));
                    return false;
                }
            }
            Pod resized = ResizePlanner.withResources(current, r.resources());
            var errs = ResizeValidator.validate(current, resized);
            if (!errs.isEmpty()) {
                r.result().complete(errs);
                return false;
            }
            var infeasible = ResizePlanner.infeasible(resized, Runtime.getRuntime().availableProcessors() * 1000L,
                    engine.host().memoryCapacityBytes());
            if (infeasible.isPresent()) {
                pending = infeasible.get();
            } else {
                pending = null;
                // New objects, never changed in place: records keep the ones they were created with.
                for (Container c : all()) {
                    ResourceRequirements next = r.resources().get(c.getName());
                    if (next != null) c.setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder(next).build());
                }
                if (podCgroup != null) engine.qosCgroups().resized(pod);
            }
            r.result().complete(List.of());
            return true;
        } catch (RuntimeException e) {
            r.result().completeExceptionally(e);
            return false;
        }
    }

    /** The resize parts of the status. */
    ResizeStatus status(List<ContainerRecord> records) {
        var applied = new LinkedHashMap<String, ResourceRequirements>();
        live(records).forEach((name, rec) -> { if (rec.startedAt != null && rec.applied != null) applied.put(name, rec.applied); });
        return new ResizeStatus(applied, pending, inProgress, error);
    }

    /** The latest attempt of each container, where it has not exited. */
    private static Map<String, ContainerRecord> live(List<ContainerRecord> records) {
        var latest = new LinkedHashMap<String, ContainerRecord>();
        for (var rec : records) {
            var prev = latest.get(rec.name);
            if (prev == null || rec.attempt > prev.attempt) latest.put(rec.name, rec);
        }
        latest.values().removeIf(rec -> rec.exited != null || rec.cgroupPath == null);
        return latest;
    }

    private List<Container> all() {
        var out = new ArrayList<Container>(pod.getSpec().getInitContainers());
        out.addAll(pod.getSpec().getContainers());
        return out;
    }
}
