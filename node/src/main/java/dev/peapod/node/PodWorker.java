package dev.peapod.node;

import dev.peapod.node.backoff.Backoff;
import dev.peapod.node.model.ContainerKind;
import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.ObservedSandbox;
import dev.peapod.node.model.Waiting;
import dev.peapod.node.plan.PodActions;
import dev.peapod.node.lifecycle.HookResult;
import dev.peapod.node.lifecycle.HookRunner;
import dev.peapod.node.plan.PodPlanner;
import dev.peapod.node.probe.ProbeEvents;
import dev.peapod.node.probe.ProbeKind;
import dev.peapod.node.probe.ProbeManager;
import dev.peapod.node.probe.ProbeResult;
import dev.peapod.node.probe.ProbeResultsSink;
import dev.peapod.node.probe.ProbeTarget;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One pod's worker: a level-triggered loop on its own virtual thread (kubelet {@code pod_workers.go}).
 * Each round reads what the runtime reports, asks the pure {@link PodPlanner} what to do, carries
 * the plan out step by step and publishes the status. Signals (a container exited, the pod is
 * being deleted) coalesce in a capacity-1 queue; a periodic resync catches anything missed.
 *
 * <pre>
 *  running ──(plan.done and nothing runs)──▶ finished ──remove()──▶ removed
 *     └──terminate()──▶ terminating ──(everything stopped)──┘
 * </pre>
 * Everything but {@link #signal}, {@link #terminate} and the futures is confined to the worker thread.
 */
final class PodWorker {
    private static final Duration MIN_GRACE = Duration.ofSeconds(2);
    private final Engine engine;
    private final Pod pod;
    private final String uid;
    private final PodPaths paths;
    private final ArrayBlockingQueue<Boolean> wakeUps = new ArrayBlockingQueue<>(1);
    private final CompletableFuture<Pod> finished = new CompletableFuture<>();
    private final List<ContainerRecord> records = new ArrayList<>();
    private final Map<String, Waiting> waiting = new LinkedHashMap<>();
    private final Map<String, Instant> retryAt = new LinkedHashMap<>();
    /** Containers created ahead of their turn ({@link #precreateAfter}); null when that failed. */
    private final Map<String, CompletableFuture<ContainerRecord>> precreated = new LinkedHashMap<>();
    private final PodStatusPublisher status;
    private final PodResizer resizer;
    private volatile boolean terminating;
    /** Set by {@link #detach}: the worker lets go of the pod at its next round, leaving it running. */
    private volatile boolean detaching;
    /** Completes once a detached worker has let go of its pod ({@link #detach}). */
    private final CompletableFuture<Void> detached = new CompletableFuture<>();
    private volatile Duration gracePeriod;
    /** The running {@link #killPod}'s deadline, which {@link #terminate} may move earlier; null before. */
    private volatile StopDeadline stopping;
    private Sandbox sandbox;
    private Map<String, java.nio.file.Path> volumes;
    private final ProbeManager probes;
    /** Containers whose liveness or startup probe failed past its threshold: killed on the worker thread. */
    private final java.util.concurrent.ConcurrentLinkedQueue<ProbeKill> probeKills = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record ProbeKill(ProbeTarget target, ProbeKind kind, Optional<Duration> grace) {}

    /** ConfigMaps/Secrets that changed and pod metadata updates, applied to the volumes on the worker thread. */
    private final java.util.concurrent.ConcurrentLinkedQueue<ConfigSource.Change> configChanges = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<MetadataChange> metadataChanges = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** New labels and/or annotations; null: that map is unchanged. */
    private record MetadataChange(Map<String, String> labels, Map<String, String> annotations) {}

    PodWorker(Engine engine, Pod pod) {
        this.engine = engine;
        this.pod = pod;
        this.uid = pod.getMetadata().getUid();
        this.paths = PodPaths.of(engine.config(), uid);
        this.status = new PodStatusPublisher(engine, pod);
        this.resizer = new PodResizer(engine, pod);
        status.resizes(() -> resizer.status(records));
        this.gracePeriod = Duration.ofSeconds(Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds()).orElse(30L));
        this.probes = new ProbeManager(engine.probers(), new ProbeSink(), engine.clock(), engine.probeScheduler());
    }

    Pod pod() { return pod; }

    CompletableFuture<Pod> finished() { return finished; }

    void start() { Thread.ofVirtual().name("pod-" + pod.getMetadata().getName()).start(this::run); }

    void signal() { wakeUps.offer(Boolean.TRUE); }

    /** A ConfigMap or Secret changed: volumes showing it are rewritten on the worker thread. */
    void configChanged(ConfigSource.Change change) {
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        if (!ns.equals(change.namespace())) return;
        if (pod.getSpec().getVolumes().stream().anyMatch(v -> ConfigVolumes.shows(v, change))) {
            configChanges.add(change);
            signal();
        }
    }

    /** New labels and/or annotations (null: unchanged) for the pod's downwardAPI volumes. */
    /** Container name → new image, from pod updates; applied on the worker thread ({@link #changeImages}). */
    private final java.util.Queue<Map<String, String>> imageChanges = new java.util.concurrent.ConcurrentLinkedQueue<>();

    void imagesChanged(Map<String, String> images) {
        imageChanges.add(Map.copyOf(images));
        signal();
    }

    /**
     * A pod update changed containers' images (the one spec change kube-apiserver allows besides a few
     * fields): kubelet sees the container's spec hash change, kills it and starts it again from the new
     * image — a new attempt, restartCount + 1 (kuberuntime computePodActions: "Container X definition
     * changed, will be restarted"). A container not running takes the new image at its next start; one
     * created ahead of its turn with the old image is discarded.
     */
    private void changeImages() {
        Map<String, String> change;
        while ((change = imageChanges.poll()) != null) {
            for (var e : change.entrySet()) {
                Container c = containerSpec(e.getKey());
                if (c == null || e.getValue().equals(c.getImage())) continue;
                c.setImage(e.getValue());
                var ahead = precreated.remove(e.getKey());
                if (ahead != null) {
                    var record = ahead.join();
                    if (record != null) engine.containers().release(record);
                }
                if (terminating) continue;
                restartForSpecChange(e.getKey(), "Container " + e.getKey() + " definition changed, will be restarted");
            }
        }
    }

    private Container containerSpec(String name) {
        for (Container c : pod.getSpec().getInitContainers()) if (c.getName().equals(name)) return c;
        for (Container c : pod.getSpec().getContainers()) if (c.getName().equals(name)) return c;
        return null;
    }

    void metadataChanged(Map<String, String> labels, Map<String, String> annotations) {
        metadataChanges.add(new MetadataChange(labels == null ? null : Map.copyOf(labels),
                annotations == null ? null : Map.copyOf(annotations)));
        signal();
    }

    /**
     * Applies pending changes to the volumes Peapod writes: configMap/secret (and projected) volumes
     * whose object changed, downwardAPI volumes after a metadata change, token renewals that are
     * due. subPath mounts keep the file they were bound to, as in Kubernetes.
     */
    private void refreshVolumes() {
        boolean metadata = false;
        MetadataChange m;
        while ((m = metadataChanges.poll()) != null) {
            if (m.labels() != null) pod.getMetadata().setLabels(new LinkedHashMap<>(m.labels()));
            if (m.annotations() != null) pod.getMetadata().setAnnotations(new LinkedHashMap<>(m.annotations()));
            metadata = true;
        }
        var changes = new ArrayList<ConfigSource.Change>();
        ConfigSource.Change c;
        while ((c = configChanges.poll()) != null) changes.add(c);
        if (volumes == null || terminating) return; // set up later from the newest state, or no longer needed
        var cfg = engine.volumes().config();
        Instant now = engine.clock().instant();
        boolean meta = metadata;
        cfg.update(pod, paths, v -> meta && ConfigVolumes.showsMetadata(v)
                        || changes.stream().anyMatch(ch -> ConfigVolumes.shows(v, ch)) || cfg.refreshDue(pod, v, now),
                (volume, message) -> engine.event(pod, null, "Warning", "FailedMount",
                        "MountVolume.SetUp failed for volume \"" + volume + "\" : " + message));
    }

    /** Queues an in-place resize for the worker thread ({@link PodResizer}). */
    CompletableFuture<List<dev.peapod.api.FieldError>> resize(Map<String, io.fabric8.kubernetes.api.model.ResourceRequirements> r) {
        if (finished.isDone()) return CompletableFuture.failedFuture(new IllegalStateException("pod has finished"));
        var result = resizer.submit(r);
        if (finished.isDone()) resizer.failQueued("pod has finished");
        signal();
        return result;
    }

    private volatile dev.peapod.node.status.Eviction rejection;

    /** The node refuses the pod before anything runs (kubelet admission): it fails at once. */
    void reject(String reason, String message) {
        rejection = new dev.peapod.node.status.Eviction(reason, message);
    }

    /** Asks the worker to stop the pod: stop signal, then SIGKILL after {@code grace} (or the pod's own grace period). */
    void terminate(Duration grace) {
        if (grace != null) {
            gracePeriod = grace;
            var s = stopping;
            if (s != null) s.shorten(grace); // a stop in flight: a shorter grace period cuts it (never lengthens)
        }
        terminating = true;
        // kubelet: liveness and startup probes stop counting, readiness goes on while the pod stops.
        probes.podTerminating();
        signal();
    }

    /** Probe results reach the worker: events at once, kills and status through the loop. */
    private final class ProbeSink implements ProbeResultsSink {
        @Override
        public void onResult(ProbeTarget target, ProbeKind kind, ProbeResult result, int consecutive) {
            ProbeEvents.forResult(kind, result).ifPresent(e -> engine.event(pod, target.container(), e.type(), e.reason(), e.message()));
        }

        @Override
        public void onChanged(ProbeTarget target, ProbeKind kind, boolean state) { signal(); }

        @Override
        public void onFailedPastThreshold(ProbeTarget target, ProbeKind kind, ProbeResult last, Optional<Duration> grace) {
            probeKills.add(new ProbeKill(target, kind, grace));
            signal();
        }
    }

    /**
     * Lets go of the pod without stopping it, as stopping kubelet does: pods are only stopped when
     * deleted (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#kubelet-restarts).
     * At its next round the worker stops its probes, writes the pod's record one last time and
     * ends, leaving the sandbox and containers to conmon; a restarted engine adopts them.
     * {@link #finished} does not complete: the pod did not finish.
     */
    CompletableFuture<Void> detach() {
        detaching = true;
        signal();
        return detached;
    }

    private void run() {
        try {
            loop();
        } catch (Detached d) {
            letGo();
            return;
        } catch (Throwable t) {
            engine.log(pod, "pod worker failed: " + t);
            status.fail(new dev.peapod.node.status.Eviction("NodeError", "worker failed: " + t.getMessage()));
            stopEverything();
        } finally {
            if (!detached.isDone()) {
                finished.complete(status.current());
                resizer.failQueued("pod has finished");
            }
            detached.complete(null); // a detach asked for while the pod finished has nothing more to wait for
        }
    }

    /** Thrown on the worker thread at a round's start once {@link #detach} was asked for. */
    private static final class Detached extends RuntimeException {
        Detached() { super(null, null, false, false); }
    }

    private void checkDetaching() {
        if (detaching) throw new Detached();
    }

    /** The detach itself, on the worker thread: nothing runs for the pod any more, nothing of it is stopped. */
    private void letGo() {
        try {
            // Created ahead of their turn, never started: nothing of them runs, they go.
            discardPrecreated();
            saveRecord(); // with the probes' last results: the next engine goes on from them
            probes.close();
        } catch (RuntimeException e) {
            engine.log(pod, "failed to detach cleanly: " + e);
        } finally {
            resizer.failQueued("the node is shutting down");
            detached.complete(null);
        }
    }

    private void loop() throws InterruptedException {
        if (rejection != null) {
            engine.event(pod, null, "Warning", rejection.reason(), rejection.message());
            status.fail(rejection);
            status.publish(observed(), waiting, terminating, probes.results());
            return;
        }
        checkDetaching();
        if (adopted) resumeAdopted();
        status.publish(observed(), waiting, terminating, probes.results());
        while (true) {
            checkDetaching();
            for (var r : records) if (engine.containers().refresh(r)) probes.containerStopped(r.name);
            refreshVolumes();
            killUnhealthy();
            resize();
            changeImages();
            var deadline = dev.peapod.node.lifecycle.ActiveDeadline.check(pod.getSpec().getActiveDeadlineSeconds(),
                    status.startTime(), engine.clock().instant());
            if (deadline.exceeded() && !terminating) {
                // activeDeadlineSeconds: the pod fails and is stopped with its own grace period.
                engine.event(pod, null, "Normal", deadline.reason(), deadline.message());
                status.fail(new dev.peapod.node.status.Eviction(deadline.reason(), deadline.message()));
                terminating = true;
            }
            var probeResults = probes.results();
            var seen = observed();
            // kubelet's syncPod writes the status it sees before it acts: an init container's exit shows (the
            // main containers waiting, PodInitializing) before they start. Unchanged statuses are not sent again.
            status.publish(seen, waiting, terminating, probeResults);
            var plan = PodPlanner.compute(pod, seen, engine.backoff().gate(uid), probeResults::startedIfRunning,
                    terminating);
            boolean acted = execute(plan);
            var obs = observed();
            status.publish(obs, waiting, terminating, probes.results());
            saveRecord();
            if (plan.done() && obs.containers().stream().allMatch(c -> c.exited())) {
                stopEverything();
                status.publish(observed(), waiting, terminating, probes.results());
                return;
            }
            if (acted) continue; // something changed: look again at once
            Duration wait = engine.config().resync();
            Instant now = engine.clock().instant();
            Optional<Instant> next = plan.nextWakeUp();
            for (Instant t : retryAt.values()) if (next.isEmpty() || t.isBefore(next.get())) next = Optional.of(t);
            var renew = engine.volumes().config().nextRefresh(pod);
            if (renew.isPresent() && (next.isEmpty() || renew.get().isBefore(next.get()))) next = renew;
            if (!terminating && deadline.deadline().isPresent()
                    && (next.isEmpty() || deadline.deadline().get().isBefore(next.get()))) {
                next = deadline.deadline();
            }
            if (next.isPresent()) {
                Duration until = Duration.between(now, next.get());
                if (until.compareTo(wait) < 0) wait = until.isNegative() ? Duration.ZERO : until;
            }
            wakeUps.poll(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    /** Carries the plan out; returns whether anything changed (so that the loop plans again at once). */
    private boolean execute(PodActions plan) {
        boolean acted = false;
        if (plan.killPod()) { killPod(); acted = true; }
        if (plan.createSandbox() && !terminating) {
            if (!createSandbox()) return acted;
            acted = true;
        }
        for (var entry : plan.kill().entrySet()) {
            var record = latestRecord(entry.getKey());
            if (record.isEmpty()) continue;
            engine.event(pod, entry.getKey(), "Normal", "Killing", "Stopping container " + entry.getKey());
            engine.containers().stop(record.get(), gracePeriod);
            acted = true;
        }
        plan.backingOff().forEach((name, until) -> {
            long secs = Math.max(0, Duration.between(engine.clock().instant(), until).toSeconds());
            String podRef = pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + uid + ")";
            var w = new Waiting("CrashLoopBackOff", "back-off " + Durations.go(engine.backoff().delay(Backoff.key(uid, name)))
                    + " restarting failed container=" + name + " pod=" + podRef);
            if (!w.equals(waiting.put(name, w))) {
                engine.event(pod, name, "Warning", "BackOff", "Back-off restarting failed container " + name
                        + " in pod " + podRef + " (next start in " + secs + "s)");
            }
        });
        for (String name : plan.start()) {
            if (terminating) return acted;
            acted |= startContainer(name);
        }
        return acted;
    }

    private boolean createSandbox() {
        Instant retry = retryAt.get("");
        if (retry != null && engine.clock().instant().isBefore(retry)) return false;
        try {
            // Recorded before anything of the sandbox exists: an engine dying midway leaks nothing.
            String id = ContainerIds.next();
            java.nio.file.Files.createDirectories(paths.runDir());
            PodRecord.creating(pod, status.startTime(), id, Sandboxes.podCgroup(pod)).write(paths.runDir());
            if (volumes == null) volumes = engine.volumes().setUp(pod, paths);
            // While CNI ADD runs, the containers are created (not started): see precreateAfter.
            sandbox = engine.sandboxes().create(pod, paths, (reason, message) -> engine.event(pod, null, "Warning", reason, message),
                    early -> {
                        precreateAfter(null, new Containers.PodContext(pod, early, paths, volumes, engine.configSource(), engine.hostIp(), null));
                        return this::discardPrecreated;
                    }, id);
            saveRecord(); // the sandbox exists: adoptable from now on
            status.podIp(Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) ? engine.hostIp() : sandbox.podIp());
            resizer.sandboxCreated();
            engine.qosCgroups().added(pod);
            retryAt.remove("");
            return true;
        } catch (VolumeException e) {
            engine.event(pod, null, "Warning", "FailedMount", e.getMessage());
        } catch (Exception e) {
            engine.event(pod, null, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
        }
        retryAt.put("", engine.clock().instant().plus(engine.config().backoffBase()));
        return false;
    }

    /** Returns whether a container attempt was made (started, or failed to start and exited). */
    private boolean startContainer(String name) {
        Instant retry = retryAt.get(name);
        Instant now = engine.clock().instant();
        Container c = container(name);
        if (retry != null && now.isBefore(retry)) {
            // kubelet: between pull attempts the reason is ImagePullBackOff (images/image_manager.go).
            var w = waiting.get(name);
            if (w != null && w.reason().equals("ErrImagePull")) {
                waiting.put(name, new Waiting("ImagePullBackOff", "Back-off pulling image \"" + c.getImage() + "\": " + w.message()));
            }
            return false;
        }
        ContainerKind kind = kind(c);
        var latest = latestRecord(name);
        int attempt = latest.map(r -> r.attempt + 1).orElse(0);
        // A container stopped for its resize did not crash: no CrashLoopBackOff step for it.
        latest.filter(r -> r.exited != null && !r.stoppedForSpecChange)
                .ifPresent(r -> engine.backoff().next(Backoff.key(uid, name), r.exited.finishedAt()));
        var ctx = new Containers.PodContext(pod, sandbox, paths, volumes, engine.configSource(), engine.hostIp(), sandbox.podIp());
        EnvResolver.skippedEnvFromKeys(pod, c, engine.configSource())
                .forEach(m -> engine.event(pod, name, "Warning", "InvalidEnvironmentVariableNames", m));
        try {
            var ahead = takePrecreated(name, attempt);
            precreateAfter(name, ctx);
            var record = ahead != null ? engine.containers().start(ahead) : engine.containers().start(ctx, c, kind, attempt, this::signal);
            retryAt.remove(name);
            waiting.remove(name);
            records.add(record);
            pruneOldAttempts(name);
            engine.logStarted(pod, name, attempt, record.logPath);
            if (record.exited != null) {
                engine.event(pod, name, "Warning", "Failed", "Error: " + record.exited.message());
            } else {
                // kubelet's events for a container's turn: the image's (Pulling/Pulled, from
                // ImagePulls as from kubelet's image manager), then Created and Started
                // (kuberuntime_container.go startContainer).
                engine.event(pod, name, "Normal", "Created", "Created container " + name);
                engine.event(pod, name, "Normal", "Started", "Started container " + name);
                if (!postStart(c, record)) return true;
                probes.containerStarted(c, record.id, sandbox.podIp(), record.startedAt);
            }
            return true;
        } catch (ContainerStartException e) {
            waiting.put(name, new Waiting(e.reason, e.getMessage()));
            engine.event(pod, name, "Warning", "Failed", "Error: " + e.getMessage());
            Duration delay = engine.backoff().next(Backoff.key(uid, "start:" + name), now);
            retryAt.put(name, now.plus(delay));
            return false;
        }
    }

    /**
     * Creates the containers that come after {@code starting} ahead of their turn — the later init
     * containers and sidecars and every regular container — in parallel with it. A turn then costs
     * only the runtime's start: the pod's containers still start one after another, in kubelet's
     * order, but without waiting for each other's rootfs, spec and runtime create (crun create runs
     * a container's process only up to its exec: nothing of it runs, and nothing is observable,
     * before its turn). kubelet creates a container at its turn. Not for containers with subPath
     * mounts, whose directories are made at the container's turn (an init container may create
     * the path first), and only for first attempts. With {@code starting} null (the sandbox's
     * infra runs, CNI ADD is still in flight) every container is created, except those whose env
     * needs the pod IP.
     */
    private void precreateAfter(String starting, Containers.PodContext ctx) {
        if (terminating) return;
        var inits = pod.getSpec().getInitContainers();
        int i = starting == null ? -1 : index(starting);
        var next = new ArrayList<Container>();
        if (starting == null) next.addAll(inits);
        else if (i >= 0) next.addAll(inits.subList(i + 1, inits.size()));
        next.addAll(pod.getSpec().getContainers());
        for (Container n : next) {
            if (n.getName().equals(starting) || precreated.containsKey(n.getName())
                    || latestRecord(n.getName()).isPresent() || hasSubPath(n)
                    || (ctx.podIp() == null && usesPodIp(n))) continue;
            var future = new CompletableFuture<ContainerRecord>();
            ContainerKind kind = kind(n);
            Thread.ofVirtual().name("precreate-" + n.getName()).start(() -> {
                try {
                    future.complete(engine.containers().create(ctx, n, kind, 0, this::signal));
                } catch (Throwable t) {
                    // Whatever failed fails again, and is reported, at the container's turn.
                    future.complete(null);
                }
            });
            precreated.put(n.getName(), future);
        }
    }

    /** The container created ahead for this attempt, if that worked; null otherwise. */
    private ContainerRecord takePrecreated(String name, int attempt) {
        var future = precreated.remove(name);
        if (future == null) return null;
        var record = future.join();
        if (record == null || record.exited != null) return null; // a failed runtime create released itself
        if (record.attempt != attempt) {
            engine.containers().release(record);
            return null;
        }
        // Created before the pod had its IP: hooks go to the pod IP known now.
        record.hookTarget = new HookRunner.Target(pod, record.container, record.id, sandbox.podIp());
        return record;
    }

    /** Whether the container's env needs the pod IP (downward API status.podIP/podIPs), known only after CNI ADD. */
    private static boolean usesPodIp(Container c) {
        return c.getEnv().stream().anyMatch(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null
                && String.valueOf(e.getValueFrom().getFieldRef().getFieldPath()).startsWith("status.podIP"));
    }

    /** Deletes the containers created ahead that never got their turn (the pod stops, or its sandbox is replaced). */
    private void discardPrecreated() {
        for (var future : precreated.values()) {
            var record = future.join();
            if (record != null) engine.containers().release(record);
        }
        precreated.clear();
    }

    private static boolean hasSubPath(Container c) {
        return c.getVolumeMounts().stream().anyMatch(m -> (m.getSubPath() != null && !m.getSubPath().isEmpty())
                || (m.getSubPathExpr() != null && !m.getSubPathExpr().isEmpty()));
    }

    /**
     * postStart (https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/): runs
     * beside the entrypoint; the container does not count as started until it returns, and a
     * failure kills the container (FailedPostStartHook), after which the restart policy decides.
     */
    private boolean postStart(Container c, ContainerRecord record) {
        var lifecycle = c.getLifecycle();
        if (lifecycle == null || lifecycle.getPostStart() == null) return true;
        var target = new HookRunner.Target(pod, c, record.id, sandbox.podIp());
        var result = engine.hooks().run(target, lifecycle.getPostStart(), HookRunner.NO_TIMEOUT);
        switch (result) {
            case HookResult.Succeeded ok -> {
                ok.warning().ifPresent(w -> engine.event(pod, c.getName(), "Warning", w.reason(), w.message()));
                return true;
            }
            case HookResult.Failed f -> postStartFailed(c, record, f.message());
            case HookResult.TimedOut t -> postStartFailed(c, record, t.message());
        }
        return false;
    }

    private void postStartFailed(Container c, ContainerRecord record, String message) {
        engine.event(pod, c.getName(), "Warning", HookRunner.FAILED_POST_START_HOOK, message);
        engine.event(pod, c.getName(), "Normal", "Killing", HookRunner.FAILED_POST_START_HOOK);
        engine.containers().stop(record, gracePeriod);
    }

    /** Keep the latest and the previous attempt per container (for lastState), like kubelet's container GC. */
    private void pruneOldAttempts(String name) {
        var mine = records.stream().filter(r -> r.name.equals(name)).toList();
        for (int i = 0; i < mine.size() - 2; i++) {
            engine.containers().release(mine.get(i));
            records.remove(mine.get(i));
        }
    }

    /**
     * Stops the whole pod in kubelet's order: regular containers first, all at once; then native
     * sidecars one by one, last declared first — all within one grace period
     * (https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#sidecar-containers-and-pod-lifecycle).
     * While the regular containers drain on termination, sidecars that exit are restarted
     * ({@link PodPlanner#restartsWhileDraining}); not when the sandbox died, which takes them all.
     */
    private void killPod() {
        discardPrecreated();
        var deadline = StopDeadline.after(gracePeriod);
        stopping = deadline;
        deadline.shorten(gracePeriod); // a terminate() that came between the two lines above
        var regular = records.stream().filter(r -> r.exited == null && r.kind != ContainerKind.SIDECAR).toList();
        if (!regular.isEmpty()) {
            boolean restartSidecars = terminating && observed().sandboxReady();
            try (var scope = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var stops = new ArrayList<java.util.concurrent.Future<?>>();
                for (var r : regular) {
                    engine.event(pod, r.name, "Normal", "Killing", "Stopping container " + r.name);
                    stops.add(scope.submit(() -> engine.containers().stop(r, deadline)));
                }
                while (restartSidecars && !stops.stream().allMatch(java.util.concurrent.Future::isDone)) {
                    keepSidecarsUpWhileDraining();
                    awaitWakeUp(DRAIN_POLL);
                }
            }
        }
        var sidecars = new ArrayList<>(records.stream().filter(r -> r.exited == null && r.kind == ContainerKind.SIDECAR).toList());
        sidecars.sort((a, b) -> Integer.compare(index(b.name), index(a.name)));
        for (var r : sidecars) {
            engine.event(pod, r.name, "Normal", "Killing", "Stopping container " + r.name);
            // kubelet gives every container at least minimumGracePeriodInSeconds (2 s) to stop,
            // also a sidecar whose turn comes when the pod's grace period is used up (KEP-753).
            var grace = deadline.remaining();
            engine.containers().stop(r, grace.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : grace);
        }
        for (var r : records) if (engine.containers().refresh(r)) probes.containerStopped(r.name);
        records.forEach(engine.containers()::release); // waits for releases running in the background
        removeSandbox();
    }

    /** How often the drain loop looks at the sidecars when no exit signal wakes it first. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(100);

    /** One round of the drain loop: sidecars that exited are restarted (or wait out their backoff). */
    private void keepSidecarsUpWhileDraining() {
        for (var r : List.copyOf(records)) {
            if (r.kind == ContainerKind.SIDECAR && engine.containers().refresh(r)) probes.containerStopped(r.name);
        }
        var plan = PodPlanner.restartsWhileDraining(pod, observed(), engine.backoff().gate(uid));
        for (String name : plan.start()) startContainer(name);
    }

    private void awaitWakeUp(Duration atMost) {
        try {
            wakeUps.poll(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeSandbox() {
        if (sandbox == null) return;
        try {
            engine.sandboxes().remove(sandbox, pod, paths);
        } catch (Exception e) {
            engine.log(pod, "failed to remove sandbox: " + e.getMessage());
        }
        sandbox = null;
        resizer.sandboxRemoved();
        engine.qosCgroups().removed(pod);
    }

    /**
     * A liveness or startup probe failed past its threshold: the container is stopped (with the
     * probe's terminationGracePeriodSeconds when it has one) and the restart policy decides what
     * follows (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/).
     */
    private void killUnhealthy() {
        ProbeKill kill;
        while ((kill = probeKills.poll()) != null) {
            var target = kill.target();
            var record = latestRecord(target.container());
            if (record.isEmpty() || !record.get().id.equals(target.containerId()) || record.get().exited != null) continue;
            engine.event(pod, target.container(), "Normal", "Killing", ProbeEvents.killMessage(target.container(), kill.kind()));
            engine.containers().stop(record.get(), kill.grace().orElse(gracePeriod));
            probes.containerStopped(target.container());
        }
    }

    /**
     * In-place resizes: admitted and applied to the cgroups by {@link PodResizer}; a container
     * whose resizePolicy asks for it is stopped and started again at once with its new resources,
     * whatever its exit code and restart policy (kubelet kills and starts it in one sync: a resize
     * is no crash).
     */
    private void resize() {
        if (terminating) return;
        String qos = status.current().getStatus() == null ? null : status.current().getStatus().getQosClass();
        for (String name : resizer.step(records, sandbox, qos)) {
            restartForSpecChange(name, "Container " + name + " resize requires restart");
        }
    }

    /**
     * Stops a running container whose spec changed (a resize with RestartContainer, a new image) and
     * starts it again at once: kubelet kills and starts it in one sync, and it is no crash — no
     * CrashLoopBackOff step. A container not running is left to its next start.
     */
    private void restartForSpecChange(String name, String message) {
        var record = latestRecord(name);
        if (record.isEmpty() || record.get().exited != null) return;
        engine.event(pod, name, "Normal", "Killing", message);
        record.get().stoppedForSpecChange = true;
        engine.containers().stop(record.get(), gracePeriod);
        probes.containerStopped(name);
        startContainer(name);
    }

    /** Final teardown: every container released, the sandbox and volumes removed. Idempotent. */
    private void stopEverything() {
        probes.close();
        discardPrecreated();
        for (var r : records) {
            if (r.exited == null) engine.containers().stop(r, Duration.ZERO);
            engine.containers().release(r);
        }
        removeSandbox();
        // Also after a failed set-up, which may have mounted some volumes' tmpfs.
        try {
            engine.volumes().tearDown(pod, paths);
        } catch (RuntimeException e) {
            engine.log(pod, "failed to tear down volumes: " + e.getMessage());
        }
    }

    // --- restart safety (issue 6): the pod's record on disk, adoption by a restarted engine ---

    /** Set by {@link #adopt}: the sandbox and containers came from an earlier engine's record. */
    private boolean adopted;
    private PodRecord lastSaved;

    /**
     * Writes the pod's record ({@link PodRecord}) when what runs changed, so that a restarted engine
     * adopts the pod instead of starting it anew. Only while a sandbox exists: without one there is
     * nothing to adopt (and removing the sandbox removed the run dir, and the record with it).
     */
    private void saveRecord() {
        if (sandbox == null) return;
        try {
            var next = PodRecord.of(pod, status.startTime(), sandbox, records, new PodRecord.Extras(probes.results(),
                    engine.backoff().of(uid), engine.userNamespaces().hostId(uid)));
            if (next.equals(lastSaved)) return;
            next.write(paths.runDir());
            lastSaved = next;
        } catch (java.io.IOException | RuntimeException e) {
            engine.log(pod, "failed to record the pod for restart safety: " + e.getMessage());
        }
    }

    /**
     * Takes over the sandbox and containers an earlier engine recorded (call before {@link #start}):
     * same container ids and attempts (restartCount), the same start time and pod IP; exits conmon
     * recorded meanwhile are read from their exit files by the first round, and the restart policy
     * handles them as any exit. kubelet's pod workers likewise resync against the runtime after a
     * kubelet restart (https://kubernetes.io/docs/concepts/architecture/#kubelet).
     */
    void adopt(PodRecord rec) {
        sandbox = rec.toSandbox();
        lastSaved = rec;
        if (rec.startTime() != null) status.startTime(java.time.Instant.parse(rec.startTime()));
        status.podIp(Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) ? engine.hostIp() : sandbox.podIp());
        // CrashLoopBackOff carries over: an adopted crash-looping container waits out its delay.
        engine.backoff().restore(uid, rec.backoffStates());
        restoreAllocation(rec);
        for (var a : rec.containers()) {
            var r = PodRecord.toRecord(a);
            try {
                r.container = container(r.name);
                if (r.applied == null) r.applied = r.container.getResources();
                r.hookTarget = new HookRunner.Target(pod, r.container, r.id, sandbox.podIp());
            } catch (IllegalArgumentException e) {
                // not in the spec (cannot happen: containers are immutable); stopped like any other
            }
            engine.containers().adopt(r, paths, this::signal);
            records.add(r);
            if (a.exited() == null) adoptedProbes.put(r.id, a);
            engine.logStarted(pod, r.name, r.attempt, r.logPath);
        }
        // Containers created after the record was last written (the engine died in between).
        var known = new java.util.HashSet<String>();
        known.add(sandbox.id());
        records.forEach(r -> known.add(r.id));
        java.nio.file.Path bundles = paths.bundle(sandbox.id()).getParent();
        if (java.nio.file.Files.isDirectory(bundles)) {
            try (var ids = java.nio.file.Files.list(bundles)) {
                for (var b : ids.toList()) {
                    String id = b.getFileName().toString();
                    if (known.contains(id)) continue;
                    engine.log(pod, "removing container " + id + ", which no record names");
                    engine.containers().removeUnrecorded(paths, id);
                }
            } catch (java.io.IOException e) {
                engine.log(pod, "failed to look for unrecorded containers: " + e.getMessage());
            }
        }
        adopted = true;
    }

    /** Recorded attempts still running at adoption (by id): their last known started/ready seed the probes. */
    private final Map<String, PodRecord.Attempt> adoptedProbes = new java.util.HashMap<>();

    /**
     * In-place resize across a restart: the record's pod holds the resources allocated to each
     * container (kubelet checkpoints them, allocation manager); the pod given now holds the desired
     * ones (the store's spec). The worker goes on from the allocated ones, and a difference is
     * resized again — admitted, applied or left pending with its reason — as kubelet's next sync
     * handles a desired != allocated pod.
     */
    private void restoreAllocation(PodRecord rec) {
        Pod allocated;
        try {
            allocated = rec.decodePod();
        } catch (java.io.IOException e) {
            engine.log(pod, "unreadable pod in its record, resources as the spec says: " + e.getMessage());
            return;
        }
        var desired = new LinkedHashMap<String, io.fabric8.kubernetes.api.model.ResourceRequirements>();
        var was = new ArrayList<Container>(allocated.getSpec().getInitContainers());
        was.addAll(allocated.getSpec().getContainers());
        for (Container a : was) {
            Container c = containerSpec(a.getName());
            if (c == null || java.util.Objects.equals(c.getResources(), a.getResources())) continue;
            desired.put(c.getName(), c.getResources());
            c.setResources(a.getResources());
        }
        if (!desired.isEmpty()) {
            resizer.submit(desired).whenComplete((errors, e) -> {
                if (e != null || !errors.isEmpty()) {
                    engine.log(pod, "resize pending at restart refused: " + (e != null ? e.getMessage() : errors));
                }
            });
        }
    }

    /** On the worker thread, first: volumes (set up again, idempotent), pod cgroup bookkeeping, probes of the running containers. */
    private void resumeAdopted() {
        try {
            volumes = engine.volumes().setUp(pod, paths);
        } catch (VolumeException e) {
            engine.event(pod, null, "Warning", "FailedMount", e.getMessage());
        }
        resizer.sandboxCreated();
        engine.qosCgroups().added(pod);
        for (var r : records) {
            if (r.exited == null && r.startedAt != null && r.container != null
                    && latestRecord(r.name).map(l -> l == r).orElse(false)) {
                var a = adoptedProbes.get(r.id);
                probes.containerAdopted(r.container, r.id, sandbox.podIp(), r.startedAt,
                        a == null ? null : a.started(), a == null ? null : a.ready());
            }
        }
        adoptedProbes.clear();
    }

    /** Stops and removes everything of an adopted pod that is not to run (no longer wanted, or its runtime state is gone). */
    void discard() {
        stopEverything();
        removeFiles();
    }

    /** Removes what is left after the pod finished: logs and the pod's data directory. */
    void removeFiles() {
        try {
            FileTree.deleteRecursively(paths.dataDir());
            FileTree.deleteRecursively(paths.runDir());
        } catch (java.io.IOException e) {
            engine.log(pod, "failed to remove pod directories: " + e.getMessage());
        }
        engine.backoff().resetPod(uid);
    }

    ObservedPod observed() {
        var sb = Optional.ofNullable(sandbox).map(s -> new ObservedSandbox(s.id(), engine.sandboxes().alive(s), s.createdAt()));
        return new ObservedPod(sb, records.stream().map(ContainerRecord::observed).toList());
    }

    private Optional<ContainerRecord> latestRecord(String name) {
        ContainerRecord best = null;
        for (var r : records) if (r.name.equals(name) && (best == null || r.attempt > best.attempt)) best = r;
        return Optional.ofNullable(best);
    }

    private Container container(String name) {
        for (Container c : pod.getSpec().getInitContainers()) if (c.getName().equals(name)) return c;
        for (Container c : pod.getSpec().getContainers()) if (c.getName().equals(name)) return c;
        throw new IllegalArgumentException("no container " + name);
    }

    private ContainerKind kind(Container c) {
        if (pod.getSpec().getContainers().contains(c)) return ContainerKind.REGULAR;
        return PodPlanner.isSidecar(c) ? ContainerKind.SIDECAR : ContainerKind.INIT;
    }

    private int index(String name) {
        var inits = pod.getSpec().getInitContainers();
        for (int i = 0; i < inits.size(); i++) if (inits.get(i).getName().equals(name)) return i;
        return -1;
    }
}
