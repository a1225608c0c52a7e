package dev.peapod.bench;

import dev.peapod.node.ConfigSource;
import dev.peapod.node.Engine;
import dev.peapod.node.HostRuntime;
import dev.peapod.node.NodeConfig;
import dev.peapod.node.PodEvent;
import dev.peapod.node.PodListener;
import dev.peapod.node.probe.Probers;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * CPU that Peapod spends per probe, per handler (exec, httpGet, tcpSocket), with many pods probed
 * every second, next to a bare {@code crun exec} run from a shell; run by bench/run-probes.
 *
 * <p>One engine in this JVM, as {@code peapod serve} would run, on the pod network (HTTP and TCP
 * probes connect to the pod IP, as kubelet's do). Phases, each with {@code --pods} fresh pods of one
 * container (busybox httpd on port 8080):
 * <ol>
 *   <li>idle: the pods without probes; the process's CPU over the window (itself and its
 *       waited-for children, getrusage) is the baseline rate. Then a shell runs
 *       {@code crun exec <id> true} against each of these containers, {@code --bare-rounds} times,
 *       and reports its children's CPU ({@code times}): the bare cost of an exec.</li>
 *   <li>one phase per handler: the pods with a readiness probe of that handler, periodSeconds 1.
 *       After {@code --warmup} seconds (JIT, first runs), the CPU over the window, minus the idle
 *       rate times the window, divided by the probes run in the window ({@link Engine#probeRuns}).</li>
 * </ol>
 * Prints progress on stderr, a markdown table and one summary line on stdout. Exit 0, or 1 when a
 * phase failed or something leaked, 130 when stopped by a signal; every pod started is stopped and
 * removed in every case.
 */
public final class ProbeBench implements PodListener {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final double EXEC_TARGET_RATIO = 1.3;
    private static final double NETWORK_TARGET_MS = 0.5;
    private static final Pattern TIMES = Pattern.compile("(\\d+)m(\\d+(?:\\.\\d+)?)s");

    /** A probe handler under test; {@code probe} is the YAML of the readinessProbe's handler. */
    enum Kind {
        EXEC("exec", "exec `true`", "exec: {command: [\"true\"]}"),
        HTTP("http", "httpGet `/` (busybox httpd)", "httpGet: {path: /, port: 8080}"),
        TCP("tcp", "tcpSocket :8080", "tcpSocket: {port: 8080}");

        final String key;
        final String label;
        final String probe;

        Kind(String key, String label, String probe) {
            this.key = key;
            this.label = label;
            this.probe = probe;
        }

        long runs(Probers.Runs r) {
            return switch (this) {
                case EXEC -> r.exec();
                case HTTP -> r.httpGet();
                case TCP -> r.tcpSocket();
            };
        }
    }

    /** A measured window: CPU of this process and its children, probes run per handler, wall time. */
    record Window(Rusage.Cpu cpu, Probers.Runs runs, long wallNanos) {
        long runs(Kind k) { return k.runs(runs); }
    }

    /** bench/run-probes's options. */
    record Options(Path dataDir, int pods, int seconds, int warmup, int bareRounds, Path runDirFile) {
        static Options parse(String[] args) {
            var v = new HashMap<>(Map.of("--data-dir", "/var/lib/peapod-bench", "--pods", "50", "--seconds", "30",
                    "--warmup", "10", "--bare-rounds", "10", "--run-dir-file", ""));
            for (int i = 0; i < args.length; i++) {
                if (v.containsKey(args[i]) && i + 1 < args.length) v.put(args[i], args[++i]);
                else throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
            }
            String runDirFile = v.get("--run-dir-file");
            var o = new Options(Path.of(v.get("--data-dir")), Integer.parseInt(v.get("--pods")),
                    Integer.parseInt(v.get("--seconds")), Integer.parseInt(v.get("--warmup")),
                    Integer.parseInt(v.get("--bare-rounds")), runDirFile.isEmpty() ? null : Path.of(runDirFile));
            if (o.pods < 1 || o.seconds < 1 || o.warmup < 0 || o.bareRounds < 1) {
                throw new IllegalArgumentException("--pods, --seconds and --bare-rounds must be at least 1, --warmup at least 0");
            }
            return o;
        }
    }

    private final Options options;
    private final NodeConfig config;
    private final Engine engine;
    /** The pods of the running phase: uid → ready (condition Ready is True). */
    private final Map<String, Boolean> ready = new ConcurrentHashMap<>();
    private final Map<String, Pod> latest = new ConcurrentHashMap<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final AtomicInteger warningCount = new AtomicInteger();

    private ProbeBench(Options options) {
        this.options = options;
        this.config = NodeConfig.defaults(options.dataDir());
        var host = HostRuntime.open(config);
        if (host.parts().images().resolve("peapod/busybox:latest").isEmpty()) {
            throw new IllegalStateException("failed to find peapod/busybox:latest in " + options.dataDir() + ": bench/run-probes loads it");
        }
        this.engine = new Engine(config, host.parts(), this, ConfigSource.EMPTY, Clock.systemUTC());
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        Stop.install(Thread.currentThread());
        int code;
        try {
            var options = Options.parse(args);
            if (options.runDirFile() != null) {
                Files.writeString(options.runDirFile(), NodeConfig.defaults(options.dataDir()).runDir() + "\n");
            }
            code = new ProbeBench(options).run();
        } catch (Exception e) {
            if (Stop.requested()) {
                System.err.println("bench: stopped; everything started was stopped and removed");
                System.exit(130);
            }
            System.err.println("bench: " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    private int run() throws Exception {
        String loadAtStart = Bench.load();
        Window idle;
        Bare bare;
        Bare bareSequential;
        var windows = new java.util.EnumMap<Kind, Window>(Kind.class);
        var failures = new java.util.EnumMap<Kind, Integer>(Kind.class);
        try {
            List<String> uids = startPods(null);
            try {
                sleep(options.warmup(), "idle warm-up");
                idle = measure("idle");
                bareSequential = bare(uids, false);
                bare = bare(uids, true);
            } finally {
                stopPods(uids);
            }
            for (Kind kind : Kind.values()) {
                uids = startPods(kind);
                try {
                    sleep(options.warmup(), kind.key + " warm-up");
                    int before = warningCount.get();
                    windows.put(kind, measure(kind.key));
                    failures.put(kind, warningCount.get() - before);
                } finally {
                    stopPods(uids);
                }
            }
        } finally {
            engine.close();
        }
        var leaks = Leaks.peapod(config);
        leaks.forEach(l -> System.err.println("bench: LEAK: " + l));
        print(idle, bare, bareSequential, windows, failures, loadAtStart);
        return leaks.isEmpty() ? 0 : 1;
    }

    // --- pods --------------------------------------------------------------------------------------

    /** Starts {@code --pods} pods probed by {@code kind} (null: no probe) and waits until all are Ready. */
    private List<String> startPods(Kind kind) throws InterruptedException {
        String phase = kind == null ? "idle" : kind.key;
        System.err.printf("bench: %s: starting %d pods%n", phase, options.pods());
        List<String> uids = new ArrayList<>();
        try {
            for (int i = 0; i < options.pods(); i++) {
                Stop.check();
                Pod pod = WarmPeapod.parse(manifest(phase, i, kind), "probe pod " + phase + "-" + i);
                String uid = UUID.randomUUID().toString();
                pod.getMetadata().setUid(uid);
                ready.put(uid, false);
                uids.add(uid);
                engine.run(pod);
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!uids.stream().allMatch(ready::get)) {
                Stop.check();
                for (String uid : uids) {
                    Pod p = latest.get(uid);
                    String podPhase = p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
                    if ("Failed".equals(podPhase) || "Succeeded".equals(podPhase)) {
                        throw new IllegalStateException("pod " + p.getMetadata().getName() + " ended (" + podPhase + "); events: " + warnings);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("failed to get " + options.pods() + " " + phase + " pods Ready within "
                            + START_TIMEOUT.toSeconds() + " s (" + uids.stream().filter(ready::get).count() + " are); events: " + warnings);
                }
                Thread.sleep(100);
            }
        } catch (RuntimeException | InterruptedException e) {
            stopPods(uids);
            throw e;
        }
        return uids;
    }

    /** One container, busybox httpd on :8080, a readiness probe of {@code kind} every second (none if null). */
    private static String manifest(String phase, int i, Kind kind) {
        String probe = kind == null ? "" : """
                      readinessProbe:
                        %s
                        periodSeconds: 1
                """.formatted(kind.probe);
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: probe-%s-%d
                spec:
                  terminationGracePeriodSeconds: 5
                  containers:
                    - name: app
                      image: peapod/busybox:latest
                      imagePullPolicy: IfNotPresent
                      command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]
                      ports: [{containerPort: 8080}]
                %s""".formatted(phase, i, probe);
    }

    /** Terminates and removes the pods; waits even when interrupted, so that nothing is left running. */
    private void stopPods(List<String> uids) {
        boolean interrupted = Thread.interrupted();
        try {
            uids.forEach(uid -> engine.terminate(uid, Duration.ofSeconds(5)));
            for (String uid : uids) {
                try {
                    engine.finished(uid).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    engine.finished(uid).join();
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("failed to stop pod " + uid + ": " + e, e);
                }
                engine.remove(uid);
            }
        } finally {
            uids.forEach(uid -> {
                ready.remove(uid);
                latest.remove(uid);
            });
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    @Override
    public void statusChanged(Pod pod) {
        String uid = pod.getMetadata().getUid();
        latest.put(uid, pod);
        var conditions = pod.getStatus() == null ? null : pod.getStatus().getConditions();
        boolean isReady = conditions != null && conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        ready.computeIfPresent(uid, (k, v) -> isReady);
    }

    @Override
    public void event(PodEvent e) {
        if (!"Warning".equals(e.type())) return;
        warningCount.incrementAndGet();
        if (warnings.size() < 5) warnings.add(e.pod() + "/" + e.container() + " " + e.reason() + ": " + e.message());
    }

    // --- measurements ------------------------------------------------------------------------------

    private Window measure(String phase) throws InterruptedException {
        System.err.printf("bench: %s: measuring for %d s%n", phase, options.seconds());
        Rusage.Cpu cpu0 = Rusage.now();
        Probers.Runs runs0 = engine.probeRuns();
        long t0 = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(options.seconds()));
        Rusage.Cpu cpu1 = Rusage.now();
        Probers.Runs runs1 = engine.probeRuns();
        long t1 = System.nanoTime();
        var runs = new Probers.Runs(runs1.exec() - runs0.exec(), runs1.httpGet() - runs0.httpGet(),
                runs1.tcpSocket() - runs0.tcpSocket(), runs1.grpc() - runs0.grpc());
        var w = new Window(cpu1.minus(cpu0), runs, t1 - t0);
        System.err.printf("bench: %s: %.0f ms CPU (JVM %.0f ms, children %.0f ms) in %.1f s; probes run: %s%n", phase,
                w.cpu().total() / 1e6, w.cpu().self() / 1e6, w.cpu().children() / 1e6, w.wallNanos() / 1e9, runs);
        return w;
    }

    /** Bare {@code crun exec}: how many were run and the CPU of those processes (user + system), in nanoseconds. */
    record Bare(int execs, long cpuNanos) {
        double msPerExec() { return cpuNanos / 1e6 / execs; }
    }

    /**
     * Runs {@code <runtime> --root <root> exec <id> true} against every pod's container,
     * {@code --bare-rounds} times, from bash, and reads the CPU of the shell's children (the
     * {@code times} builtin: getrusage RUSAGE_CHILDREN, the runtime processes and what they waited
     * for). {@code paced}: one loop per container, each exec followed by a 1 s wait (the probes'
     * rate and concurrency: every container once a second, spread over the second); else one
     * sequential loop, on an otherwise idle engine.
     */
    private Bare bare(List<String> uids, boolean paced) {
        List<String> ids = uids.stream().map(this::containerId).toList();
        String root = config.runDir().resolve(config.runtime()).toString();
        String how = paced ? "one loop per container, one exec per second each" : "one sequential loop";
        System.err.printf("bench: bare: %d × %d `%s exec <id> true` from bash, %s%n", options.bareRounds(), ids.size(), config.runtime(), how);
        // The 1 s wait is `read -t 1` on a FIFO that nobody writes (held open read-write, so it
        // never reports EOF): a builtin, so no process of its own is counted.
        String script = paced ? """
                runtime=$1 root=$2 rounds=$3; shift 3
                fifo=$(mktemp -u) && mkfifo "$fifo" && exec 3<>"$fifo" && rm -f "$fifo" || exit 1
                for id in "$@"; do
                  (for ((r = 0; r < rounds; r++)); do
                    "$runtime" --root "$root" exec "$id" true || exit 1
                    read -t 1 -u 3 || true
                  done) &
                  read -t %s -u 3 || true
                done
                for job in $(jobs -p); do wait "$job" || exit 1; done
                times""".formatted(String.format(Locale.ROOT, "%.3f", 1.0 / ids.size())) : """
                runtime=$1 root=$2 rounds=$3; shift 3
                for ((r = 0; r < rounds; r++)); do
                  for id in "$@"; do "$runtime" --root "$root" exec "$id" true || exit 1; done
                done
                times""";
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bare", config.runtime(), root,
                Integer.toString(options.bareRounds())));
        command.addAll(ids);
        var r = Procs.run(Duration.ofMinutes(10), command.toArray(String[]::new)).requireOk();
        // times: the shell's own user and system time, then its children's.
        List<String> lines = r.output().strip().lines().toList();
        var m = TIMES.matcher(lines.getLast());
        long nanos = 0;
        int found = 0;
        while (m.find()) {
            nanos += (long) ((Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2))) * 1e9);
            found++;
        }
        if (found != 2) throw new IllegalStateException("failed to read the shell's times: " + r.output());
        var bare = new Bare(options.bareRounds() * ids.size(), nanos);
        System.err.printf("bench: bare: %d execs, %.0f ms CPU, %.2f ms each%n", bare.execs(), nanos / 1e6, bare.msPerExec());
        return bare;
    }

    /** The runtime's id of the pod's container, from its status ({@code crun://<id>}). */
    private String containerId(String uid) {
        var statuses = latest.get(uid).getStatus().getContainerStatuses();
        String cid = statuses.getFirst().getContainerID();
        if (cid == null || !cid.contains("://")) throw new IllegalStateException("failed to find the container id of pod " + uid + ": " + cid);
        return cid.substring(cid.indexOf("://") + 3);
    }

    private static void sleep(int seconds, String what) throws InterruptedException {
        if (seconds == 0) return;
        System.err.printf("bench: %s: %d s%n", what, seconds);
        Thread.sleep(Duration.ofSeconds(seconds));
    }

    // --- report ------------------------------------------------------------------------------------

    private void print(Window idle, Bare bare, Bare bareSequential, Map<Kind, Window> windows, Map<Kind, Integer> failures, String loadAtStart) {
        double idleRate = (double) idle.cpu().total() / idle.wallNanos();
        double idleSelf = (double) idle.cpu().self() / idle.wallNanos();
        var out = System.out;
        out.println("| probe | probes run | CPU per probe | in the JVM | in child processes | vs bare `crun exec` | target | met |");
        out.println("|---|---:|---:|---:|---:|---:|---|---|");
        Map<Kind, Double> perProbe = new java.util.EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            Window w = windows.get(kind);
            long n = w.runs(kind);
            if (n == 0) throw new IllegalStateException("no " + kind.key + " probe ran in the window");
            // The idle rate is split into JVM and children the same way as the total.
            double self = (w.cpu().self() - idleSelf * w.wallNanos()) / 1e6 / n;
            double children = (w.cpu().children() - (idleRate - idleSelf) * w.wallNanos()) / 1e6 / n;
            double total = self + children;
            perProbe.put(kind, total);
            String ratio = kind == Kind.EXEC ? "%.2f×".formatted(total / bare.msPerExec()) : "—";
            boolean met = kind == Kind.EXEC ? total <= EXEC_TARGET_RATIO * bare.msPerExec() : total <= NETWORK_TARGET_MS;
            String target = kind == Kind.EXEC ? "≤ %.1f× bare".formatted(EXEC_TARGET_RATIO) : "≤ %.1f ms".formatted(NETWORK_TARGET_MS);
            out.printf("| %s | %d | %.3f ms | %.3f ms | %.3f ms | %s | %s | %s |%n", kind.label, n, total, self, children,
                    ratio, target, met ? "met" : "**not met**");
        }
        out.printf("| bare `%s exec <id> true` from bash, every container once a second | %d | %.3f ms | — | %.3f ms | 1.00× | — | — |%n",
                config.runtime(), bare.execs(), bare.msPerExec(), bare.msPerExec());
        out.printf("| bare `%s exec <id> true` from bash, one sequential loop | %d | %.3f ms | — | %.3f ms | %.2f× | — | — |%n",
                config.runtime(), bareSequential.execs(), bareSequential.msPerExec(), bareSequential.msPerExec(),
                bareSequential.msPerExec() / bare.msPerExec());
        out.println();
        out.printf("""
                %d pods (busybox httpd, pod network), one readiness probe each, periodSeconds 1; %d s window after \
                %d s warm-up per handler, fresh pods per handler. CPU: getrusage of the Peapod JVM, itself and its \
                waited-for children (user + system), minus the idle baseline (the same pods without probes: \
                %.1f ms CPU per second, %.1f ms of it in the JVM), divided by the probes run in the window (counted \
                by the engine). Bare: `%s --root <root> exec <id> true` run %d times against the idle pods' \
                containers from bash, CPU of its children (`times`), once paced as the probes are (one loop per \
                container, one exec a second each: the reference for the ratio) and once in one sequential loop. Probe failures (Unhealthy events) in the \
                windows: %s. %d CPUs; load average (1 min) %s at the start, %s at the end.%n""",
                options.pods(), options.seconds(), options.warmup(), idleRate * 1e3, idleSelf * 1e3, config.runtime(),
                bare.execs(), failures.entrySet().stream().map(e -> e.getKey().key + " " + e.getValue()).toList(),
                Runtime.getRuntime().availableProcessors(), loadAtStart, Bench.load());
        out.printf("CPU per probe: exec %.2f ms (%.2f× bare crun exec %.2f ms, %.2f× sequential %.2f ms), http %.3f ms, tcp %.3f ms%n",
                perProbe.get(Kind.EXEC), perProbe.get(Kind.EXEC) / bare.msPerExec(), bare.msPerExec(),
                perProbe.get(Kind.EXEC) / bareSequential.msPerExec(), bareSequential.msPerExec(),
                perProbe.get(Kind.HTTP), perProbe.get(Kind.TCP));
    }
}
