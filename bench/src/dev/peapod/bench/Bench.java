package dev.peapod.bench;

import dev.peapod.node.NodeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Pod start latency, Peapod side by side with {@code podman kube play}; run by bench/run, which
 * sets up the host, the image and the podman configuration first.
 *
 * <p>Three phases, each interleaving the two sides run by run (alternating which goes first) so
 * that drift on a shared machine hits both alike:
 * <ol>
 *   <li>warm, pod network: one Peapod engine in this JVM on its default CNI bridge network, timed
 *       from {@code engine.run} to all containers up, against the wall time of
 *       {@code podman kube play} on podman's default bridge network;</li>
 *   <li>warm, loopback only: the same with no pod network on either side (Peapod without a CNI
 *       configuration, podman with {@code --network none});</li>
 *   <li>cold: the whole {@code ./peapod up} command (pod network), timed from the fork to its last
 *       "started" line, against a fresh set of {@code podman kube play} samples.</li>
 * </ol>
 * Prints progress on stderr, the table and the two summary lines on stdout. Exit 0, or 1 when a
 * run failed or something leaked, 130 when stopped by a signal.
 */
public final class Bench {
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final int MAX_VOID = 10;
    private static final int MAX_FAILED = 3;
    private static final String NOTES = """
            %d runs per cell after %d warm-up runs, interleaved with the other side; milliseconds, p50/p90 \
            by linear interpolation. %d CPUs; load average (1 min) %s at the start, %s at the end. \
            Warm engine: Peapod from `engine.run(pod)` to the status showing init containers terminated \
            and sidecar and app running, one engine kept warm; podman: wall time of `podman kube play` \
            (podman has no warm engine). Cold: `./peapod up` from exec to its last `▸ started` line, \
            against podman samples taken in the same phase. Pod network: Peapod's default CNI bridge \
            (`peapod0`: bridge, host-local, portmap, firewall) and podman's default bridge network \
            `podman` (netavark, no DNS server; `--network podman`); loopback only: no CNI configuration for Peapod, `--network none` for podman. \
            Same busybox image on both sides. In the 3-container pod the sidecar is a native sidecar \
            for Peapod and a second regular container for podman, which has no native sidecars.""";

    private final Options options;
    private final List<Scenario> scenarios;
    private final Report report = new Report();
    private final NodeConfig config;
    private int rebuilt;
    private int failed;

    private Bench(Options options) {
        this.options = options;
        this.scenarios = Scenario.all(options.pods().toAbsolutePath());
        this.config = NodeConfig.defaults(options.dataDir());
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        Stop.install(Thread.currentThread());
        int code;
        try {
            code = new Bench(Options.parse(args)).run();
        } catch (Stop.Requested e) {
            System.err.println("bench: stopped; everything started was stopped and removed");
            code = 130;
        } catch (Exception e) {
            System.err.println("bench: " + e.getMessage());
            code = Stop.requested() ? 130 : 1;
        }
        System.exit(code);
    }

    private int run() throws Exception {
        String loadAtStart = load();
        if (options.runDirFile() != null) Files.writeString(options.runDirFile(), config.runDir() + "\n");
        var bridge = new Podman(true);
        var warmRows = rows("warm engine, pod network");
        try (var warm = new WarmPeapod(options.dataDir(), true)) {
            phase("warm", warmRows, warm::start, bridge);
        }
        int leaks = checkLeaks("warm");
        if (options.loopback()) {
            try (var warm = new WarmPeapod(options.dataDir(), false)) {
                phase("warm-lo", rows("warm engine, loopback only"), warm::start, new Podman(false));
            }
            leaks += checkLeaks("loopback-only warm");
        }
        Report.Row coldThree = null;
        if (options.cold()) {
            var cold = new ColdUp(options.repo().toAbsolutePath(), options.dataDir());
            var coldRows = rows("cold `peapod up`, pod network");
            phase("cold", coldRows, s -> coldSample(cold, s), bridge);
            leaks += checkLeaks("cold");
            coldThree = coldRows.get(1);
        }
        String stamp = java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-');
        report.writeCsv(options.results().resolve("samples-" + stamp + ".csv"));
        String notes = NOTES.formatted(options.runs(), options.warmup(), Runtime.getRuntime().availableProcessors(), loadAtStart, load());
        if (rebuilt + failed > 0) {
            notes += " Cold samples void and run again: %d because the launcher rebuilt the project during the run, %d because `peapod up` failed."
                    .formatted(rebuilt, failed);
        }
        report.print(System.out, notes);
        System.out.println(Report.summary("3-container pod start", warmRows.get(1)));
        if (coldThree != null) System.out.println(Report.summary("cold up", coldThree));
        return leaks == 0 ? 0 : 1;
    }

