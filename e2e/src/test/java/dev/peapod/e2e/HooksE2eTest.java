package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** postStart and preStop hooks on real containers. */
class HooksE2eTest {

    @Test
    void postStartRunsInTheContainerAndPreStopRunsBeforeTheStopSignal() throws Exception {
        Path out = Files.createTempDirectory("peapod-e2e-hooks");
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: hooked}
                    spec:
                      terminationGracePeriodSeconds: 10
                      volumes: [{name: out, hostPath: {path: %s}}]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        volumeMounts: [{name: out, mountPath: /out}]
                        lifecycle:
                          postStart: {exec: {command: ["sh", "-c", "echo post-start > /out/post-start"]}}
                          preStop: {exec: {command: ["sh", "-c", "echo pre-stop > /out/pre-stop"]}}
                        command: ["sh", "-c", "trap 'test -f /out/pre-stop && echo stopped-after-pre-stop > /out/order; exit 0' TERM; while :; do sleep 0.1; done"]
                    """.formatted(out));
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(out.resolve("post-start")));
            h.engine.terminate(pod.getMetadata().getUid(), null);
            h.awaitFinished(pod, Duration.ofSeconds(30));
            assertThat(Files.readString(out.resolve("pre-stop"))).isEqualTo("pre-stop\n");
            assertThat(Files.readString(out.resolve("order"))).isEqualTo("stopped-after-pre-stop\n");
        } finally {
            new ProcessBuilder("rm", "-rf", out.toString()).start().waitFor();
        }
    }

    @Test
    void aPreStopSleepDelaysTheStopSignalWithinTheGracePeriod() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sleepy-stop}
                    spec:
                      terminationGracePeriodSeconds: 10
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        lifecycle:
                          preStop: {sleep: {seconds: 2}}
                        command: ["sh", "-c", "trap 'echo got SIGTERM; exit 0' TERM; echo ready; while :; do sleep 0.1; done"]
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(pod, "app").contains("ready"));
            Instant asked = Instant.now();
            h.engine.terminate(pod.getMetadata().getUid(), null);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(30));
            Duration took = Duration.between(asked, Instant.now());
            var terminated = done.getStatus().getContainerStatuses().getFirst().getState().getTerminated();
            // SIGTERM only after the 2 s sleep (run by Peapod, no process in the container), and
            // the trap answered it at once: exit 0 well before the 10 s grace period would SIGKILL.
            assertThat(took).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(8));
            assertThat(terminated.getExitCode()).isZero();
            assertThat(h.logs(pod, "app")).containsExactly("ready", "got SIGTERM");
            assertThat(h.listener.events(pod.getMetadata().getUid(), "FailedPreStopHook")).isEmpty();
        }
    }

    @Test
    void aFailingPostStartHookKillsTheContainer() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: bad-hook}
                    spec:
                      restartPolicy: Never
                      terminationGracePeriodSeconds: 2
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        lifecycle:
                          postStart: {exec: {command: ["sh", "-c", "echo nope >&2; exit 3"]}}
                        command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                    """);
            h.awaitFinished(pod, Duration.ofSeconds(30));
            var failed = h.listener.events(pod.getMetadata().getUid(), "FailedPostStartHook");
            assertThat(failed).hasSize(1);
            assertThat(failed.getFirst().message()).contains("exited with 3").contains("nope");
        }
    }
}
