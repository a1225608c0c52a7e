package dev.peapod.node;

import dev.peapod.node.model.ContainerKind;
import dev.peapod.node.model.ContainerUser;
import dev.peapod.node.model.RuntimeState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a pod worker runs, written to {@code <run dir>/pods/<uid>/pod-record.json} after each round
 * that changed it, so that a restarted engine can adopt the pod ({@link dev.peapod.node.restart.Reconcile}):
 * the pod as it was given, its start time, its sandbox (infra id and pid, cgroup, IPs from CNI ADD)
 * and every container attempt it keeps (id, attempt, image, log, and the exit once seen). It sits in
 * the run dir, like the runtime's own state: a reboot clears both.
 */
record PodRecord(int version, String pod, String startTime, SandboxRecord sandbox, List<Attempt> containers,
                 Map<String, Backoff> backoff, Long userNamespaceHostId) {
    static final String FILE = "pod-record.json";
    /**
     * 1 (or absent): sandbox and attempts. 2: also the CrashLoopBackOff state per container, each
     * running attempt's last known started/ready and applied resources, the pod's hostUsers: false
     * id range; the pod's spec holds the resources allocated to it (in-place resize). A version 1
     * record reads with those empty. 3: also each attempt's user (status {@code user}); a version 2
     * record reads with it null, and its containers report no user, as from a runtime without it.
     */
    static final int VERSION = 3;

    PodRecord {
        backoff = backoff == null ? Map.of() : Map.copyOf(backoff);
    }

    /** One backoff entry ({@link dev.peapod.node.backoff.Backoff.State}): current delay and last restart. */
    record Backoff(long delayMillis, String lastUpdate) {}

    /** @param creating recorded before the sandbox's creation began; never adopted (its creation may not have finished) */
    record SandboxRecord(String id, int pid, String cgroupPath, String createdAt, List<String> podIps, String hostname,
                         boolean creating) {}

    record Exit(int exitCode, String startedAt, String finishedAt, String reason, String message) {}

    /**
     * @param started, ready the last known probe results of a running attempt (null: no such probe, or exited)
     * @param applied        the resources its cgroup has (in-place resize), null if unknown
     * @param user           the identity its process started with (from its spec), null if unknown
     */
    record Attempt(String name, String kind, String id, int attempt, String image, String imageId, String logPath,
                   String stopSignal, String cgroupPath, String createdAt, String startedAt, Exit exited,
                   Boolean started, Boolean ready, ResourceRequirements applied, ContainerUser user) {}

    /** What the worker keeps besides its containers: probe results, backoff, the user namespace. */
    record Extras(dev.peapod.node.status.ProbeResults probes, Map<String, dev.peapod.node.backoff.Backoff.State> backoff,
                  Long userNamespaceHostId) {
        static final Extras NONE = new Extras(null, Map.of(), null);
    }

    static PodRecord of(Pod pod, Instant startTime, Sandbox sandbox, List<ContainerRecord> records, Extras extras)
            throws IOException {
        var sb = new SandboxRecord(sandbox.id(), sandbox.pid(), sandbox.cgroupPath(), str(sandbox.createdAt()),
                List.copyOf(sandbox.podIps()), sandbox.hostname(), false);
        var probes = extras.probes();
        var attempts = records.stream().map(r -> {
            boolean live = r.exited == null && probes != null;
            return new Attempt(r.name, r.kind.name(), r.id, r.attempt, r.image, r.imageId,
                    r.logPath.toString(), r.stopSignal, r.cgroupPath, str(r.createdAt), str(r.startedAt),
                    r.exited == null ? null : new Exit(r.exited.exitCode(), str(r.exited.startedAt()), str(r.exited.finishedAt()),
                            r.exited.reason(), r.exited.message()),
                    live ? probes.started().get(r.name) : null, live ? probes.ready().get(r.name) : null,
                    r.exited == null ? r.applied : null, r.user);
        }).toList();
        var backoff = new java.util.TreeMap<String, Backoff>();
        extras.backoff().forEach((k, st) -> backoff.put(k, new Backoff(st.delay().toMillis(), str(st.lastUpdate()))));
        return new PodRecord(VERSION, Json.MAPPER.writeValueAsString(pod), str(startTime), sb, attempts, backoff,
                extras.userNamespaceHostId());
    }

    /**
     * The record written before a sandbox is created (restart safety, issue 6): should the engine
     * die before the sandbox's own record, the next engine knows the infra's id and cgroup and
     * removes whatever of the sandbox (and of containers created early) exists; nothing leaks.
     */
    static PodRecord creating(Pod pod, Instant startTime, String sandboxId, String cgroupPath) throws IOException {
        return new PodRecord(VERSION, Json.MAPPER.writeValueAsString(pod), str(startTime),
                new SandboxRecord(sandboxId, 0, cgroupPath, null, List.of(), null, true), List.of(), Map.of(), null);
    }

    /** The backoff entries to restore ({@link dev.peapod.node.backoff.Backoff#restore}). */
    Map<String, dev.peapod.node.backoff.Backoff.State> backoffStates() {
        var out = new java.util.TreeMap<String, dev.peapod.node.backoff.Backoff.State>();
        backoff.forEach((k, b) -> {
            if (b != null && b.lastUpdate() != null) {
                out.put(k, new dev.peapod.node.backoff.Backoff.State(java.time.Duration.ofMillis(b.delayMillis()), inst(b.lastUpdate())));
            }
        });
        return out;
    }

    Pod decodePod() throws IOException { return Json.MAPPER.readValue(pod, Pod.class); }

    Sandbox toSandbox() {
        return new Sandbox(sandbox.id(), sandbox.pid(), sandbox.cgroupPath(), inst(sandbox.createdAt()), sandbox.podIps(),
                sandbox.hostname());
    }

    /** The attempt as a container record of the worker, without its cleanups (the caller adds them). */
    static ContainerRecord toRecord(Attempt a) {
        var r = new ContainerRecord(a.name(), ContainerKind.valueOf(a.kind()), a.id(), a.attempt(), a.image(), a.imageId(),
                Path.of(a.logPath()), a.stopSignal());
        r.cgroupPath = a.cgroupPath();
        r.applied = a.applied();
        r.user = a.user();
        r.createdAt = inst(a.createdAt());
        r.startedAt = inst(a.startedAt());
        var e = a.exited();
        if (e != null) {
            r.exited = new RuntimeState.Exited(e.exitCode(), inst(e.startedAt()), inst(e.finishedAt()), e.reason(), e.message());
        }
        return r;
    }

    void write(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        Path tmp = runDir.resolve(FILE + ".tmp");
        Files.write(tmp, Json.MAPPER.writeValueAsBytes(this));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The record in a pod's run dir, if there is a readable one. */
    static Optional<PodRecord> read(Path runDir) {
        Path file = runDir.resolve(FILE);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(Json.MAPPER.readValue(file.toFile(), PodRecord.class));
        } catch (IOException e) {
            System.getLogger("peapod").log(System.Logger.Level.WARNING, "unreadable pod record " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static String str(Instant t) { return t == null ? null : t.toString(); }

    private static Instant inst(String s) { return s == null ? null : Instant.parse(s); }
}
