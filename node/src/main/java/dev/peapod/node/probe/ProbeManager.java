package dev.peapod.node.probe;

import dev.peapod.node.status.ProbeResults;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;

import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The probes of one pod (kubelet {@code prober_manager.go}, one per pod here): one
 * {@link ProbeWorker} per container and probe kind, restarted for each container attempt, and the
 * started/ready state that status reads ({@link #results()}).
 *
 * <p>Rules (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes):
 * <ul>
 *   <li>A container with a startup probe is not started until the probe succeeds; its liveness
 *       and readiness probes do not run before that, and readiness is probed at once after.</li>
 *   <li>A container with a readiness probe is not ready until the probe succeeds
 *       ({@code successThreshold} times in a row); one without is ready once started.</li>
 *   <li>A liveness or startup probe failing {@code failureThreshold} times in a row is reported
 *       through {@link ProbeResultsSink#onFailedPastThreshold}, once per attempt.</li>
 *   <li>While the pod terminates, liveness and startup probes stop and count as succeeded (so
 *       nothing is killed for them); readiness goes on (kubelet {@code worker.go}, graceful
 *       shutdown).</li>
 * </ul>
 *
 * <p>Contract: thread safe; no method blocks (probes run on the scheduler's threads). The sink is
 * called from probe threads, never under this manager's lock.
 */
public final class ProbeManager implements AutoCloseable {
    private final ProbeRunner runner;
    private final ProbeResultsSink sink;
    private final InstantSource clock;
    private final ProbeScheduler scheduler;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, ContainerProbes> containers = new LinkedHashMap<>();
    private boolean terminating;
    private boolean closed;

    /** The probes of one container, across its attempts. Guarded by the manager's lock. */
    private static final class ContainerProbes {
        final Map<ProbeKind, Probe> specs;
        final Map<ProbeKind, ProbeWorker> workers = new EnumMap<>(ProbeKind.class);
        /** The running attempt's container id; null when none runs. */
        String containerId;
        boolean started;
        boolean ready;

        ContainerProbes(Map<ProbeKind, Probe> specs) {
            this.specs = specs;
        }
    }

    public ProbeManager(ProbeRunner runner, ProbeResultsSink sink, InstantSource clock, ProbeScheduler scheduler) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * A new attempt of {@code spec} is running: its probe workers start (or restart) for it. A
     * container without probes is ignored. A probe that cannot be built (an undeclared named port)
     * still runs, as an error on every period, as kubelet's does.
     *
     * @param podIp     the pod's address, the default probe host; null if it has none
     * @param startedAt when the container started; {@code initialDelaySeconds} counts from here
     */
    public void containerStarted(Container spec, String containerId, String podIp, Instant startedAt) {
        containerStarted(spec, containerId, podIp, startedAt, null, null);
    }

    /**
     * A running attempt an earlier engine probed (an adopted pod), with its last known started and
     * ready (null: not known, as for a new attempt). Kubernetes 1.35 (KEP-4781, the
     * {@code ChangeContainerStatusOnKubeletRestart} gate now off by default): "the kubelet does not
     * change container statuses after a restart. Containers that were ready remain ready"
     * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#kubelet-restarts). So a
     * container that had started is not startup-probed again, and its liveness and readiness probes
     * run at once; readiness keeps its value until a probe reaches a threshold.
     */
    public void containerAdopted(Container spec, String containerId, String podIp, Instant startedAt,
                                 Boolean started, Boolean ready) {
        containerStarted(spec, containerId, podIp, startedAt, started, ready);
    }

    private void containerStarted(Container spec, String containerId, String podIp, Instant startedAt,
                                  Boolean wasStarted, Boolean wasReady) {
        Map<ProbeKind, Probe> specs = specs(spec);
        if (specs.isEmpty()) return;
        lock.lock();
        try {
            if (closed) return;
            ContainerProbes cp = containers.get(spec.getName());
            if (cp == null || !cp.specs.equals(specs)) {
                if (cp != null) cp.workers.values().forEach(ProbeWorker::stop);
                cp = new ContainerProbes(specs);
                containers.put(spec.getName(), cp);
            }
            start(cp, spec, containerId, podIp, startedAt == null ? clock.instant() : startedAt, wasStarted, wasReady);
        } finally {
            lock.unlock();
        }
    }

    private void start(ContainerProbes cp, Container spec, String containerId, String podIp, Instant startedAt,
                       Boolean wasStarted, Boolean wasReady) {
        boolean hasStartup = cp.specs.containsKey(ProbeKind.STARTUP);
        boolean restoredStarted = hasStartup && Boolean.TRUE.equals(wasStarted);
        cp.started = !hasStartup || terminating || restoredStarted;
        cp.ready = cp.started && Boolean.TRUE.equals(wasReady);
        cp.containerId = containerId;
        for (var entry : cp.specs.entrySet()) {
            ProbeKind kind = entry.getKey();
            ProbeWorker.Attempt attempt = attempt(spec, containerId, podIp, startedAt, entry.getValue());
            if (terminating && kind != ProbeKind.READINESS) continue;
            if (kind == ProbeKind.STARTUP && restoredStarted) {
                ProbeWorker idle = cp.workers.remove(kind); // started already: not probed again for this attempt
                if (idle != null) idle.stop();
                continue;
            }
            ProbeWorker worker = cp.workers.computeIfAbsent(kind,
                    k -> new ProbeWorker(k, ProbeSettings.of(entry.getValue()), runner, scheduler, clock, this::report));
            worker.start(attempt, kind != ProbeKind.STARTUP && !cp.started);
        }
    }

    private static ProbeWorker.Attempt attempt(Container spec, String id, String podIp, Instant startedAt, Probe probe) {
        try {
            return new ProbeWorker.Attempt(spec.getName(), id, ProbeAction.of(probe, spec, podIp), null, startedAt);
        } catch (ProbeException e) {
            return new ProbeWorker.Attempt(spec.getName(), id, null, e.getMessage(), startedAt);
        }
    }

    /** The container's attempt stopped running: its probes stop, and it is neither started nor ready. */
    public void containerStopped(String container) {
        lock.lock();
        try {
            ContainerProbes cp = containers.get(container);
            if (cp == null) return;
            cp.workers.values().forEach(ProbeWorker::stop);
            cp.containerId = null;
            cp.started = false;
            cp.ready = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pod is being deleted: liveness and startup probes stop and count as succeeded, so no
     * container is killed or held back for them; readiness probes go on until the containers stop.
     */
    public void podTerminating() {
        lock.lock();
        try {
            terminating = true;
            for (ContainerProbes cp : containers.values()) {
                for (ProbeKind kind : new ProbeKind[] {ProbeKind.LIVENESS, ProbeKind.STARTUP}) {
                    ProbeWorker w = cp.workers.get(kind);
                    if (w != null) w.stop();
                }
                if (cp.containerId != null && !cp.started) {
                    cp.started = true;
                    ProbeWorker readiness = cp.workers.get(ProbeKind.READINESS);
                    if (readiness != null) readiness.release();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Started and ready per container, for {@code StatusInput.withProbes}: a container with a
     * startup probe appears in {@code started}, one with a readiness probe in {@code ready}; one
     * without is absent, which status reads as "started once running" and "ready once started".
     */
    public ProbeResults results() {
        lock.lock();
        try {
            Map<String, Boolean> started = new HashMap<>();
            Map<String, Boolean> ready = new HashMap<>();
            containers.forEach((name, cp) -> {
                if (cp.specs.containsKey(ProbeKind.STARTUP)) started.put(name, cp.started);
                if (cp.specs.containsKey(ProbeKind.READINESS)) ready.put(name, cp.started && cp.ready);
            });
            return new ProbeResults(started, ready);
        } finally {
            lock.unlock();
        }
    }

    /** Stops every probe of the pod. Idempotent; nothing starts afterwards. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            containers.values().forEach(cp -> cp.workers.values().forEach(ProbeWorker::stop));
            containers.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Called by the workers, from probe threads. */
    private void report(ProbeWorker worker, ProbeWorker.Attempt attempt, ProbeResult result, int consecutive, Boolean state) {
        ProbeKind kind = worker.kind();
        boolean changed = false;
        lock.lock();
        try {
            ContainerProbes cp = containers.get(attempt.container());
            if (cp == null || !attempt.containerId().equals(cp.containerId) || cp.workers.get(kind) != worker) {
                return; // a late result of an attempt that is gone
            }
            if (state != null && kind == ProbeKind.STARTUP && state != cp.started) {
                cp.started = state;
                changed = true;
                if (state) {
                    for (ProbeWorker w : cp.workers.values()) if (w != worker) w.release();
                }
            } else if (state != null && kind == ProbeKind.READINESS && state != cp.ready) {
                cp.ready = state;
                changed = true;
            }
        } finally {
            lock.unlock();
        }
        var target = new ProbeTarget(attempt.container(), attempt.containerId());
        sink.onResult(target, kind, result, consecutive);
        if (changed) sink.onChanged(target, kind, state);
        if (Boolean.FALSE.equals(state) && kind != ProbeKind.READINESS) {
            sink.onFailedPastThreshold(target, kind, result, worker.settings().terminationGracePeriod());
        }
    }

    private static Map<ProbeKind, Probe> specs(Container spec) {
        Map<ProbeKind, Probe> specs = new EnumMap<>(ProbeKind.class);
        if (spec.getStartupProbe() != null) specs.put(ProbeKind.STARTUP, spec.getStartupProbe());
        if (spec.getLivenessProbe() != null) specs.put(ProbeKind.LIVENESS, spec.getLivenessProbe());
        if (spec.getReadinessProbe() != null) specs.put(ProbeKind.READINESS, spec.getReadinessProbe());
        return specs;
    }

    /** For tests: when a container's probe of {@code kind} runs next, if scheduled. */
    Optional<Instant> nextProbe(String container, ProbeKind kind) {
        lock.lock();
        try {
            ContainerProbes cp = containers.get(container);
            ProbeWorker w = cp == null ? null : cp.workers.get(kind);
            return Optional.ofNullable(w == null ? null : w.nextAt());
        } finally {
            lock.unlock();
        }
    }
}
