package dev.peapod.e2e;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./peapod up} as a user runs it: the launcher, a cold JVM, real pods, exit codes and output. */
class UpCommandE2eTest {
    static final String DATA = "/var/lib/peapod-e2e-cli";

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void loadImage() throws Exception {
        var r = peapod(List.of("image", "load", "--data-dir", DATA, Harness.testImage().toString()), 120);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("docker.io/peapod/busybox:latest");
    }

    @Test
    void aCompletingPodStreamsPrefixedLogsAndExitsZero(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: hello}
                spec:
                  restartPolicy: Never
                  containers:
                  - {name: one, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["echo", "first container"]}
                  - {name: two, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo second >&2"]}
                """);
        var r = up(pod);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("hello/one | first container", "hello/two | second",
                "hello/one ▸ started", "hello/one ▸ exited with code 0", "hello ▸ pod Succeeded");
        assertNoPodsLeft();
    }

    @Test
    void twoContainersDeclaringOnePortGetAWarningAtSubmission(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: clash}
                spec:
                  restartPolicy: Never
                  containers:
                  - {name: a, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["true"], ports: [{containerPort: 8080}]}
                  - {name: b, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["true"], ports: [{containerPort: 8080}]}
                """);
        var r = up(pod);
        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("Warning: " + pod + ": Pod \"clash\": "
                + "spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]");
        // peapod lint's findings, printed the same way: the warning in full, the practice ones counted.
        assertThat(r.err()).contains("Warning: " + pod + ": Pod \"clash\": warning PEA001 spec.containers[1].ports[0]: port 8080/TCP")
                .containsPattern("Lint: \\d+ more findings \\(PEA005, PEA006, PEA007\\); `peapod lint " + java.util.regex.Pattern.quote(pod.toString()) + "` explains them");
        assertNoPodsLeft();
    }

    @Test
    void aFailedPodExitsNonZeroWithTheReason(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: fails}
                spec:
                  restartPolicy: Never
                  containers:
                  - {name: app, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "exit 3"]}
                """);
        var r = up(pod);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("fails/app ▸ exited with code 3 (Error)", "fails ▸ pod Failed");
        assertNoPodsLeft();
    }

    @Test
    void invalidManifestsAreRejectedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: bad}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest}
                  - {name: app}
                """);
        Path typo = Files.writeString(dir.resolve("typo.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: typo}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest, imagePullPolicyy: Never}
                """);
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
        var r = peapod(List.of("up", "--data-dir", DATA, pod.toString(), typo.toString(), broken.toString()), 60);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("spec.containers[1].name: Duplicate value: \"app\"",
                "spec.containers[1].image: Required value",
                "unknown field \"spec.containers[0].imagePullPolicyy\"",
                "broken.yaml:");
        assertThat(r.out()).doesNotContain("started");
        assertNoPodsLeft();
    }

    @Test
    void sigtermStopsThePodsGracefully(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: server}
                spec:
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "trap 'echo stopping politely; exit 0' TERM; echo serving; while :; do sleep 0.1; done"]
                """);
        var pb = new ProcessBuilder(List.of(Harness.REPO.resolve("peapod").toString(), "up", "--no-color", "--data-dir", DATA, pod.toString()))
                .redirectErrorStream(true);
        Process p = pb.start();
        var out = new StringBuilder();
        var reader = Thread.ofVirtual().start(() -> {
            try (var in = p.inputReader()) {
                String line;
                while ((line = in.readLine()) != null) synchronized (out) { out.append(line).append('\n'); }
            } catch (IOException ignored) {
                // process ended
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            synchronized (out) { if (out.toString().contains("server/app | serving")) break; }
            Thread.sleep(50);
        }
        p.toHandle().destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join();
        assertThat(p.exitValue()).isEqualTo(143);
        assertThat(out.toString()).contains("server/app | stopping politely", "server/app ▸ exited with code 0");
        assertNoPodsLeft();
    }

    @Test
    void timeoutTerminatesTheRun(@TempDir Path dir) throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: forever}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - {name: app, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]}
                """);
        var r = peapod(List.of("up", "--timeout", "3s", "--data-dir", DATA, pod.toString()), 60);
        assertThat(r.exit()).isEqualTo(124);
        assertThat(r.out()).contains("timed out");
        assertNoPodsLeft();
    }

    private static Run up(Path pod) throws Exception {
        return peapod(List.of("up", "--no-color", "--data-dir", DATA, pod.toString()), 120);
    }

    static Run peapod(List<String> args, int timeoutSeconds) throws Exception {
        var cmd = new ArrayList<String>();
        cmd.add(Harness.REPO.resolve("peapod").toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        var err = Thread.ofVirtual().start(() -> { });
        var errText = new StringBuilder();
        err = Thread.ofVirtual().start(() -> {
            try {
                errText.append(new String(p.getErrorStream().readAllBytes()));
            } catch (IOException ignored) {
                // ended
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("peapod " + args + " did not finish in " + timeoutSeconds + " s:\n" + out);
        }
        err.join();
        return new Run(p.exitValue(), out, errText.toString());
    }

    private static void assertNoPodsLeft() throws IOException {
        for (String dir : List.of(DATA + "/pods", "/proc/self/mountinfo")) {
            if (dir.endsWith("mountinfo")) {
                String run = dev.peapod.node.NodeConfig.defaults(Path.of(DATA)).runDir() + "/";
                assertThat(Files.readAllLines(Path.of(dir))).noneMatch(l -> l.contains(run) || l.contains(DATA + "/pods/"));
            } else if (Files.isDirectory(Path.of(dir))) {
                try (var s = Files.list(Path.of(dir))) {
                    assertThat(s.toList()).as("pod directories left in " + dir).isEmpty();
                }
            }
        }
    }
}
