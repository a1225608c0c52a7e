package dev.peapod.node;

import dev.peapod.image.Image;
import dev.peapod.node.lifecycle.StopSignals;
import dev.peapod.node.lifecycle.TerminationMessages;
import dev.peapod.node.model.ContainerKind;
import dev.peapod.node.model.RuntimeState;
import dev.peapod.oci.CreateRequest;
import dev.peapod.oci.Mounter;
import dev.peapod.oci.OciException;
import dev.peapod.oci.OciRuntime;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Creates, starts, stops and releases one container attempt. Each step that makes a resource
 * registers its undo in the record at once, so a failure half-way, and the normal end of the
 * container, release exactly what was made.
 */
final class Containers {
    private final OciRuntime oci;
    private final Mounter mounter;
    private final PodImages images;
    private final ExitWatcher exits;
    private final SpecWriter specs;
    /** Where OOM kills are counted; null: none are detected. */
    private dev.peapod.oci.Cgroups cgroups;
    private dev.peapod.node.lifecycle.HookRunner hooks;
    /** Where a failed preStop hook is reported (a FailedPreStopHook event of the container's pod). */
    private java.util.function.BiConsumer<ContainerRecord, String> events = (r, m) -> { };

    void hooks(dev.peapod.node.lifecycle.HookRunner hooks, java.util.function.BiConsumer<ContainerRecord, String> events) {
        this.hooks = hooks;
        this.events = events;
    }

    private UserNamespaces userNamespaces = new UserNamespaces();

    /** The node's allocator of hostUsers: false ranges (shared with the spec writer). */
    void userNamespaces(UserNamespaces u) { this.userNamespaces = u; }

    private final ImageVolumes imageVolumes;

    /** The host's cgroups, whose OOM kill counters make a container's exit {@code OOMKilled}. */
    void cgroups(dev.peapod.oci.Cgroups cgroups) { this.cgroups = cgroups; }

    Containers(OciRuntime oci, Mounter mounter, PodImages images, ExitWatcher exits, SpecWriter specs,
               ImageVolumes imageVolumes) {
        this.oci = oci;
        this.imageVolumes = imageVolumes;
        this.mounter = mounter;
        this.images = images;
        this.exits = exits;
        this.specs = specs;
    }

    /** What a container start needs from its pod. */
    record PodContext(Pod pod, Sandbox sandbox, PodPaths paths, Map<String, Path> volumes, ConfigSource config,
                      String hostIp, String podIp) {}

    /**
     * Creates and starts a container. On a failure before the runtime has it, throws
     * {@link ContainerStartException} with nothing left behind; a failure of {@code start} itself
     * returns a record that has exited with {@code StartError} (as containerd reports it), so that
     * the restart policy and backoff apply.
     */
    ContainerRecord start(PodContext ctx, Container c, ContainerKind kind, int attempt, Runnable onExit)
            throws ContainerStartException {
        var record = create(ctx, c, kind, attempt, onExit);
        return record.exited != null ? record : start(record);
    }

