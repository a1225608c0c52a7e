package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** securityContext with real containers: what the process may do is checked from inside. */
class SecurityContextE2eTest {

    @Test
    void readOnlyRootDroppedCapabilityAndNoNewPrivsHoldInside() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: restricted}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: ro
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "touch /x 2>&1 || echo refused; touch /dev/shm/y && echo shm-writable"]
                        securityContext: {readOnlyRootFilesystem: true}
                      - name: nochown
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "touch /f; chown 1:1 /f 2>&1 || echo refused; id -u"]
                        securityContext: {capabilities: {drop: [CHOWN]}}
                      - name: nnp
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "grep NoNewPrivs /proc/self/status"]
                        securityContext: {allowPrivilegeEscalation: false}
                      - name: plain
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "grep NoNewPrivs /proc/self/status; touch /f; chown 1:1 /f && echo chowned"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "ro")).containsExactly("touch: /x: Read-only file system", "refused", "shm-writable");
            assertThat(h.logs(pod, "nochown")).containsExactly("chown: /f: Operation not permitted", "refused", "0");
            assertThat(h.logs(pod, "nnp")).containsExactly("NoNewPrivs:\t1");
            assertThat(h.logs(pod, "plain")).containsExactly("NoNewPrivs:\t0", "chowned");
        }
    }

    @Test
    void runAsNonRootWithARootImageIsACreateContainerConfigError() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: nonroot, uid: 9b7c1f3e-0000-4000-8000-00000000aa01}
                    spec:
                      securityContext: {runAsNonRoot: true}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sleep", "60"]
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> RestartAndTerminationE2eTest.waitingReason(h.latest(pod))
                    .equals("CreateContainerConfigError"));
            var waiting = h.latest(pod).getStatus().getContainerStatuses().getFirst().getState().getWaiting();
            assertThat(waiting.getMessage()).isEqualTo("container has runAsNonRoot and image will run as root "
                    + "(pod: \"nonroot_default(9b7c1f3e-0000-4000-8000-00000000aa01)\", container: app)");
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Started")).isEmpty();
        }
    }
}
