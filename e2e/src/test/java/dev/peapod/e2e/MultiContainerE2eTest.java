package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The pod as a logical host: shared volumes, localhost, shared memory, one PID namespace on request. */
class MultiContainerE2eTest {

    @Test
    void nativeSidecarTailsTheAppLogFromASharedEmptyDirAndStopsAfterTheApp() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: log-tail}
                    spec:
                      restartPolicy: OnFailure
                      volumes: [{name: logs, emptyDir: {}}]
                      initContainers:
                      - name: collector
                        image: peapod/busybox:latest
                        restartPolicy: Always
                        command: ["sh", "-c", "trap 'exit 0' TERM; tail -n +1 -F /logs/access.log & wait"]
                        volumeMounts: [{name: logs, mountPath: /logs}]
                      containers:
                      - name: web
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "for i in 1 2 3; do echo GET /page/$i >> /logs/access.log; done; sleep 2"]
                        volumeMounts: [{name: logs, mountPath: /logs}]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "collector")).contains("GET /page/1", "GET /page/2", "GET /page/3");
            var sidecar = done.getStatus().getInitContainerStatuses().getFirst();
            var app = done.getStatus().getContainerStatuses().getFirst();
            // The sidecar started before the app and was stopped after it finished.
            assertThat(sidecar.getState().getTerminated().getStartedAt())
                    .isLessThanOrEqualTo(app.getState().getTerminated().getStartedAt());
            assertThat(sidecar.getState().getTerminated().getFinishedAt())
                    .isGreaterThanOrEqualTo(app.getState().getTerminated().getFinishedAt());
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Killing"))
                    .extracting(e -> e.container()).containsExactly("collector");
        }
    }

    @Test
    void containersTalkOverLocalhostAndShareDevShm() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: localhost-talk}
                    spec:
                      restartPolicy: Never
                      initContainers:
                      - name: server
                        image: peapod/busybox:latest
                        restartPolicy: Always
                        command: ["sh", "-c", "mkdir -p /www && echo served-over-localhost > /www/index.html && echo shm-from-server > /dev/shm/segment && for n in ipc net uts; do readlink /proc/self/ns/$n; done > /dev/shm/ns && trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]
                      containers:
                      - name: client
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "until wget -q -O - http://127.0.0.1:8080/ 2>/dev/null; do sleep 0.1; done; cat /dev/shm/segment; for n in ipc net uts; do readlink /proc/self/ns/$n; done | cmp - /dev/shm/ns && grep -q 'ipc:' /dev/shm/ns && echo same-namespaces"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "client")).containsExactly("served-over-localhost", "shm-from-server", "same-namespaces");
        }
    }

    @Test
    void shareProcessNamespaceLetsContainersSeeEachOther() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: shared-pids}
                    spec:
                      restartPolicy: Never
                      shareProcessNamespace: true
                      initContainers:
                      - name: sleeper
                        image: peapod/busybox:latest
                        restartPolicy: Always
                        command: ["sh", "-c", "exec sleep 1234"]
                      containers:
                      - name: looker
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "ps -o pid,args | grep -v grep | grep -E 'sleep 1234|catatonit' | sed 's/^ *//'"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            var lines = h.logs(pod, "looker");
            assertThat(lines).anyMatch(l -> l.startsWith("1 ") && l.contains("catatonit"));
            assertThat(lines).anyMatch(l -> l.contains("sleep 1234"));
        }
    }

    @Test
    void withoutShareProcessNamespaceEachContainerIsPidOne() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: own-pids}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: solo
                        image: peapod/busybox:latest
                        # $$$$ is the escape for a literal $$ (Kubernetes expands $(VAR) and turns $$ into $).
                        command: ["sh", "-c", "echo $$$$; ps -o pid | tail -n +2 | wc -l"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "solo").getFirst()).isEqualTo("1");
        }
    }
}