    /**
     * Everything of {@link #start} but the runtime's start: the rootfs, the spec and the runtime's
     * create (the container's process waits in the runtime until {@link #start(ContainerRecord)}).
     * A failure before the runtime has it throws {@link ContainerStartException} with nothing left
     * behind; a failure of the runtime's create returns a record that has exited with StartError.
     */
    ContainerRecord create(PodContext ctx, Container c, ContainerKind kind, int attempt, Runnable onExit)
            throws ContainerStartException {
        Trace.mark("container " + c.getName() + ": start");
        Image image = images.ensure(ctx.pod(), c.getName(), ctx.paths(), c.getImage(), c.getImagePullPolicy());
        Trace.mark("container " + c.getName() + ": image resolved");
        imageVolumes.ensureFor(ctx.pod(), ctx.paths(), c);
        var env = EnvResolver.resolve(ctx.pod(), c, ctx.config(), ctx.hostIp(), ctx.podIp());
        String id = ContainerIds.next();
        Path log = ctx.paths().log(c.getName(), attempt);
        StopSignals.StopSignal stop;
        try {
            // lifecycle.stopSignal, else the image's STOPSIGNAL, else SIGTERM (KEP-4960).
            stop = StopSignals.resolve(c, image.config().stopSignal());
        } catch (IllegalArgumentException e) {
            throw new ContainerStartException("CreateContainerConfigError", e.getMessage(), e);
        }
        var record = new ContainerRecord(c.getName(), kind, id, attempt, c.getImage(), image.id(), log,
                stop.killArgument());
        record.container = c;
        record.cgroupPath = ctx.sandbox().cgroupPath() + "/" + id;
        record.applied = c.getResources();
        record.hookTarget = new dev.peapod.node.lifecycle.HookRunner.Target(ctx.pod(), c, id, ctx.podIp());
        boolean ok = false;
        try {
            Path bundle = bundle(ctx, id);
            Path rootfs = bundle.resolve("rootfs");
            Path rw = ctx.paths().writable(id);
            Files.createDirectories(rootfs);
            Files.createDirectories(rw.resolve("upper"));
            Files.createDirectories(rw.resolve("work"));
            Files.createDirectories(log.getParent());
            record.cleanups.add(() -> FileTree.deleteRecursively(bundle));
            record.cleanups.add(() -> FileTree.deleteRecursively(rw));
            var lowers = UsernsRootfs.layers(mounter, images.layerDirs(image), userNamespaces.forPod(ctx.pod()),
                    bundle, rw, record.cleanups);
            mounter.mountOverlay(lowers, rw.resolve("upper"), rw.resolve("work"), rootfs);
            Trace.mark("container " + c.getName() + ": rootfs mounted");
            record.cleanups.add(() -> mounter.unmount(rootfs, true));
            var mounts = SubPaths.resolve(ctx, c, id, mounter, record.cleanups);
            Path termLog = ctx.paths().terminationLog(id);
            Files.createDirectories(termLog.getParent());
            Files.write(termLog, new byte[0]);
            // Writable by whatever user the container runs as, as kubelet creates it.
            Files.setPosixFilePermissions(termLog, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            record.cleanups.add(() -> Files.deleteIfExists(termLog));
            record.terminationFile = termLog;
            record.user = specs.write(bundle, new SpecWriter.Request(ctx, c, image.config(), rootfs, mounts, env, termLog, id));
            record.createdAt = Instant.now();
            Trace.mark("container " + c.getName() + ": spec written");
            ok = true;
        } catch (dev.peapod.node.spec.SpecException e) {
            throw new ContainerStartException(e.reason(), e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ContainerStartException("CreateContainerConfigError",
                    "failed to prepare container " + c.getName() + ": " + e.getMessage(), e);
        } finally {
            if (!ok) release(record);
        }
        // Runtime create + start together are CRI's StartContainer: a failure here is a
        // container that exited at once (StartError, exit 128, as containerd reports it), so that
        // the restart policy and CrashLoopBackOff apply (kubelet's RunContainerError).
        try {
            // Kubernetes' stdin, stdinOnce and tty (kubectl attach): conmon keeps them.
            oci.create(new CreateRequest(id, bundle(ctx, id), log, Boolean.TRUE.equals(c.getStdin()),
                    Boolean.TRUE.equals(c.getStdinOnce()), Boolean.TRUE.equals(c.getTty())));
            record.cleanups.add(() -> oci.delete(id, true));
            exits.watch(id, onExit);
            record.cleanups.add(() -> exits.forget(id));
            Trace.mark("container " + c.getName() + ": created");
        } catch (OciException e) {
            record.exited = new RuntimeState.Exited(128, null, Instant.now(), "StartError", e.getMessage());
            release(record);
        }
        return record;
    }

    /** The runtime's start of a created container; a failure makes it exit with StartError. */
    ContainerRecord start(ContainerRecord record) {
        try {
            oci.start(record.id);
            record.startedAt = Instant.now();
        } catch (OciException e) {
            record.exited = new RuntimeState.Exited(128, null, Instant.now(), "StartError", e.getMessage());
            release(record);
        }
        return record;
    }

    private static Path bundle(PodContext ctx, String id) { return ctx.paths().bundle(id); }

    /** Reads the exit file; if the process has exited, records it and releases the container's resources. */
    boolean refresh(ContainerRecord r) {
        if (r.exited != null) return false;
        var code = oci.exitCode(r.id);
        if (code.isEmpty()) return false;
        // The exit file's mtime comes from the kernel's coarse clock and can read a few ms before
        // an Instant.now() taken earlier; never let a container finish before it started.
        Instant finished = exitTime(r.id);
        if (r.startedAt != null && finished.isBefore(r.startedAt)) finished = r.startedAt;
        int exit = code.getAsInt();
        String reason = oomKilled(r) ? "OOMKilled" : exit == 0 ? "Completed" : "Error";
        // Read before the release below deletes the file (terminationMessagePath/-Policy).
        String message = r.container == null ? "" : TerminationMessages.read(r.container, r.terminationFile, r.logPath, exit, reason);
        r.exited = new RuntimeState.Exited(exit, r.startedAt, finished, reason, message.isEmpty() ? null : message);
        // Releasing (runtime delete, which waits for conmon, and the unmounts) takes milliseconds
        // that the next container of the pod should not wait for: it runs beside the worker, and
        // every later release() of the record waits for it under the record's lock.
        Thread.ofVirtual().name("release-" + r.name).start(() -> release(r));
        return true;
    }

    /**
     * kubelet takes {@code OOMKilled} from the CRI, where containerd sets it when the task got an OOM
     * event (CRI-O: conmon's oom file); crun and Peapod's conmon invocation report only the exit
     * code. So the container cgroup's {@code oom_kill} counter decides, read before the release
     * below lets the runtime delete the cgroup. Like containerd, any OOM kill in the container counts,
     * whichever of its processes died.
     */
    private boolean oomKilled(ContainerRecord r) {
        if (r.cgroupPath == null || cgroups == null) return false;
        try {
            return cgroups.oomKills(r.cgroupPath).orElse(0) > 0;
        } catch (RuntimeException e) {
            return false; // a malformed path cannot happen for records made here; never fail the exit on it
        }
    }

    private Instant exitTime(String id) {
        try {
            return Files.getLastModifiedTime(oci.exitDir().resolve(id)).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    /**
     * Graceful stop (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination):
     * the stop signal (image STOPSIGNAL, else SIGTERM), up to {@code grace} for the process to
     * exit, then SIGKILL.
     */
    void stop(ContainerRecord r, Duration grace) {
        stop(r, StopDeadline.after(grace));
    }

    /** {@link #stop(ContainerRecord, Duration)} until a deadline that may move earlier while it waits. */
    void stop(ContainerRecord r, StopDeadline deadline) {
        if (r.exited != null || refresh(r)) return;
        Duration grace = deadline.remaining();
        Duration afterPreStop = preStop(r, grace);
        // After a preStop hook the container gets what is left, at least 2 s, from now.
        StopDeadline until = afterPreStop == grace ? deadline : StopDeadline.after(afterPreStop);
        String signal = r.stopSignal;
        try {
            oci.kill(r.id, signal, false);
        } catch (OciException e) {
            // The process may have exited meanwhile; the exit file decides below.
        }
        if (!awaitExit(r.id, until)) {
            try {
                oci.kill(r.id, "KILL", true);
            } catch (OciException e) {
                // already gone
            }
            if (oci.state(r.id).isPresent()) exits.await(r.id, Duration.ofSeconds(10)); // nothing to wait for otherwise
        }
        if (!refresh(r) && r.exited == null && oci.state(r.id).isEmpty()) {
            // The runtime no longer knows the container and no exit was recorded (its state removed
            // behind Peapod's back): it is not running, so the stop is done. kubelet reports such a
            // container as ContainerStatusUnknown with exit code 137 (kubelet_pods.go,
            // convertToAPIContainerStatuses); without this the pod worker would wait for an exit forever.
            r.exited = new RuntimeState.Exited(137, r.startedAt, Instant.now(), "ContainerStatusUnknown",
                    "The container could not be located when the pod was terminated");
            Thread.ofVirtual().name("release-" + r.name).start(() -> release(r));
        }
    }

    /** Waits for the exit until the deadline, in short slices so that a shortened deadline is seen soon. */
    private boolean awaitExit(String id, StopDeadline deadline) {
        while (true) {
            Duration left = deadline.remaining();
            if (left.isZero()) return exits.await(id, Duration.ZERO);
            if (exits.await(id, left.compareTo(SLICE) < 0 ? left : SLICE)) return true;
        }
    }

    private static final Duration SLICE = Duration.ofMillis(200);

    /**
     * preStop runs before the stop signal and counts against the grace period; the container then
     * still gets at least 2 s (kubelet's minimumGracePeriodInSeconds). Returns the grace left.
     */
    private Duration preStop(ContainerRecord r, Duration grace) {
        var lifecycle = r.container == null ? null : r.container.getLifecycle();
        if (lifecycle == null || lifecycle.getPreStop() == null || r.hookTarget == null || grace.isZero()) return grace;
        long started = System.nanoTime();
        var result = hooks.run(r.hookTarget, lifecycle.getPreStop(), grace);
        switch (result) {
            case dev.peapod.node.lifecycle.HookResult.Failed f -> events.accept(r, f.message());
            case dev.peapod.node.lifecycle.HookResult.Succeeded ok -> { }
            case dev.peapod.node.lifecycle.HookResult.TimedOut t -> { }
        }
        Duration left = grace.minusNanos(System.nanoTime() - started);
        return left.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : left;
    }

    /**
     * A container an earlier engine created, adopted after a restart ({@link PodRecord}): the record
     * gets the cleanups {@link #create} registers (runtime delete, rootfs unmount, bundle, writable
     * layer, termination log) and its exit is watched again, so an exit conmon recorded while no
     * engine ran is seen at once; the mounts {@link #create} made are found where it makes them —
     * the idmapped image layers of a hostUsers: false container ({@code <bundle>/lower/<i>}) and
     * the subPath staging points ({@code <run dir>/subpaths/<id>/<i>}) — so that they are unmounted
     * when the container goes (without that, the pod's directories could not be removed).
     * An attempt whose exit was already seen has been released: nothing to do.
     */
    void adopt(ContainerRecord r, PodPaths paths, Runnable onExit) {
        r.terminationFile = paths.terminationLog(r.id);
        if (r.exited != null) return;
        Path bundle = paths.bundle(r.id);
        Path rw = paths.writable(r.id);
        Path termLog = r.terminationFile;
        r.cleanups.add(() -> FileTree.deleteRecursively(bundle));
        r.cleanups.add(() -> FileTree.deleteRecursively(rw));
        for (Path lower : numbered(bundle.resolve("lower"))) r.cleanups.add(() -> mounter.unmount(lower, true));
        r.cleanups.add(() -> mounter.unmount(bundle.resolve("rootfs"), true));
        Path staging = paths.subPaths(r.id);
        var points = numbered(staging);
        if (!points.isEmpty()) r.cleanups.add(() -> Files.deleteIfExists(staging));
        for (Path p : points) r.cleanups.add(() -> { mounter.unmount(p, true); Files.deleteIfExists(p); });
        r.cleanups.add(() -> Files.deleteIfExists(termLog));
        r.cleanups.add(() -> oci.delete(r.id, true));
        exits.watch(r.id, onExit);
        r.cleanups.add(() -> exits.forget(r.id));
    }

    /** The entries {@code 0, 1, …} of a directory {@link #create} numbered (layers, subPath points), in order. */
    private static List<Path> numbered(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (var entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .sorted(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString()))).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Removes a container of the pod that no record names: one an earlier engine created after it
     * last wrote the pod's record and before it died (kubelet's garbage collection of containers
     * no pod owns). Its process is killed, then what {@link #create} made is removed.
     */
    void removeUnrecorded(PodPaths paths, String id) {
        var r = new ContainerRecord("unrecorded", ContainerKind.REGULAR, id, 0, null, null, paths.log("unrecorded", 0), "KILL");
        adopt(r, paths, () -> { });
        if (oci.state(id).isPresent() && oci.exitCode(id).isEmpty()) {
            try {
                oci.kill(id, "KILL", true);
            } catch (OciException e) {
                // exited meanwhile
            }
            exits.await(id, Duration.ofSeconds(10));
        }
        release(r);
    }

    /** Undoes what was made for the container, newest first. Idempotent. */
    void release(ContainerRecord r) {
        r.lock.lock();
        try {
            releaseLocked(r);
        } finally {
            r.lock.unlock();
        }
    }

    private void releaseLocked(ContainerRecord r) {
        for (int i = r.cleanups.size() - 1; i >= 0; i--) {
            try {
                r.cleanups.get(i).run();
            } catch (Exception e) {
                System.getLogger("peapod").log(System.Logger.Level.WARNING,
                        "failed to release container " + r.name + " (" + r.id + "): " + e.getMessage());
            }
        }
        r.cleanups.clear();
    }
}
