package dev.peapod.node;

import dev.peapod.image.Images;
import dev.peapod.node.backoff.Backoff;
import dev.peapod.oci.Cgroups;
import dev.peapod.oci.Mounter;
import dev.peapod.oci.OciRuntime;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node engine (the kubelet analogue): runs pods on this host, one {@link PodWorker} per pod.
 * Fronts ({@code peapod up}, later {@code peapod serve}) submit validated, defaulted pods and
 * listen for status and events.
 *
 * <p>Contract: thread safe. {@link #run} returns at once; the pod starts on its own virtual thread.
 */
public final class Engine implements AutoCloseable {

    /** The outside world the engine drives; real implementations come from {@code HostRuntime}, fakes from tests. */
    public record Parts(OciRuntime oci, Mounter mounter, Cgroups cgroups, Images images, dev.peapod.node.spec.HostFacts host,
                        PodNetwork network, dev.peapod.image.ImagePuller puller) {
        /** Parts without registry access ({@link dev.peapod.image.ImagePuller#DISABLED}): local images only. */
        public Parts(OciRuntime oci, Mounter mounter, Cgroups cgroups, Images images, dev.peapod.node.spec.HostFacts host,
                     PodNetwork network) {
            this(oci, mounter, cgroups, images, host, network, dev.peapod.image.ImagePuller.DISABLED);
        }

        /** Parts without a pod network: pods get loopback only. */
        public Parts(OciRuntime oci, Mounter mounter, Cgroups cgroups, Images images, dev.peapod.node.spec.HostFacts host) {
            this(oci, mounter, cgroups, images, host, PodNetwork.LOOPBACK_ONLY);
        }

        /** These parts pulling images with {@code puller}. */
        public Parts withPuller(dev.peapod.image.ImagePuller puller) {
            return new Parts(oci, mounter, cgroups, images, host, network, puller);
        }
    }

    private final NodeConfig config;
    private final boolean appArmorEnabled = Admission.appArmorEnabled();
    /** Host id ranges of hostUsers: false pods. */
    private final UserNamespaces userNamespaces = new UserNamespaces();
    private final Parts parts;
    private final PodListener listener;
    private final ConfigSource configSource;
    private final InstantSource clock;
    private final Backoff backoff;
    private final ExitWatcher exits;
    private final Containers containers;
    private final Sandboxes sandboxes;
    private final Volumes volumes;
    private final dev.peapod.node.gc.ImageGc imageGc;
    private final QosCgroups qosCgroups;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final HostPorts hostPorts = new HostPorts();
    private final String hostIp;
    /** One prober and one scheduler for every pod's probe workers (virtual threads). */
    private final dev.peapod.node.probe.Probers probers;
    private final dev.peapod.node.probe.VirtualThreadScheduler probeScheduler;
    private final dev.peapod.node.lifecycle.HookRunner hooks;

    public Engine(NodeConfig config, Parts parts, PodListener listener, ConfigSource configSource, InstantSource clock) {
        this.config = config;
        this.parts = parts;
        this.listener = listener;
        this.configSource = configSource;
        this.clock = clock;
        this.backoff = new Backoff(clock, config.backoffBase(), config.backoffMax());
        this.exits = new ExitWatcher(parts.oci().exitDir());
        this.sandboxes = new Sandboxes(parts.oci(), parts.mounter(), parts.cgroups(), config.runDir(), parts.host(), parts.network(),
                config.podPidsLimit());
        this.volumes = new Volumes(parts.mounter(),
                new ConfigVolumes(parts.mounter(), configSource, clock, config.dataDir().resolve("serviceaccount")),
                new ClaimVolumes(configSource, config.dataDir()),
                // this engine's state, and that of a Peapod on the default directories
                java.util.List.of(config.dataDir(), config.runDir(), java.nio.file.Path.of("/var/lib/peapod"),
                        java.nio.file.Path.of("/run/peapod")));
        // Running pods' configMap/secret volumes follow their objects (kubelet's volume manager
        // resyncs them; here the source says what changed).
        configSource.watch(change -> workers.values().forEach(w -> w.configChanged(change)));
        this.qosCgroups = new QosCgroups(parts.cgroups());
        var specs = new SpecWriter(parts.host(), new SeccompProfiles(config.security().seccompRoot(),
                config.security().seccompDefault()), userNamespaces);
        var images = new PodImages(parts.images(), new ImagePulls(parts.images(), parts.puller(), configSource, this::event),
                clock);
        this.containers = new Containers(parts.oci(), parts.mounter(), images, exits, specs,
                new ImageVolumes(images, parts.mounter()));
        containers.cgroups(parts.cgroups());
        this.containers.userNamespaces(userNamespaces);
        this.hostIp = HostAddress.primary();
        this.imageGc = new dev.peapod.node.gc.ImageGc(parts.images(), config.dataDir(),
                dev.peapod.node.gc.ImageGc.DiskStats.of(config.dataDir().resolve("images")), config.imageGc(), clock,
                line -> System.getLogger("peapod").log(System.Logger.Level.INFO, line));
        imageGc.start(dev.peapod.node.gc.ImageGc.PERIOD);
        this.probers = new dev.peapod.node.probe.Probers(dev.peapod.node.probe.ContainerExec.of(parts.oci()));
        this.probeScheduler = new dev.peapod.node.probe.VirtualThreadScheduler(clock);
        var oci = parts.oci();
        this.hooks = dev.peapod.node.lifecycle.HookRunner.withDefaults((id, argv, timeout) -> {
            var r = oci.exec(id, argv, timeout);
            if (r.timedOut()) throw new java.util.concurrent.TimeoutException("command timed out after " + timeout);
            return new dev.peapod.node.lifecycle.HookRunner.ExecResult(r.exitCode(), r.stdout(), r.stderr());
        });
        this.containers.hooks(hooks, (r, message) -> event(r.hookTarget.pod(), r.name, "Warning",
                dev.peapod.node.lifecycle.HookRunner.FAILED_PRE_STOP_HOOK, message));
    }

    /** Starts running a pod (already defaulted and validated). Assigns a uid if it has none. */
    public Pod run(Pod pod) {
        if (pod.getMetadata().getUid() == null) pod.getMetadata().setUid(UUID.randomUUID().toString());
        if (pod.getMetadata().getNamespace() == null) pod.getMetadata().setNamespace("default");
        var worker = new PodWorker(this, pod);
        var recorded = adoptable.remove(pod.getMetadata().getUid());
        if (recorded != null) worker.adopt(recorded);
        if (workers.putIfAbsent(pod.getMetadata().getUid(), worker) != null) {
            throw new IllegalStateException("pod " + pod.getMetadata().getUid() + " is already running");
        }
        var rejected = Admission.check(pod, config.security(), appArmorEnabled);
        String conflict = rejected.isPresent() ? null : hostPorts.claim(pod);
        if (rejected.isPresent()) {
            // kubelet's sysctl and AppArmor admit handlers reject the pod.
            worker.reject(rejected.get().reason(), rejected.get().message());
        } else if (conflict != null) {
            // kubelet's admission rejects a pod whose hostPorts are taken (GeneralPredicates: NodePorts).
            worker.reject("NodePorts", "Pod was rejected: Predicate NodePorts failed: " + conflict);
        } else {
            worker.finished().whenComplete((p, e) -> hostPorts.release(pod));
        }
        worker.finished().whenComplete((p, e) -> userNamespaces.release(pod.getMetadata().getUid()));
        worker.start();
        return pod;
    }

    /** Pods {@link #reconcile} found still running, adopted by {@link #run} (by uid). */
    private final Map<String, PodRecord> adoptable = new ConcurrentHashMap<>();

    /**
     * Restart safety (issue 6): call once, before any {@link #run}, with every pod the front's store
     * holds. Reads the records earlier runs left in the run dir and asks the runtime what it still
     * has; then, as {@link dev.peapod.node.restart.Reconcile} plans it, remembers the pods to adopt
     * (their next {@link #run} takes over the running containers), and stops and removes the
     * leftovers of pods that are gone from the store, or whose runtime state is gone (those start
     * anew at their {@link #run}).
     */
    public java.util.List<dev.peapod.node.restart.Reconcile.Action> reconcile(
            java.util.Collection<dev.peapod.node.restart.Reconcile.StoredPod> stored) {
        var records = new java.util.LinkedHashMap<String, PodRecord>();
        java.nio.file.Path pods = config.runDir().resolve("pods");
        if (java.nio.file.Files.isDirectory(pods)) {
            try (var dirs = java.nio.file.Files.list(pods)) {
                for (var d : dirs.sorted().toList()) {
                    var r = PodRecord.read(d);
                    if (r.isPresent()) records.put(d.getFileName().toString(), r.get());
                    else removeUnrecordedPod(d.getFileName().toString());
                }
            } catch (java.io.IOException e) {
                log("failed to list recorded pods in " + pods + ": " + e.getMessage());
            }
        }
        var known = new java.util.HashSet<String>();
        var exitFiles = new java.util.HashSet<String>();
        var recorded = new java.util.ArrayList<dev.peapod.node.restart.Reconcile.RecordedPod>();
        records.forEach((uid, r) -> {
            var live = new java.util.ArrayList<String>();
            for (var a : r.containers()) if (a.exited() == null) live.add(a.id());
            String sandboxId = r.sandbox() == null ? null : r.sandbox().id();
            var ids = new java.util.ArrayList<>(live);
            if (sandboxId != null) ids.add(sandboxId);
            for (String id : ids) {
                if (parts.oci().state(id).isPresent()) known.add(id);
                if (parts.oci().exitCode(id).isPresent()) exitFiles.add(id);
            }
            recorded.add(new dev.peapod.node.restart.Reconcile.RecordedPod(uid, sandboxId, live,
                    r.sandbox() == null || !r.sandbox().creating()));
        });
        var plan = dev.peapod.node.restart.Reconcile.plan(stored, recorded,
                new dev.peapod.node.restart.Reconcile.Runtime(known, exitFiles));
        for (var action : plan) {
            PodRecord r = records.get(action.uid());
            switch (action) {
                case dev.peapod.node.restart.Reconcile.Adopt a -> {
                    adoptable.put(a.uid(), r);
                    // Its containers run in that id range: no new pod may get it.
                    if (r.userNamespaceHostId() != null && !userNamespaces.restore(a.uid(), r.userNamespaceHostId())) {
                        log("pod " + a.uid() + ": its user namespace range from " + r.userNamespaceHostId() + " is taken");
                    }
                }
                case dev.peapod.node.restart.Reconcile.Start st -> { if (st.cleanFirst()) discard(st.uid(), r); }
                case dev.peapod.node.restart.Reconcile.Clean c -> discard(c.uid(), r);
            }
        }
        return plan;
    }

    /**
     * A pod run dir without a record (an engine died between making it and writing the record, or
     * a Peapod from before the record was written first): its containers, found by their bundles,
     * are removed, then its /dev/shm and directories. Its network and cgroup need the pod, which
     * no record names: they stay.
     */
    private void removeUnrecordedPod(String uid) {
        var paths = PodPaths.of(config, uid);
        log("removing pod run dir " + paths.runDir() + ", which holds no record");
        java.nio.file.Path bundles = paths.runDir().resolve("containers");
        if (java.nio.file.Files.isDirectory(bundles)) {
            try (var ids = java.nio.file.Files.list(bundles)) {
                for (var b : ids.toList()) containers.removeUnrecorded(paths, b.getFileName().toString());
            } catch (java.io.IOException | RuntimeException e) {
                log("failed to remove the containers of " + paths.runDir() + ": " + e.getMessage());
            }
        }
        try {
            parts.mounter().unmount(paths.shm(), true);
            FileTree.deleteRecursively(paths.runDir());
            FileTree.deleteRecursively(paths.dataDir());
        } catch (Exception e) {
            log("failed to remove " + paths.runDir() + ": " + e.getMessage());
        }
    }

    /** Stops and removes what an earlier run left of a pod, through a worker adopted for that alone. */
    private void discard(String uid, PodRecord r) {
        try {
            var pod = r.decodePod();
            var worker = new PodWorker(this, pod);
            worker.adopt(r);
            worker.discard();
            log("removed what an earlier run left of pod " + pod.getMetadata().getNamespace() + "/"
                    + pod.getMetadata().getName() + " (" + uid + ")");
        } catch (java.io.IOException | RuntimeException e) {
            log("failed to remove what an earlier run left of pod " + uid + ": " + e);
        }
    }

    /**
     * The pod's labels and annotations changed (in {@code peapod serve}, a PATCH of its metadata):
     * downwardAPI volumes that show them are rewritten, as kubelet does; env values stay as they
     * were when each container started. Null leaves that map as it is.
     */
    public void updatePodMetadata(String uid, Map<String, String> labels, Map<String, String> annotations) {
        Optional.ofNullable(workers.get(uid)).ifPresent(w -> w.metadataChanged(labels, annotations));
    }

    /**
     * A pod update changed images (container name → image): each running container concerned is
     * restarted from its new image, as kubelet does when a container's spec changes.
     */
    public void updateImages(String uid, Map<String, String> images) {
        Optional.ofNullable(workers.get(uid)).ifPresent(w -> w.imagesChanged(images));
    }

    /**
     * In-place resize of a running pod's containers (KEP-1287, the {@code resize} subresource):
     * {@code resources} holds the new requests and limits by container name. Completes with the
     * validation errors in kube-apiserver's words, empty when the resize was accepted — then it is
     * applied, or waits as {@code PodResizePending} when the node cannot take it; the status says
     * which ({@code containerStatuses[].resources}, conditions). Completes exceptionally for an
     * unknown or finished pod.
     */
    public CompletableFuture<java.util.List<dev.peapod.api.FieldError>> resize(
            String uid, Map<String, io.fabric8.kubernetes.api.model.ResourceRequirements> resources) {
        var w = workers.get(uid);
        if (w == null) return CompletableFuture.failedFuture(new IllegalArgumentException("unknown pod " + uid));
        return w.resize(resources);
    }

    /** Completes with the pod (and its final status) once it has finished and its runtime resources are gone. */
    public CompletableFuture<Pod> finished(String uid) {
        var w = workers.get(uid);
        return w == null ? CompletableFuture.failedFuture(new IllegalArgumentException("unknown pod " + uid)) : w.finished();
    }

    /** Graceful termination: stop signal, up to {@code grace} (null: the pod's terminationGracePeriodSeconds), SIGKILL. */
    public void terminate(String uid, Duration grace) {
        Optional.ofNullable(workers.get(uid)).ifPresent(w -> w.terminate(grace));
    }

    /** Removes a finished pod's remaining files (logs, volumes). Call after {@link #finished} completed. */
    public void remove(String uid) {
        var w = workers.remove(uid);
        if (w == null) return;
        w.finished().join();
        w.removeFiles();
        listener.removed(w.finished().join());
        imageGc.requestRun(); // its images may have become unused
    }

    /** Terminates every pod with its own grace period, waits, and removes them. */
    @Override
    public void close() {
        workers.values().forEach(w -> w.terminate(null));
        for (String uid : workers.keySet()) {
            finished(uid).join();
            remove(uid);
        }
        exits.close();
        imageGc.close();
    }

    /**
     * Stops managing the pods without stopping them: what stopping kubelet does — "stopping or
     * restarting the kubelet on that node does not cause the kubelet to stop all local Pods"
     * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#kubelet-restarts). Each
     * worker stops its probes, writes its pod's record and ends; conmon keeps monitoring the
     * containers, and the next engine on these directories adopts them ({@link #reconcile}) exactly
     * as after a kill -9. Waits up to {@code timeout} for the workers (one busy stopping a deleted
     * pod finishes its step first); one still busy then is left as a kill -9 would leave it.
     * {@code peapod serve} calls this on SIGTERM; {@code peapod up} calls {@link #close}.
     */
    public void detach(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        var pending = new java.util.LinkedHashMap<String, CompletableFuture<Void>>();
        workers.forEach((uid, w) -> pending.put(uid, w.detach()));
        pending.forEach((uid, done) -> {
            try {
                done.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                log("pod " + uid + " was still busy when the engine detached; the next start adopts it as after a crash");
            } catch (java.util.concurrent.ExecutionException e) {
                log("pod " + uid + " failed to detach: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        workers.clear();
        exits.close();
        imageGc.close();
    }

    public Images images() { return parts.images(); }

    /** Probes run so far on this node, per handler (kubelet's {@code prober_probe_total}; used by bench/run-probes). */
    public dev.peapod.node.probe.Probers.Runs probeRuns() { return probers.runs(); }

    // --- for the pod workers ---
    NodeConfig config() { return config; }
    Cgroups cgroups() { return parts.cgroups(); }
    QosCgroups qosCgroups() { return qosCgroups; }
    dev.peapod.node.spec.HostFacts host() { return parts.host(); }
    InstantSource clock() { return clock; }
    Backoff backoff() { return backoff; }
    UserNamespaces userNamespaces() { return userNamespaces; }
    Containers containers() { return containers; }
    Sandboxes sandboxes() { return sandboxes; }
    Volumes volumes() { return volumes; }
    ConfigSource configSource() { return configSource; }
    String hostIp() { return hostIp; }
    String runtimeName() { return parts.oci().name(); }
    PodListener listener() { return listener; }
    dev.peapod.node.probe.Probers probers() { return probers; }
    dev.peapod.node.lifecycle.HookRunner hooks() { return hooks; }
    dev.peapod.node.probe.VirtualThreadScheduler probeScheduler() { return probeScheduler; }

    void event(Pod pod, String container, String type, String reason, String message) {
        listener.event(new PodEvent(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                pod.getMetadata().getUid(), container, type, reason, message, Instant.now()));
    }

    void logStarted(Pod pod, String container, int attempt, java.nio.file.Path log) {
        listener.logStarted(pod, container, attempt, log);
    }

    private void log(String message) {
        System.getLogger("peapod").log(System.Logger.Level.WARNING, message);
    }

    void log(Pod pod, String message) {
        System.getLogger("peapod").log(System.Logger.Level.WARNING,
                "pod=" + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " " + message);
    }
}
