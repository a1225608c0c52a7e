package dev.peapod.e2e;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code peapod up} with ConfigMaps and Secrets from the same files as the pod. */
class UpConfigE2eTest {
    @BeforeAll
    static void loadImage() throws Exception { UpCommandE2eTest.loadImage(); }

    @Test
    void configMapsAndSecretsInTheManifestsFeedVolumesAndEnv(@TempDir Path dir) throws Exception {
        Path objects = Files.writeString(dir.resolve("config.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {greeting: hello}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: token}
                stringData: {value: s3cr3t}
                """);
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: configured}
                spec:
                  restartPolicy: Never
                  volumes: [{name: sec, secret: {secretName: token}}]
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "echo $GREETING $(cat /sec/value)"]
                    env: [{name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}]
                    volumeMounts: [{name: sec, mountPath: /sec}]
                """);
        var r = UpCommandE2eTest.peapod(List.of("up", "--no-color", "--data-dir", UpCommandE2eTest.DATA,
                objects.toString(), pod.toString()), 120);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("configured/app | hello s3cr3t");
    }

    @Test
    void aConfigMapKeyThatWouldEscapeItsVolumeIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("all.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: evil}
                data: {"../../escape": boom}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: victim}
                spec:
                  restartPolicy: Never
                  volumes: [{name: cfg, configMap: {name: evil}}]
                  containers: [{name: app, image: peapod/busybox:latest, imagePullPolicy: IfNotPresent, command: ["true"], volumeMounts: [{name: cfg, mountPath: /cfg}]}]
                """);
        var r = UpCommandE2eTest.peapod(List.of("up", "--no-color", "--data-dir", UpCommandE2eTest.DATA, file.toString()), 60);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("ConfigMap \"evil\" is invalid: data[../../escape]: Invalid value: \"../../escape\"");
        assertThat(r.out()).doesNotContain("started");
    }
}
