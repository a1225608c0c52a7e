package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** emptyDir (disk and memory), hostPath types, readOnly and subPath — including a hostile subPath. */
class VolumesE2eTest {

    @Test
    void emptyDirIsWorldWritableAndMemoryMediumIsASizedTmpfs() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: empty-dirs}
                    spec:
                      restartPolicy: Never
                      volumes:
                      - {name: disk, emptyDir: {}}
                      - {name: mem, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "stat -c %a /disk; grep ' /mem ' /proc/mounts | cut -d' ' -f3; df -k /mem | tail -1 | awk '{print $2}'; touch /disk/x /mem/y && echo writable"]
                        volumeMounts: [{name: disk, mountPath: /disk}, {name: mem, mountPath: /mem}]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("777", "tmpfs", "16384", "writable");
        }
    }

    @Test
    void readOnlyMountsRefuseWritesAndSubPathMountsAFileOfTheVolume() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: ro-subpath}
                    spec:
                      restartPolicy: Never
                      volumes: [{name: data, emptyDir: {}}]
                      initContainers:
                      - name: seed
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "mkdir -p /data/conf && echo from-subpath > /data/conf/app.conf"]
                        volumeMounts: [{name: data, mountPath: /data}]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /etc/app/app.conf; ls /etc/app; touch /ro/x 2>/dev/null || echo read-only"]
                        volumeMounts:
                        - {name: data, mountPath: /etc/app, subPath: conf}
                        - {name: data, mountPath: /ro, readOnly: true}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("from-subpath", "app.conf", "read-only");
        }
    }

    @Test
    void aSubPathThroughASymlinkPlantedByAContainerIsRefused() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: subpath-escape}
                    spec:
                      restartPolicy: Never
                      volumes: [{name: data, emptyDir: {}}]
                      initContainers:
                      - name: plant
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "ln -s /etc /data/escape"]
                        volumeMounts: [{name: data, mountPath: /data}]
                      containers:
                      - name: victim
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "ls /host-etc"]
                        volumeMounts: [{name: data, mountPath: /host-etc, subPath: escape}]
                    """);
            await().atMost(Duration.ofSeconds(30)).until(() -> RestartAndTerminationE2eTest.waitingReason(h.latest(pod))
                    .equals("CreateContainerConfigError"));
            var waiting = h.latest(pod).getStatus().getContainerStatuses().getFirst().getState().getWaiting();
            assertThat(waiting.getMessage()).contains("subPath \"escape\"").contains("outside the volume");
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Started")).extracting(e -> e.container())
                    .containsExactly("plant");
        }
    }

    @Test
    void hostPathTypesAreCheckedAndCreated() throws Exception {
        Path base = Files.createTempDirectory("peapod-e2e-hostpath");
        try (var h = new Harness()) {
            Path file = Files.writeString(base.resolve("existing.txt"), "from-the-host\n");
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: host-paths}
                    spec:
                      restartPolicy: Never
                      volumes:
                      - {name: made, hostPath: {path: %1$s/made/here, type: DirectoryOrCreate}}
                      - {name: file, hostPath: {path: %2$s, type: File}}
                      - {name: touched, hostPath: {path: %1$s/touched.log, type: FileOrCreate}}
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /in/existing.txt; echo written-by-pod > /made/out; echo line >> /touched.log"]
                        volumeMounts:
                        - {name: made, mountPath: /made}
                        - {name: file, mountPath: /in/existing.txt, readOnly: true}
                        - {name: touched, mountPath: /touched.log}
                    """.formatted(base, file));
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "app")).containsExactly("from-the-host");
            assertThat(Files.readString(base.resolve("made/here/out"))).isEqualTo("written-by-pod\n");
            assertThat(Files.readString(base.resolve("touched.log"))).isEqualTo("line\n");

            Pod wrong = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: host-path-wrong-type}
                    spec:
                      volumes: [{name: d, hostPath: {path: %s, type: Directory}}]
                      containers:
                      - {name: app, image: peapod/busybox:latest, volumeMounts: [{name: d, mountPath: /d}]}
                    """.formatted(file));
            await().atMost(Duration.ofSeconds(20)).until(() -> !h.listener.events(wrong.getMetadata().getUid(), "FailedMount").isEmpty());
            assertThat(h.listener.events(wrong.getMetadata().getUid(), "FailedMount").getFirst().message())
                    .contains("hostPath type check failed").contains("is not a directory");
            assertThat(h.latest(wrong).getStatus().getPhase()).isEqualTo("Pending");
        } finally {
            new ProcessBuilder("rm", "-rf", base.toString()).start().waitFor();
        }
    }
}