    private List<Report.Row> rows(String measurement) {
        return scenarios.stream().map(s -> report.row(measurement, s)).toList();
    }

    interface Side {
        long start(Scenario s) throws Exception;
    }

    /** Warm-up runs, then {@code runs} timed runs per scenario, the two sides interleaved. */
    private void phase(String name, List<Report.Row> rows, Side peapod, Podman podman) throws Exception {
        for (int i = 0; i < options.warmup(); i++) {
            for (Scenario s : scenarios) {
                Stop.check();
                long a = peapod.start(s);
                long b = podmanSample(podman, s);
                progress(name + " warm-up " + (i + 1) + "/" + options.warmup(), s, a, b);
            }
        }
        for (int i = 0; i < options.runs(); i++) {
            for (int k = 0; k < scenarios.size(); k++) {
                Scenario s = scenarios.get(k);
                Stop.check();
                long a, b;
                if ((i + k) % 2 == 0) {
                    a = peapod.start(s);
                    Leaks.settle(config, SETTLE);
                    b = podmanSample(podman, s);
                } else {
                    b = podmanSample(podman, s);
                    a = peapod.start(s);
                }
                Leaks.settle(config, SETTLE);
                rows.get(k).peapod().add(a);
                rows.get(k).podman().add(b);
                progress(name + " " + (i + 1) + "/" + options.runs(), s, a, b);
            }
        }
    }

    private long podmanSample(Podman podman, Scenario s) throws InterruptedException {
        try {
            return podman.play(s);
        } finally {
            podman.down(s);
            Leaks.settle(config, SETTLE);
        }
    }

    /**
     * A cold sample. A run during which the launcher rebuilt the project (someone changed a source
     * meanwhile) or re-recorded its AOT cache is void and done again, up to {@link #MAX_VOID} times.
     * So is a failed run, up to {@link #MAX_FAILED} times in the phase: the tree is shared with
     * ongoing work and a build can be caught half-way; every failure is printed, and more fail the bench.
     */
    private long coldSample(ColdUp cold, Scenario s) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return cold.up(s);
            } catch (ColdUp.Rebuilt e) {
                rebuilt++;
                if (attempt == MAX_VOID) throw new IllegalStateException("failed to measure peapod up: " + e.getMessage());
                System.err.println("bench: sample void, the launcher rebuilt the project during it; running it again");
            } catch (IllegalStateException e) {
                if (Stop.requested() || ++failed > MAX_FAILED) throw e;
                System.err.println("bench: sample void, peapod up failed (running it again): " + e.getMessage());
            }
        }
    }

    private int checkLeaks(String phase) throws IOException {
        var leaks = Leaks.find(config);
        leaks.forEach(l -> System.err.println("bench: LEAK after the " + phase + " phase: " + l));
        return leaks.size();
    }

    /** The 1-minute load average, as /proc/loadavg gives it. */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void progress(String what, Scenario s, long peapod, long podman) {
        System.err.printf(Locale.ROOT, "bench: %-19s %-5s peapod %6.1f ms   podman %6.1f ms%n", what, s.key(), peapod / 1e6, podman / 1e6);
    }
}
