package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Termination messages, lifecycle.stopSignal and activeDeadlineSeconds on real containers. */
class LifecycleE2eTest {

    @Test
    void terminationMessagesComeFromTheFileOrTheLogOnError() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: messages}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: file
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "echo -n 'all good' > /dev/termination-log"]
                      - name: custom-path
                        image: peapod/busybox:latest
                        terminationMessagePath: /tmp/why
                        command: ["sh", "-c", "echo -n 'custom path' > /tmp/why; exit 2"]
                      - name: fallback
                        image: peapod/busybox:latest
                        terminationMessagePolicy: FallbackToLogsOnError
                        command: ["sh", "-c", "echo starting; echo 'boom: disk full' >&2; exit 1"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(RestartAndTerminationE2eTest.status(done, "file").getState().getTerminated().getMessage()).isEqualTo("all good");
            assertThat(RestartAndTerminationE2eTest.status(done, "custom-path").getState().getTerminated().getMessage()).isEqualTo("custom path");
            assertThat(RestartAndTerminationE2eTest.status(done, "fallback").getState().getTerminated().getMessage())
                    .isEqualTo("starting\nboom: disk full\n"); // kubelet keeps the log lines whole
        }
    }

    @Test
    void lifecycleStopSignalReplacesSigterm() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: stop-signal}
                    spec:
                      os: {name: linux}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        lifecycle: {stopSignal: SIGUSR1}
                        command: ["sh", "-c", "trap 'echo got USR1; exit 0' USR1; trap 'echo got TERM; exit 1' TERM; echo ready; while :; do sleep 0.1; done"]
                    """);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(pod, "app").contains("ready"));
            h.engine.terminate(pod.getMetadata().getUid(), null);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(30));
            assertThat(h.logs(pod, "app")).contains("got USR1").doesNotContain("got TERM");
            assertThat(done.getStatus().getContainerStatuses().getFirst().getState().getTerminated().getExitCode()).isZero();
        }
    }

    @Test
    void activeDeadlineSecondsFailsThePod() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: deadline}
                    spec:
                      activeDeadlineSeconds: 2
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(30));
            assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(done.getStatus().getReason()).isEqualTo("DeadlineExceeded");
            assertThat(done.getStatus().getMessage()).isEqualTo("Pod was active on the node longer than the specified deadline");
            assertThat(h.listener.events(pod.getMetadata().getUid(), "DeadlineExceeded")).hasSize(1);
        }
    }
}
