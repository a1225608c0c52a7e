package dev.peapod.node;

import dev.peapod.node.model.ContainerKind;
import dev.peapod.node.model.ObservedContainer;
import dev.peapod.node.model.RuntimeState;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One attempt of one container, owned by its pod worker's thread. What the runtime created for it
 * ({@link #cleanups}, in creation order) is undone by {@link Containers#release} as soon as the
 * process has exited; the record itself stays for status ({@code lastState}) and logs.
 */
final class ContainerRecord {
    final String name;
    final ContainerKind kind;
    final String id;
    final int attempt;
    final String image;
    final String imageId;
    final Path logPath;
    final String stopSignal;
    /** The spec it runs (termination message policy and path). */
    io.fabric8.kubernetes.api.model.Container container;
    /** Its cgroup ({@code linux.cgroupsPath}: {@code <pod cgroup>/<id>}), for resize and the OOM kill counter. */
    String cgroupPath;
    /** The resources its cgroup has now: the container's at create, then each in-place resize's (PodResizer). */
    io.fabric8.kubernetes.api.model.ResourceRequirements applied;
    /** Stopped to restart with a changed spec (a resize with RestartContainer, a new image): its exit is no crash. */
    boolean stoppedForSpecChange;
    /** What its lifecycle hooks run against. */
    dev.peapod.node.lifecycle.HookRunner.Target hookTarget;
    /** The identity its process starts with, from its OCI spec (status {@code user}); null if unknown. */
    dev.peapod.node.model.ContainerUser user;
    /** The host file bind-mounted at its terminationMessagePath, or null. */
    Path terminationFile;
    /** Guards {@link #cleanups}: a release may run beside the worker thread. */
    final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    final List<Rollback.Undo> cleanups = new ArrayList<>();
    Instant createdAt;
    Instant startedAt;
    RuntimeState.Exited exited;

    ContainerRecord(String name, ContainerKind kind, String id, int attempt, String image, String imageId,
                    Path logPath, String stopSignal) {
        this.name = name;
        this.kind = kind;
        this.id = id;
        this.attempt = attempt;
        this.image = image;
        this.imageId = imageId;
        this.logPath = logPath;
        this.stopSignal = stopSignal;
    }

    RuntimeState state() {
        if (exited != null) return exited;
        if (startedAt != null) return new RuntimeState.Running(startedAt);
        return new RuntimeState.Created(createdAt);
    }

    ObservedContainer observed() {
        return new ObservedContainer(name, kind, id, attempt, image, imageId, state(), user);
    }
}
