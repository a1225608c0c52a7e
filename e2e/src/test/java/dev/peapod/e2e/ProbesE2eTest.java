package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Readiness, liveness and startup probes on real containers. */
class ProbesE2eTest {

    @Test
    void readinessFollowsAnHttpGetProbe() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: ready-web}
                    spec:
                      containers:
                      - name: web
                        image: peapod/busybox:latest
                        ports: [{name: http, containerPort: 8080}]
                        readinessProbe:
                          httpGet: {path: /healthz, port: http}
                          periodSeconds: 1
                        command: ["sh", "-c", "mkdir -p /www; (sleep 2; echo ok > /www/healthz) & trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]
                    """);
            String uid = pod.getMetadata().getUid();
            await().atMost(Duration.ofSeconds(20)).until(() -> RestartAndTerminationE2eTest.allRunning(h.latest(pod)));
            assertThat(ready(h.latest(pod))).isEqualTo("False");
            await().atMost(Duration.ofSeconds(20)).until(() -> "True".equals(ready(h.latest(pod))));
            assertThat(h.latest(pod).getStatus().getContainerStatuses().getFirst().getReady()).isTrue();
            assertThat(h.listener.events(uid, "Unhealthy")).anyMatch(e -> e.message().startsWith("Readiness probe failed: HTTP probe failed with statuscode: 404"));
        }
    }

    @Test
    void aFailingLivenessProbeRestartsTheContainer() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: unhealthy}
                    spec:
                      terminationGracePeriodSeconds: 2
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        livenessProbe:
                          exec: {command: ["test", "-f", "/tmp/alive"]}
                          periodSeconds: 1
                          failureThreshold: 2
                        command: ["sh", "-c", "touch /tmp/alive; (sleep 2; rm /tmp/alive) & trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                    """);
            await().atMost(Duration.ofSeconds(40)).until(() -> RestartAndTerminationE2eTest.restartCount(h.latest(pod)) >= 1);
            String uid = pod.getMetadata().getUid();
            assertThat(h.listener.events(uid, "Unhealthy")).anyMatch(e -> e.message().startsWith("Liveness probe failed"));
            assertThat(h.listener.events(uid, "Killing")).anyMatch(e -> e.message().contains("failed liveness probe, will be restarted"));
        }
    }

    @Test
    void aContainerThatNeverPassesItsReadinessProbeRunsButIsNeverReady() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: never-ready}
                    spec:
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        readinessProbe:
                          exec: {command: ["sh", "-c", "echo not yet; exit 1"]}
                          periodSeconds: 1
                        command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                    """);
            String uid = pod.getMetadata().getUid();
            await().atMost(Duration.ofSeconds(20)).until(() -> h.listener.events(uid, "Unhealthy").size() >= 3);
            Pod p = h.latest(pod);
            assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            assertThat(condition(p, "Ready")).isEqualTo("False");
            assertThat(condition(p, "ContainersReady")).isEqualTo("False");
            var app = p.getStatus().getContainerStatuses().getFirst();
            assertThat(app.getState().getRunning()).isNotNull();
            assertThat(app.getReady()).isFalse();
            assertThat(app.getRestartCount()).isZero();
            // Readiness failures never kill: not a single Killing event.
            assertThat(h.listener.events(uid, "Killing")).isEmpty();
            assertThat(h.listener.events(uid, "Unhealthy")).allMatch(e -> e.message().startsWith("Readiness probe failed: not yet"));
            assertThat(h.listener.history).filteredOn(s -> s.getMetadata().getUid().equals(uid))
                    .noneMatch(s -> "True".equals(condition(s, "Ready")));
        }
    }

    static String condition(Pod p, String type) {
        if (p == null || p.getStatus() == null) return "";
        return p.getStatus().getConditions().stream().filter(c -> c.getType().equals(type))
                .map(PodCondition::getStatus).findFirst().orElse("");
    }

    static String ready(Pod p) {
        if (p == null || p.getStatus() == null) return "";
        return p.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                .map(PodCondition::getStatus).findFirst().orElse("");
    }
}
