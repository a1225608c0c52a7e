package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image volumes (KEP-4639) on real overlayfs: a two-layer image mounted read-only into two
 * containers, one of them through a subPath; writes fail with EROFS, the upper layer's files win,
 * binaries in the volume run (no noexec), and nothing stays mounted after the pod.
 */
class ImageVolumesE2eTest {

    @Test
    void aTwoLayerImageIsMountedReadOnlyIntoTwoContainersOneThroughASubPath() throws Exception {
        Path archive = TestImages.build(Files.createTempFile("peapod-e2e-data", ".tar"), "peapod/e2e-data:1", List.of(
                Map.of("data/a.txt", "from-base\n", "data/over.txt", "lower\n"),
                Map.of("data/over.txt", "upper\n", "data/b.txt", "from-top\n")));
        try (var h = new Harness()) {
            h.host.parts().images().load(archive);
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: image-volume}
                    spec:
                      restartPolicy: Never
                      volumes:
                      - {name: data, image: {reference: peapod/e2e-data:1, pullPolicy: Never}}
                      - {name: tools, image: {reference: peapod/busybox:latest, pullPolicy: IfNotPresent}}
                      containers:
                      - name: whole
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /vol/data/a.txt /vol/data/over.txt /vol/data/b.txt; touch /vol/x 2>&1; grep ' /vol ' /proc/mounts | grep -o ' ro,' ; /tools/bin/busybox echo ran-from-volume"]
                        volumeMounts:
                        - {name: data, mountPath: /vol}
                        - {name: tools, mountPath: /tools}
                      - name: sub
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "ls /sub; echo x 2>&1 > /sub/new || echo write-refused"]
                        volumeMounts:
                        - {name: data, mountPath: /sub, subPath: data, readOnly: false}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "whole")).containsExactly("from-base", "upper", "from-top",
                    "touch: /vol/x: Read-only file system", " ro,", "ran-from-volume");
            assertThat(h.logs(pod, "sub")).containsExactly("a.txt", "b.txt", "over.txt",
                    "sh: can't create /sub/new: Read-only file system", "write-refused");
            h.remove(done);
            assertThat(h.host.parts().images().remove("peapod/e2e-data:1")).isTrue();
        } finally {
            Files.deleteIfExists(archive);
        }
    }
}
