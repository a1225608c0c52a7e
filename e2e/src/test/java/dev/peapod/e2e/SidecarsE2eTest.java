package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Native sidecars on real containers (https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/):
 * start order, startup gating, reverse stop order.
 */
class SidecarsE2eTest {

    /**
     * Appends "&lt;event&gt; &lt;name&gt; &lt;seconds&gt;" to the shared log, the time from /proc/uptime: one
     * clock for every container, in hundredths of a second (busybox date has no %N).
     */
    private static String note(String event, String name) {
        return "read up rest < /proc/uptime; echo " + event + " " + name + " $up >> /order/log";
    }

    @Test
    void sidecarsStartInOrderBeforeTheAppAndStopAfterItInReverseOrder() throws Exception {
        try (var h = new Harness()) {
            // postStart notes the start: the next container may only start once it has returned.
            // The SIGTERM trap notes the stop; the first sidecar, stopped last, hands the whole log
            // over as its termination message (the emptyDir is gone once the pod is).
            String loop = "while :; do sleep 0.1; done";
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sidecar-order}
                    spec:
                      terminationGracePeriodSeconds: 20
                      volumes: [{name: order, emptyDir: {}}]
                      initContainers:
                      - name: first
                        image: peapod/busybox:latest
                        restartPolicy: Always
                        volumeMounts: [{name: order, mountPath: /order}]
                        lifecycle: {postStart: {exec: {command: ["sh", "-c", "%s"]}}}
                        command: ["sh", "-c", "trap '%s; cat /order/log > /dev/termination-log; exit 0' TERM; %s"]
                      - name: second
                        image: peapod/busybox:latest
                        restartPolicy: Always
                        volumeMounts: [{name: order, mountPath: /order}]
                        lifecycle: {postStart: {exec: {command: ["sh", "-c", "%s"]}}}
                        command: ["sh", "-c", "trap '%s; exit 0' TERM; %s"]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        volumeMounts: [{name: order, mountPath: /order}]
                        lifecycle: {postStart: {exec: {command: ["sh", "-c", "%s"]}}}
                        command: ["sh", "-c", "trap 'sleep 1; %s; exit 0' TERM; %s"]
                    """.formatted(note("start", "first"), note("stop", "first"), loop,
                    note("start", "second"), note("stop", "second"), loop,
                    note("start", "app"), note("stop", "app"), loop));
            await().atMost(Duration.ofSeconds(30)).until(() -> RestartAndTerminationE2eTest.allRunning(h.latest(pod)));
            h.engine.terminate(pod.getMetadata().getUid(), null);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(40));

            ContainerStatus first = done.getStatus().getInitContainerStatuses().getFirst();
            String log = first.getState().getTerminated().getMessage();
            List<String> events = log.lines().map(l -> l.split(" ")[0] + " " + l.split(" ")[1]).toList();
            // The app's trap takes a second: the sidecars must still wait for it.
            assertThat(events).containsExactly("start first", "start second", "start app",
                    "stop app", "stop second", "stop first");
            double[] times = log.lines().mapToDouble(l -> Double.parseDouble(l.split(" ")[2])).toArray();
            assertThat(times).isSorted();
            assertThat(first.getState().getTerminated().getExitCode()).isZero();
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Killing")).extracting(e -> e.container())
                    .containsExactly("app", "second", "first");
        }
    }

    @Test
    void aSidecarsStartupProbeHoldsTheAppBackUntilItPasses() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sidecar-startup}
                    spec:
                      restartPolicy: Never
                      volumes: [{name: shared, emptyDir: {}}]
                      initContainers:
                      - name: proxy
                        image: peapod/busybox:latest
                        restartPolicy: Always
                        volumeMounts: [{name: shared, mountPath: /shared}]
                        startupProbe:
                          exec: {command: ["test", "-f", "/shared/up"]}
                          periodSeconds: 1
                          failureThreshold: 30
                        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3; touch /shared/up; while :; do sleep 0.1; done"]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        volumeMounts: [{name: shared, mountPath: /shared}]
                        command: ["sh", "-c", "test -f /shared/up && echo proxy-was-up || echo too-early"]
                    """);
            // While the probe fails the sidecar runs, is not started, and the pod stays Pending.
            await().atMost(Duration.ofSeconds(20)).until(() -> proxyRunning(h.latest(pod)));
            Pod early = h.latest(pod);
            assertThat(early.getStatus().getInitContainerStatuses().getFirst().getStarted()).isFalse();
            assertThat(early.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(early.getStatus().getContainerStatuses().getFirst().getState().getWaiting()).isNotNull();

            Pod done = h.awaitFinished(pod, Duration.ofSeconds(40));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("proxy-was-up");
            Instant proxyStarted = Instant.parse(done.getStatus().getInitContainerStatuses().getFirst().getState()
                    .getTerminated().getStartedAt());
            Instant appStarted = Instant.parse(done.getStatus().getContainerStatuses().getFirst().getState()
                    .getTerminated().getStartedAt());
            assertThat(Duration.between(proxyStarted, appStarted)).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Unhealthy"))
                    .anyMatch(e -> e.container().equals("proxy") && e.message().startsWith("Startup probe failed"));
        }
    }

    @Test
    void aSidecarThatCrashesWhileTheAppDrainsIsRestartedAndStoppedAfterIt() throws Exception {
        try (var h = new Harness(Duration.ofMillis(200), Duration.ofSeconds(1))) {
            // The app's SIGTERM trap makes the sidecar crash (exit 1) once, then needs the sidecar
            // back before it can finish: the restarted sidecar notes "up" again.
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sidecar-drain}
                    spec:
                      terminationGracePeriodSeconds: 20
                      volumes: [{name: shared, emptyDir: {}}]
                      initContainers:
                      - name: proxy
                        image: peapod/busybox:latest
                        restartPolicy: Always
                        volumeMounts: [{name: shared, mountPath: /shared}]
                        command: ["sh", "-c", "echo up >> /shared/proxy; trap 'exit 0' TERM; while :; do if [ -f /shared/crash ]; then rm /shared/crash; exit 1; fi; sleep 0.1; done"]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        volumeMounts: [{name: shared, mountPath: /shared}]
                        command: ["sh", "-c", "trap 'touch /shared/crash; until [ $(grep -c up /shared/proxy) -ge 2 ]; do sleep 0.1; done; echo proxy-back; exit 0' TERM; while :; do sleep 0.1; done"]
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> RestartAndTerminationE2eTest.allRunning(h.latest(pod)));
            h.engine.terminate(pod.getMetadata().getUid(), null);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(40));

            var app = done.getStatus().getContainerStatuses().getFirst();
            assertThat(app.getState().getTerminated().getExitCode()).isZero();
            assertThat(h.logs(pod, "app")).containsExactly("proxy-back");
            var proxy = done.getStatus().getInitContainerStatuses().getFirst();
            assertThat(proxy.getRestartCount()).isEqualTo(1);
            assertThat(proxy.getLastState().getTerminated().getExitCode()).isEqualTo(1);
            // The new attempt was stopped by SIGTERM in its turn, after the app.
            assertThat(proxy.getState().getTerminated().getExitCode()).isZero();
            assertThat(Instant.parse(proxy.getState().getTerminated().getFinishedAt()))
                    .isAfterOrEqualTo(Instant.parse(app.getState().getTerminated().getFinishedAt()));
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Killing")).extracting(e -> e.container())
                    .containsExactly("app", "proxy");
        }
    }

    private static boolean proxyRunning(Pod p) {
        return p != null && p.getStatus() != null && !p.getStatus().getInitContainerStatuses().isEmpty()
                && p.getStatus().getInitContainerStatuses().getFirst().getState().getRunning() != null;
    }
}
