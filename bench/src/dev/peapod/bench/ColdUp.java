package dev.peapod.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The whole command, cold: {@code ./peapod up --data-dir D pod.yaml} timed from just before the
 * fork until its stdout has shown {@code <pod>/<container> ▸ started} for every container of the
 * scenario (launcher script, JVM start, manifest parsing, host preflight, engine, containers).
 * Then SIGTERM, which {@code peapod up} answers by stopping its pods gracefully (not timed).
 * Each run is preceded by an untimed {@code ./peapod --version}, so that a rebuild the launcher
 * owes (a source changed meanwhile) happens outside the timed window.
 */
final class ColdUp {
    private static final long TIMEOUT_MS = 60_000;
    private static final int PREPARE_ATTEMPTS = 30;

    /** The launcher rebuilt the project or re-recorded its AOT cache during the run: the sample is void. */
    static final class Rebuilt extends RuntimeException {
        Rebuilt(String message) { super(message); }
    }

    private record Line(String text, long nanos) {}

    private final Path launcher;
    private final Path dataDir;

    ColdUp(Path repo, Path dataDir) {
        this.launcher = repo.resolve("peapod");
        this.dataDir = dataDir;
    }

    long up(Scenario s) throws IOException, InterruptedException {
        prepare();
        var built = buildStamps();
        Path err = Files.createTempFile("peapod-bench-up-", ".err");
        var pb = new ProcessBuilder(launcher.toString(), "up", "--no-color", "--data-dir", dataDir.toString(), s.peapodYaml().toString())
                .redirectError(err.toFile());
        var lines = new LinkedBlockingQueue<Line>();
        var seen = new ArrayList<String>();
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            Thread.ofVirtual().start(() -> readLines(p, lines));
            var missing = new HashSet<>(s.started());
            long last = t0;
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            while (!missing.isEmpty()) {
                Line l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null || l.text == null) {
                    throw new IllegalStateException("failed to see every container of " + s.pod() + " start with peapod up"
                            + (l == null ? " within " + TIMEOUT_MS / 1000 + " s" : " (it exited)") + "; missing " + missing
                            + "; stdout: " + seen + "; stderr: " + Files.readString(err).strip());
                }
                seen.add(l.text);
                for (String c : s.started()) {
                    String prefix = s.pod() + "/" + c + " ";
                    if (l.text.startsWith(prefix) && l.text.endsWith(" started") && missing.remove(c)) last = l.nanos;
                }
            }
            return last - t0;
        } finally {
            stop(p, s, seen);
            String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            if (stderr.contains("peapod: building") || stderr.contains("peapod: recording")) {
                throw new Rebuilt("the launcher rebuilt during the run: " + stderr.strip());
            }
            // Another launcher rebuilt meanwhile: ours may have waited for its build lock.
            if (!buildStamps().equals(built)) throw new Rebuilt("the project was rebuilt during the run");
        }
    }

    /**
     * Untimed: lets the launcher rebuild now if a source changed since the last run. The tree is
     * shared with work in progress, so a build that fails is tried again every 20 s for 10 minutes.
     */
    private void prepare() throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            var r = Procs.run(Duration.ofMinutes(10), launcher.toString(), "--version");
            if (r.ok()) return;
            if (attempt == PREPARE_ATTEMPTS) r.requireOk();
            String error = r.output().lines().filter(l -> l.contains("ERROR") || l.startsWith("peapod:")).findFirst().orElse("");
            System.err.println("bench: the project does not build right now; trying again in 20 s (" + error.strip() + ")");
            Thread.sleep(20_000);
        }
    }

    /** Modification times of the CLI jar and its AOT cache: they change with every build. */
    private List<Long> buildStamps() {
        Path target = launcher.resolveSibling("cli").resolve("target");
        return List.of(target.resolve("peapod-cli.jar").toFile().lastModified(), target.resolve("peapod.aot").toFile().lastModified());
    }

    /** SIGTERM and wait (peapod up stops its pods first); waits even when interrupted. */
    private static void stop(Process p, Scenario s, List<String> seen) throws InterruptedException {
        boolean interrupted = Thread.interrupted();
        p.destroy();
        boolean exited;
        while (true) {
            try {
                exited = p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (!exited) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("failed to stop peapod up for " + s.pod() + ": no exit " + TIMEOUT_MS / 1000 + " s after SIGTERM; stdout: " + seen);
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static void readLines(Process p, LinkedBlockingQueue<Line> lines) {
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) lines.add(new Line(line, System.nanoTime()));
        } catch (IOException ignored) {
            // the process went away; the end marker below says so
        }
        lines.add(new Line(null, System.nanoTime()));
    }
}
