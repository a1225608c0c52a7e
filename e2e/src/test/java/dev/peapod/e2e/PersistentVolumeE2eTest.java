package dev.peapod.e2e;

import dev.peapod.node.ConfigSource;
import dev.peapod.node.NodeConfig;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * persistentVolumeClaim volumes with real pods: a claim is a directory under the data dir that a
 * pod writes, that outlives it, and that the next pod (or the next {@code peapod up}) reads.
 */
class PersistentVolumeE2eTest {
    private static final String CLAIM = """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: %s}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
            """;

    @Test
    void aPodWritesTheClaimAndTheNextPodReadsItReadOnly() throws Exception {
        NodeConfig config = Harness.defaultConfig();
        Path dir = fresh(config.dataDir(), "e2e-data");
        var claim = (PersistentVolumeClaim) dev.peapod.api.Manifests.parse(CLAIM.formatted("e2e-data"), "c.yaml").getFirst();
        claim.getMetadata().setNamespace("default");
        try (var h = new Harness(config, ConfigSource.of(List.of(), List.of(), List.of(claim)))) {
            Pod writer = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: pvc-writer}
                    spec:
                      restartPolicy: Never
                      securityContext: {fsGroup: 2000}
                      volumes: [{name: data, persistentVolumeClaim: {claimName: e2e-data}}]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "echo kept > /data/msg && echo logged > /logs/app.log && stat -c %g /data"]
                        volumeMounts: [{name: data, mountPath: /data}, {name: data, mountPath: /logs, subPath: logs}]
                    """);
            Pod done = h.awaitFinished(writer, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).as(String.valueOf(done.getStatus())).isEqualTo("Succeeded");
            assertThat(h.logs(writer, "app")).containsExactly("2000");
            h.remove(done);
            assertThat(dir.resolve("msg")).as("the claim outlives the pod").hasContent("kept");
            assertThat(dir.resolve("logs/app.log")).as("subPath inside the claim").hasContent("logged");

            Pod reader = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: pvc-reader}
                    spec:
                      restartPolicy: Never
                      volumes: [{name: data, persistentVolumeClaim: {claimName: e2e-data, readOnly: true}}]
                      containers:
                      - name: app
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /data/msg /data/logs/app.log; touch /data/x 2>/dev/null && echo writable || echo read-only"]
                        volumeMounts: [{name: data, mountPath: /data}]
                    """);
            Pod read = h.awaitFinished(reader, Duration.ofSeconds(60));
            assertThat(read.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(h.logs(reader, "app")).containsExactly("kept", "logged", "read-only");
        }
        // Harness.close ran the leak check: the pods left nothing, but the claim stays.
        assertThat(dir.resolve("msg")).hasContent("kept");
        assertThat(dir.resolve("x")).doesNotExist();
        ExamplesE2eTest.deleteTree(dir);
    }

    @Test
    void aSecondUpOfTheSameFileSeesWhatTheFirstWrote(@TempDir Path tmp) throws Exception {
        Path dir = fresh(Path.of(UpCommandE2eTest.DATA), "e2e-counter");
        Path file = Files.writeString(tmp.resolve("counter.yaml"), CLAIM.formatted("e2e-counter") + """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: counter}
                spec:
                  restartPolicy: Never
                  volumes: [{name: state, persistentVolumeClaim: {claimName: e2e-counter}}]
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "echo run >> /state/runs; echo runs=$(wc -l < /state/runs)"]
                    volumeMounts: [{name: state, mountPath: /state}]
                """);
        UpCommandE2eTest.loadImage();
        var first = up(file);
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("counter/app | runs=1");
        var second = up(file);
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("counter/app | runs=2");
        LeakCheck.assertNothingLeft(NodeConfig.defaults(Path.of(UpCommandE2eTest.DATA)), List.of());
        assertThat(dir.resolve("runs")).as("the claim stays after up").exists();
        var ls = UpCommandE2eTest.peapod(List.of("volume", "ls", "--data-dir", UpCommandE2eTest.DATA), 60);
        assertThat(ls.out()).as(ls.err()).containsPattern("default +e2e-counter +0 +" + dir);
        var rm = UpCommandE2eTest.peapod(List.of("volume", "rm", "--data-dir", UpCommandE2eTest.DATA, "e2e-counter"), 60);
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(dir).doesNotExist();
    }

    @Test
    void aPodNamingAClaimTheFilesLackIsRefusedBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("pod.yaml"), CLAIM.formatted("twice") + "---\n" + CLAIM.formatted("twice") + """
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: orphan}
                spec:
                  restartPolicy: Never
                  volumes: [{name: scratch, emptyDir: {}}, {name: data, persistentVolumeClaim: {claimName: nowhere}}]
                  containers: [{name: app, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["true"], volumeMounts: [{name: data, mountPath: /data}]}]
                """);
        var r = up(file);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("Pod \"orphan\" is invalid: spec.volumes[1].persistentVolumeClaim.claimName: "
                + "Not found: \"nowhere\": persistentvolumeclaim \"nowhere\" not found");
        assertThat(r.err()).contains("persistentvolumeclaims \"twice\" already exists in namespace \"default\" (defined twice)");
        assertThat(r.out()).doesNotContain("started");
        assertThat(Path.of(UpCommandE2eTest.DATA, "volumes/pvc/default/nowhere")).doesNotExist();
    }

    private static UpCommandE2eTest.Run up(Path file) throws Exception {
        return UpCommandE2eTest.peapod(List.of("up", "--no-color", "--data-dir", UpCommandE2eTest.DATA, file.toString()), 120);
    }

    /** The claim's directory in {@code dataDir}, removed first so that each run starts empty. */
    private static Path fresh(Path dataDir, String claim) throws IOException {
        Path dir = dataDir.resolve("volumes/pvc/default").resolve(claim);
        ExamplesE2eTest.deleteTree(dir);
        return dir;
    }
}
