package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Restart policies, CrashLoopBackOff, graceful termination. */
class RestartAndTerminationE2eTest {

    @Test
    void crashLoopBacksOffWithGrowingDelaysAndCountsRestarts() throws Exception {
        // A small base and cap keep the test short; the curve is the kubelet's (doubling, capped).
        try (var h = new Harness(Duration.ofMillis(600), Duration.ofMillis(2400))) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: crasher}
                    spec:
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "echo attempt; exit 3"]
                    """);
            String uid = pod.getMetadata().getUid();
            await().atMost(Duration.ofSeconds(40)).until(() -> restartCount(h.latest(pod)) >= 4);
            var status = h.latest(pod).getStatus().getContainerStatuses().getFirst();
            assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(3);
            assertThat(h.listener.history).anyMatch(p -> p.getMetadata().getUid().equals(uid)
                    && waitingReason(p).equals("CrashLoopBackOff"));
            assertThat(h.listener.events(uid, "BackOff")).isNotEmpty();
            List<Instant> starts = h.listener.events(uid, "Started").stream().map(e -> e.time()).toList();
            var gaps = new ArrayList<Long>();
            for (int i = 1; i < starts.size(); i++) gaps.add(Duration.between(starts.get(i - 1), starts.get(i)).toMillis());
            // kubelet: the first restart is immediate, then base, 2×base, 4×base (capped).
            assertThat(gaps.get(1)).isGreaterThanOrEqualTo(550);
            assertThat(gaps.get(2)).isGreaterThanOrEqualTo(1150).isGreaterThan(gaps.get(1));
            assertThat(h.logs(pod, "app", 2)).containsExactly("attempt");
        }
    }

    @Test
    void neverFailsThePodOnAFailedContainer() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: never}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "exit 7"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
            var s = done.getStatus().getContainerStatuses().getFirst();
            assertThat(s.getRestartCount()).isZero();
            assertThat(s.getState().getTerminated().getExitCode()).isEqualTo(7);
            assertThat(s.getState().getTerminated().getReason()).isEqualTo("Error");
        }
    }

    @Test
    void onFailureRestartsUntilTheContainerSucceeds() throws Exception {
        try (var h = new Harness(Duration.ofMillis(500), Duration.ofSeconds(2))) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: on-failure}
                    spec:
                      restartPolicy: OnFailure
                      volumes: [{name: state, emptyDir: {}}]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "if [ -f /state/second ]; then echo recovered; exit 0; fi; touch /state/second; exit 1"]
                        volumeMounts: [{name: state, mountPath: /state}]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            var s = done.getStatus().getContainerStatuses().getFirst();
            assertThat(s.getRestartCount()).isEqualTo(1);
            assertThat(s.getLastState().getTerminated().getExitCode()).isEqualTo(1);
            assertThat(h.logs(pod, "app", 1)).containsExactly("recovered");
        }
    }

    @Test
    void anExitCodeRuleRestartsOnItsCodeOnlyAndThePodFailsAfterAnyOther() throws Exception {
        try (var h = new Harness(Duration.ofMillis(500), Duration.ofSeconds(2))) {
            // KEP-5307: the container's rules come first (42 restarts), then its own Never.
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: exit-rules}
                    spec:
                      restartPolicy: Never
                      volumes: [{name: state, emptyDir: {}}]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        restartPolicy: Never
                        restartPolicyRules:
                        - action: Restart
                          exitCodes: {operator: In, values: [42]}
                        command: ["sh", "-c", "if [ -f /state/again ]; then echo second; exit 1; fi; touch /state/again; echo first; exit 42"]
                        volumeMounts: [{name: state, mountPath: /state}]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
            var s = done.getStatus().getContainerStatuses().getFirst();
            assertThat(s.getRestartCount()).isEqualTo(1);
            assertThat(s.getLastState().getTerminated().getExitCode()).isEqualTo(42);
            assertThat(s.getState().getTerminated().getExitCode()).isEqualTo(1);
            assertThat(h.logs(pod, "app", 0)).containsExactly("first");
            assertThat(h.logs(pod, "app", 1)).containsExactly("second");
        }
    }

    @Test
    void sigtermTrapIsHonouredAndIgnoringItEndsInSigkillAfterTheGracePeriod() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: graceful}
                    spec:
                      terminationGracePeriodSeconds: 2
                      containers:
                      - name: polite
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "trap 'echo got SIGTERM; exit 0' TERM; echo ready; while :; do sleep 0.1; done"]
                      - name: stubborn
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"]
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> allRunning(h.latest(pod)));
            await().atMost(Duration.ofSeconds(10)).until(() -> h.logs(pod, "polite").contains("ready") && h.logs(pod, "stubborn").contains("ready"));
            Instant asked = Instant.now();
            h.engine.terminate(pod.getMetadata().getUid(), null);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(30));
            long took = Duration.between(asked, Instant.now()).toMillis();
            var polite = status(done, "polite");
            var stubborn = status(done, "stubborn");
            assertThat(polite.getState().getTerminated().getExitCode()).isZero();
            assertThat(h.logs(pod, "polite")).contains("got SIGTERM");
            assertThat(stubborn.getState().getTerminated().getExitCode()).isEqualTo(137);
            assertThat(took).isBetween(1900L, 15000L);
        }
    }

    @Test
    void podWhoseImageIsMissingWaitsWithAReasonAndCleansUp() throws Exception {
        try (var h = new Harness()) {
            Pod never = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: no-image-never}
                    spec:
                      containers:
                      - name: app
                        image: example.invalid/nothing:1.0
                        imagePullPolicy: Never
                    """);
            Pod pull = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: no-image-pull}
                    spec:
                      containers:
                      - name: app
                        image: example.invalid/nothing:1.0
                    """);
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingReason(h.latest(never)).equals("ErrImageNeverPull"));
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingReason(h.latest(pull)).equals("ErrImagePull"));
            assertThat(h.latest(never).getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage())
                    .isEqualTo("Container image \"example.invalid/nothing:1.0\" is not present with pull policy of Never");
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingReason(h.latest(pull)).equals("ImagePullBackOff"));
            assertThat(h.latest(pull).getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage())
                    .contains("pulling from registries is disabled");
            assertThat(h.latest(never).getStatus().getPhase()).isEqualTo("Pending");
            // close() terminates both pods and checks that nothing leaked
        }
    }

    @Test
    void runtimeErrorsSurfaceWithTheRuntimesMessage() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: no-binary}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["/no/such/binary"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(30));
            assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
            var t = done.getStatus().getContainerStatuses().getFirst().getState().getTerminated();
            assertThat(t.getExitCode()).isNotZero();
            assertThat(t.getReason()).isIn("StartError", "ContainerCannotRun", "Error");
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Failed").toString() + t.getMessage())
                    .contains("/no/such/binary");
        }
    }

    static int restartCount(Pod p) {
        if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses().isEmpty()) return 0;
        return p.getStatus().getContainerStatuses().getFirst().getRestartCount();
    }

    static String waitingReason(Pod p) {
        if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses().isEmpty()) return "";
        var w = p.getStatus().getContainerStatuses().getFirst().getState().getWaiting();
        return w == null || w.getReason() == null ? "" : w.getReason();
    }

    static boolean allRunning(Pod p) {
        return p != null && p.getStatus() != null && !p.getStatus().getContainerStatuses().isEmpty()
                && p.getStatus().getContainerStatuses().stream().allMatch(s -> s.getState().getRunning() != null);
    }

    static ContainerStatus status(Pod p, String name) {
        return p.getStatus().getContainerStatuses().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }
}
