package dev.peapod.bench;

import dev.peapod.api.Manifests;
import dev.peapod.api.PodDefaults;
import dev.peapod.api.PodValidator;
import dev.peapod.node.ConfigSource;
import dev.peapod.node.Engine;
import dev.peapod.node.HostRuntime;
import dev.peapod.node.NodeConfig;
import dev.peapod.node.PodEvent;
import dev.peapod.node.PodListener;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Peapod engine kept warm for the whole phase, as a long-running {@code peapod serve} would be.
 * A start is timed from {@code engine.run(pod)} to the first published status in which every
 * init container has terminated (exit 0) and every sidecar and regular container is running; the
 * timestamp is taken in the listener, which the pod worker calls synchronously.
 */
final class WarmPeapod implements PodListener, AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final NodeConfig config;
    private final Engine engine;
    private final Map<String, CompletableFuture<Long>> ready = new ConcurrentHashMap<>();
    private final Map<String, Pod> latest = new ConcurrentHashMap<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    /** {@code podNetwork}: the default CNI bridge network (Peapod's default), else loopback only. */
    WarmPeapod(Path dataDir, boolean podNetwork) {
        var defaults = NodeConfig.defaults(dataDir);
        config = podNetwork ? defaults : defaults.withCniConfigDir(null);
        var host = HostRuntime.open(config);
        if (host.parts().images().resolve("peapod/busybox:latest").isEmpty()) {
            throw new IllegalStateException("failed to find peapod/busybox:latest in " + dataDir + ": bench/run loads it");
        }
        engine = new Engine(config, host.parts(), this, ConfigSource.EMPTY, Clock.systemUTC());
    }

    NodeConfig config() { return config; }

    /** Runs the scenario's pod, returns the start latency in nanoseconds, then stops and removes the pod (not timed). */
    long start(Scenario s) throws InterruptedException {
        Pod pod = parse(s.peapodYaml());
        String uid = java.util.UUID.randomUUID().toString();
        pod.getMetadata().setUid(uid);
        var done = new CompletableFuture<Long>();
        problems.clear();
        ready.put(uid, done);
        try {
            long t0 = System.nanoTime();
            engine.run(pod);
            long t1 = done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return t1 - t0;
        } catch (TimeoutException e) {
            throw new IllegalStateException("failed to start pod " + s.pod() + " with Peapod within " + TIMEOUT.toSeconds()
                    + " s; last status: " + describe(latest.get(uid)) + "; events: " + problems);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed to start pod " + s.pod() + " with Peapod: " + e.getCause().getMessage());
        } finally {
            stop(uid);
        }
    }

    /** Terminates and removes the pod; waits even when interrupted, so that nothing is left running. */
    private void stop(String uid) {
        boolean interrupted = Thread.interrupted();
        try {
            engine.terminate(uid, Duration.ofSeconds(5));
            engine.finished(uid).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            engine.remove(uid);
        } catch (InterruptedException e) {
            interrupted = true;
            engine.finished(uid).join();
            engine.remove(uid);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("failed to stop pod " + uid + ": " + e, e);
        } finally {
            ready.remove(uid);
            latest.remove(uid);
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static Pod parse(Path yaml) {
        try {
            return parse(Files.readString(yaml), yaml.toString());
        } catch (IOException e) {
            throw new IllegalStateException("failed to read " + yaml + ": " + e.getMessage(), e);
        }
    }

    /** A manifest's Pod, defaulted and validated as {@code peapod up} does; {@code source} names it in errors. */
    static Pod parse(String text, String source) {
        Pod pod = (Pod) Manifests.parse(text, source).stream().filter(o -> o instanceof Pod).findFirst()
                .orElseThrow(() -> new IllegalStateException("failed to find a Pod in " + source));
        PodDefaults.apply(pod);
        var errors = PodValidator.validate(pod);
        if (!errors.isEmpty()) throw new IllegalStateException("failed to validate " + source + ": " + errors);
        return pod;
    }

    @Override
    public void statusChanged(Pod pod) {
        long now = System.nanoTime();
        String uid = pod.getMetadata().getUid();
        latest.put(uid, pod);
        var done = ready.get(uid);
        if (done == null || done.isDone()) return;
        if (allStarted(pod)) done.complete(now);
        else if ("Failed".equals(pod.getStatus().getPhase()) || "Succeeded".equals(pod.getStatus().getPhase())) {
            done.completeExceptionally(new IllegalStateException("pod ended " + describe(pod) + "; events: " + problems));
        }
    }

    @Override
    public void event(PodEvent e) {
        if ("Warning".equals(e.type())) problems.add(e.pod() + "/" + e.container() + " " + e.reason() + ": " + e.message());
    }

    /** Init containers terminated with exit 0, sidecars (restartPolicy Always) and regular containers running. */
    static boolean allStarted(Pod pod) {
        var spec = pod.getSpec();
        var st = pod.getStatus();
        if (st == null) return false;
        for (Container c : spec.getInitContainers()) {
            var s = status(st.getInitContainerStatuses(), c.getName());
            boolean sidecar = "Always".equals(c.getRestartPolicy());
            if (s == null || s.getState() == null) return false;
            if (sidecar && s.getState().getRunning() == null) return false;
            if (!sidecar && (s.getState().getTerminated() == null || s.getState().getTerminated().getExitCode() != 0)) return false;
        }
        for (Container c : spec.getContainers()) {
            var s = status(st.getContainerStatuses(), c.getName());
            if (s == null || s.getState() == null || s.getState().getRunning() == null) return false;
        }
        return true;
    }

    private static ContainerStatus status(List<ContainerStatus> all, String name) {
        return all == null ? null : all.stream().filter(s -> name.equals(s.getName())).findFirst().orElse(null);
    }

    private static String describe(Pod pod) {
        if (pod == null || pod.getStatus() == null) return "none";
        var st = pod.getStatus();
        return st.getPhase() + " init=" + st.getInitContainerStatuses().stream().map(s -> s.getName() + "=" + s.getState()).toList()
                + " containers=" + st.getContainerStatuses().stream().map(s -> s.getName() + "=" + s.getState()).toList();
    }

    /** Stops whatever is still running and closes the engine. */
    @Override
    public void close() {
        engine.close();
    }
}
