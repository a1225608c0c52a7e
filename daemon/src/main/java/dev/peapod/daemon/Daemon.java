package dev.peapod.daemon;

import dev.peapod.apiserver.ApiHandler;
import dev.peapod.apiserver.ApiServer;
import dev.peapod.apiserver.Bootstrap;
import dev.peapod.apiserver.Pki;
import dev.peapod.node.Engine;
import dev.peapod.node.NodeConfig;
import dev.peapod.node.PodListener;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.SqliteStore;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@code peapod serve}: the composition root. Start order: store (and the objects every cluster
 * has), credentials, the node engine, the pod sync, then the API server, and last
 * {@code <data-dir>/kubeconfig} (its existence tells that the server is up).
 * Stop order is the reverse. Stopping serve (SIGTERM, Ctrl-C) leaves the pods running, as stopping
 * kubelet does ({@link Engine#detach}): pods stop only when deleted through the API. Whether serve
 * stopped so or died (kill -9, a crash), its pods run on under conmon and the next start adopts them
 * ({@link Engine#reconcile}): same containers, same restart counts, logs kept.
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("peapod.daemon");
    /** How long a stop waits for the pod workers to let go of their pods (one may be mid-step). */
    private static final Duration DETACH_TIMEOUT = Duration.ofSeconds(10);
    /** Where and how to serve. */
    public record Options(Path dataDir, String address, int port, String nodeName) {}

    private final ObjectStore store;
    private final StoreConfigSource configSource;
    private final Engine engine;
    private final PodController controller;
    private final ApiServer server;
    /** The housekeeping loops (garbage collector, node heartbeat, event TTL), closed first. */
    private final List<AutoCloseable> loops;
    private final Path kubeconfig;

    private Daemon(ObjectStore store, StoreConfigSource configSource, Engine engine, PodController controller, ApiServer server,
                   List<AutoCloseable> loops, Path kubeconfig) {
        this.store = store;
        this.configSource = configSource;
        this.engine = engine;
        this.controller = controller;
        this.server = server;
        this.loops = loops;
        this.kubeconfig = kubeconfig;
    }

    public static Daemon start(Options options, NodeConfig config, Engine.Parts parts) throws Exception {
        var clock = Clock.systemUTC();
        ObjectStore store = SqliteStore.open(options.dataDir().resolve("store"));
        StoreConfigSource configSource = null;
        try {
            Bootstrap.ensure(store, clock.instant());
            var heartbeat = new NodeHeartbeat(store, options.nodeName(), NodeObject.runtimeVersion(config.runtime()), options.dataDir(), clock);
            heartbeat.beat(); // registers the Node
            Pki pki = Pki.loadOrCreate(options.dataDir().resolve("pki"), options.address());
            var logs = new ContainerLogs();
            var generations = new PodGenerations();
            PodListener writer = both(new StoreStatusWriter(store, options.nodeName(), generations), logs);
            configSource = new StoreConfigSource(store);
            var engine = new Engine(config, parts, writer, configSource, clock);
            // Restart safety: pods an earlier serve left running are adopted, leftovers removed,
            // before the pod sync runs any pod.
            engine.reconcile(store.list("pods", null).items().stream()
                    .map(s -> new dev.peapod.node.restart.Reconcile.StoredPod(s.uid(), PodController.wanted(s.object()))).toList())
                    .forEach(a -> LOG.log(System.Logger.Level.INFO, "restart: " + a));
            var controller = new PodController(store, engineNode(engine), generations);
            controller.start();
            String host = options.address().equals("0.0.0.0") ? "127.0.0.1" : options.address();
            var handler = new ApiHandler(store, pki.token(), options.nodeName(), host + ":" + options.port(), clock, logs,
                    dev.peapod.node.resize.ResizeValidator::validate, podExec(parts.oci()),
                    AttachedContainer.through(parts.oci()), new PodPortForwarder(parts.oci()));
            var server = ApiServer.start(handler, pki, options.address(), options.port());
            var gc = new GarbageCollector(store, handler, pki.token());
            gc.start();
            heartbeat.start();
            var eventTtl = new EventTtl(store, clock);
            eventTtl.start();
            var claimProtection = new ClaimProtection(store, options.dataDir());
            claimProtection.start();
            Path kubeconfig = options.dataDir().resolve("kubeconfig");
            writePrivate(kubeconfig, pki.kubeconfig("https://" + host + ":" + server.port()));
            return new Daemon(store, configSource, engine, controller, server, List.of(gc, heartbeat, eventTtl, claimProtection), kubeconfig);
        } catch (Exception | Error e) {
            if (configSource != null) configSource.close();
            store.close();
            throw e;
        }
    }

    /** The engine has one listener: this one tells both, in order. */
    private static PodListener both(PodListener a, PodListener b) {
        return new PodListener() {
            @Override public void event(dev.peapod.node.PodEvent e) { a.event(e); b.event(e); }
            @Override public void statusChanged(Pod pod) { a.statusChanged(pod); b.statusChanged(pod); }
            @Override public void logStarted(Pod pod, String c, int attempt, Path log) { a.logStarted(pod, c, attempt, log); b.logStarted(pod, c, attempt, log); }
            @Override public void removed(Pod pod) { a.removed(pod); b.removed(pod); }
        };
    }

    /** kubectl exec: the command runs through the OCI runtime's exec, its streams attached (or on a terminal). */
    static dev.peapod.apiserver.PodExec podExec(dev.peapod.oci.OciRuntime oci) {
        return c -> {
            try {
                if (c.tty()) return onTerminal(oci.startExecTty(c.containerId(), c.argv(), c.width(), c.height()));
                return dev.peapod.apiserver.PodExec.Running.of(oci.startExec(c.containerId(), c.argv()));
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
        };
    }

    private static dev.peapod.apiserver.PodExec.Running onTerminal(dev.peapod.oci.ConsoleExec console) {
        return new dev.peapod.apiserver.PodExec.Running() {
            private final java.io.OutputStream in = console.input();
            private final java.io.InputStream out = console.output();
            @Override public java.io.OutputStream stdin() { return in; }
            @Override public java.io.InputStream stdout() { return out; }
            @Override public java.io.InputStream stderr() { return java.io.InputStream.nullInputStream(); }
            @Override public int waitFor() throws InterruptedException { return console.process().waitFor(); }
            @Override public void kill() { console.close(); }
            @Override public void resize(int width, int height) { console.resize(width, height); }
        };
    }

    static PodController.Node engineNode(Engine engine) {
        return new PodController.Node() {
            @Override public void run(Pod pod) { engine.run(pod); }
            @Override public void whenFinished(String uid, Runnable then) { engine.finished(uid).whenComplete((p, e) -> then.run()); }
            @Override public void terminate(String uid, Duration grace) { engine.terminate(uid, grace); }
            @Override public void remove(String uid) { engine.remove(uid); }
            @Override public void updateMetadata(String uid, java.util.Map<String, String> labels, java.util.Map<String, String> annotations) {
                engine.updatePodMetadata(uid, labels, annotations);
            }
            @Override public void updateImages(String uid, java.util.Map<String, String> images) { engine.updateImages(uid, images); }
            @Override public void resize(String uid, java.util.Map<String, io.fabric8.kubernetes.api.model.ResourceRequirements> resources) {
                // The API server validated it with the same rules; what the node cannot do shows in the pod's
                // status (PodResizePending/PodResizeInProgress conditions).
                engine.resize(uid, resources).whenComplete((errors, e) -> {
                    if (e != null || !errors.isEmpty()) {
                        LOG.log(System.Logger.Level.WARNING, "resize of pod " + uid + " refused by the node: " + (e != null ? e.getMessage() : errors));
                    }
                });
            }
        };
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public int port() { return server.port(); }

    public Path kubeconfig() { return kubeconfig; }

    @Override
    public void close() throws Exception {
        try {
            for (AutoCloseable loop : loops) loop.close();
            server.close();
        } finally {
            controller.close();
            engine.detach(DETACH_TIMEOUT);
            configSource.close();
            store.close();
        }
    }
}
