package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kubectl's OpenAPI users against {@code peapod serve} with a real pod: {@code explain},
 * client-side {@code apply} with validation, {@code edit} with an {@code EDITOR} script, and
 * {@code create --validate=strict} with an unknown field. Applying and editing a running pod's
 * labels must not disturb its container (same containerID, no restart).
 */
class OpenApiE2eTest extends SharedServe {

    record Run(int exit, String out, String err) {}

    static Run kubectl(Map<String, String> env, String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(ServeE2eTest.KUBECTL, "--kubeconfig", ServeE2eTest.kubeconfig.toString(),
                "--cache-dir", dir.resolve("kube-cache").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        var pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung" + ServeE2eTest.log());
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Run kubectl(String... args) throws Exception { return kubectl(Map.of(), args); }

    static JsonNode pod(String name) throws Exception {
        var r = kubectl("get", "pod", name, "-o", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        return ServeE2eTest.JSON.readTree(r.out());
    }

    @Test
    void explainApplyEditAndStrictValidationOnARunningPod() throws Exception {
        var explain = kubectl("explain", "pod.spec.containers");
        assertThat(explain.exit()).as(explain.err()).isZero();
        assertThat(explain.out()).contains("FIELD: containers <[]Container>", "List of containers belonging to the pod.")
                .containsPattern("name\\s+<string> -required-");
        var recursive = kubectl("explain", "pods", "--recursive");
        assertThat(recursive.exit()).as(recursive.err()).isZero();
        assertThat(recursive.out().lines().limit(10).toList()).contains("KIND:       Pod", "VERSION:    v1");

        Path file = dir.resolve("pod.yaml");
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: oa, labels: {app: web%s}}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                    ports: [{containerPort: 8080}]
                    readinessProbe:
                      exec: {command: ["true"]}
                      periodSeconds: 1
                """;
        Files.writeString(file, yaml.formatted(""));
        var applied = kubectl("apply", "-f", file.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).isEqualTo("pod/oa created\n");
        var ready = kubectl("wait", "--for=condition=Ready", "pod/oa", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + ServeE2eTest.log()).isZero();
        JsonNode before = pod("oa");
        String containerId = before.at("/status/containerStatuses/0/containerID").asText();
        ServeE2eTest.ran.add(new PodBuilder().withNewMetadata().withUid(before.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(before.at("/status/podIP").asText()).build()).build());

        // Client-side apply of a changed file: a strategic merge patch from the v3 schema (no v2 fallback).
        Files.writeString(file, yaml.formatted(", tier: front"));
        var reapplied = kubectl("apply", "-f", file.toString(), "-v=6");
        assertThat(reapplied.exit()).as(reapplied.err()).isZero();
        assertThat(reapplied.out()).isEqualTo("pod/oa configured\n");
        assertThat(reapplied.err()).doesNotContain("/openapi/v2").doesNotContain("error calculating patch");

        Path editor = Files.writeString(dir.resolve("editor.sh"), "#!/bin/sh\nsed -i 's/app: web/app: edited/' \"$1\"\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));
        var edited = kubectl(Map.of("KUBE_EDITOR", editor.toString()), "edit", "pod", "oa");
        assertThat(edited.exit()).as(edited.err()).isZero();
        assertThat(edited.out()).isEqualTo("pod/oa edited\n");

        JsonNode after = pod("oa");
        assertThat(after.at("/metadata/labels").toString()).isEqualTo("{\"app\":\"edited\",\"tier\":\"front\"}");
        assertThat(after.at("/spec/containers/0/ports/0/containerPort").asInt()).isEqualTo(8080);
        assertThat(after.at("/status/containerStatuses/0/containerID").asText()).isEqualTo(containerId);
        assertThat(after.at("/status/containerStatuses/0/restartCount").asInt()).isZero();
        assertThat(after.at("/status/containerStatuses/0/ready").asBoolean()).isTrue();

        Path typo = Files.writeString(dir.resolve("typo.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: typo}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest, imagePullPolicyy: Never}
                """);
        var rejected = kubectl("create", "--validate=strict", "-f", typo.toString());
        assertThat(rejected.exit()).isNotZero();
        assertThat(rejected.err()).contains("unknown field \"spec.containers[0].imagePullPolicyy\"");

        var deleted = kubectl("delete", "pod", "oa", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err()).isZero();
    }
}
