package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import dev.peapod.node.ConfigSource;
import dev.peapod.node.NodeConfig;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The multi-container basics on real crun + conmon + overlayfs. */
class PodBasicsE2eTest {

    @Test
    void initContainerWritesConfigThatTheAppReads() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: init-config}
                    spec:
                      restartPolicy: Never
                      volumes: [{name: conf, emptyDir: {}}]
                      initContainers:
                      - name: write-config
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "echo greeting=hello-from-init > /conf/app.properties"]
                        volumeMounts: [{name: conf, mountPath: /conf}]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /conf/app.properties; hostname; cat /etc/hostname; grep -c localhost /etc/hosts; ip -o link show lo | grep -q UP && echo lo-up"]
                        volumeMounts: [{name: conf, mountPath: /conf}]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("greeting=hello-from-init", "init-config", "init-config", "2", "lo-up");
            ContainerStatus init = done.getStatus().getInitContainerStatuses().getFirst();
            assertThat(init.getState().getTerminated().getExitCode()).isZero();
            assertThat(init.getState().getTerminated().getReason()).isEqualTo("Completed");
        }
    }

    @Test
    void runcIsSelectable() throws Exception {
        var config = Harness.defaultConfig().withRuntime("runc");
        try (var h = new Harness(config, ConfigSource.EMPTY)) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: on-runc}
                    spec:
                      restartPolicy: Never
                      initContainers:
                      - {name: first, image: peapod/busybox:latest, command: ["true"]}
                      containers:
                      - {name: app, image: peapod/busybox:latest, command: ["sh", "-c", "echo via runc"]}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("via runc");
            assertThat(done.getStatus().getContainerStatuses().getFirst().getContainerID()).startsWith("runc://");
        }
    }
}
