package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real kubectl's field managers and its client-side to server-side apply upgrade, over a memory store. */
class KubectlApplyTest {
    @TempDir static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = new TestServer(dir); }

    @AfterAll
    static void stop() throws Exception { server.close(); }

    static KubectlTest.Run kubectl(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(KubectlTest.KUBECTL, "--kubeconfig", server.kubeconfig.toString()));
        cmd.addAll(List.of(args));
        var p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes()), err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new KubectlTest.Run(p.exitValue(), out, err);
    }

    static List<String> managers(String kind, String name) throws Exception {
        var r = kubectl("get", kind, name, "-o", "json", "--show-managed-fields");
        assertThat(r.exit()).as(r.err()).isZero();
        var out = new ArrayList<String>();
        for (JsonNode e : Json.parse(r.out()).at("/metadata/managedFields")) out.add(e.path("manager").asText() + "/" + e.path("operation").asText());
        return out;
    }

    static final String CM = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: up, labels: {a: "1", b: "2"}}
            data: {k: v}
            """;

    @Test
    void clientSideApplyUpgradesToServerSideWithoutConflicts() throws Exception {
        Path file = Files.writeString(dir.resolve("cm.yaml"), CM);
        var csa = kubectl("apply", "-f", file.toString());
        assertThat(csa.exit()).as(csa.err()).isZero();
        assertThat(managers("configmap", "up")).containsExactly("kubectl-client-side-apply/Update");
        assertThat(kubectl("annotate", "configmap", "up", "note=x").exit()).isZero();
        assertThat(managers("configmap", "up")).containsExactlyInAnyOrder("kubectl-client-side-apply/Update", "kubectl-annotate/Update");

        // kubectl moves the client-side apply fields to its server-side Apply entry (csaupgrade) before applying.
        var ssa = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(ssa.exit()).as(ssa.err()).isZero();
        assertThat(managers("configmap", "up")).contains("kubectl/Apply", "kubectl-annotate/Update").doesNotContain("kubectl-client-side-apply/Update");

        Files.writeString(file, CM.replace(", b: \"2\"", ""));
        assertThat(kubectl("apply", "--server-side", "-f", file.toString()).exit()).isZero();
        var labels = kubectl("get", "configmap", "up", "-o", "jsonpath={.metadata.labels}");
        assertThat(Json.parse(labels.out())).isEqualTo(Json.parse("{\"a\":\"1\"}"));
        assertThat(kubectl("get", "configmap", "up", "-o", "jsonpath={.metadata.annotations.note}").out()).isEqualTo("x");

        // kubectl's server-side applies keep client-side apply's annotation in step, so a downgrade works.
        var lastApplied = kubectl("get", "configmap", "up", "-o", "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}");
        assertThat(Json.parse(lastApplied.out()).at("/metadata/labels")).isEqualTo(Json.parse("{\"a\":\"1\"}"));
        Files.writeString(file, CM.replace(", b: \"2\"", "").replace("data: {k: v}", "data: {k: v2}"));
        var downgrade = kubectl("apply", "-f", file.toString());
        assertThat(downgrade.exit()).as(downgrade.err()).isZero();
        assertThat(kubectl("get", "configmap", "up", "-o", "jsonpath={.data.k}").out()).isEqualTo("v2");
    }

    @Test
    void createAndReplaceRecordKubectlsManagers() throws Exception {
        var created = kubectl("create", "configmap", "made", "--from-literal=k=v");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(managers("configmap", "made")).containsExactly("kubectl-create/Update");
        var json = kubectl("get", "configmap", "made", "-o", "json");
        Path file = Files.writeString(dir.resolve("made.json"), json.out().replace("\"k\": \"v\"", "\"k\": \"w\""));
        var replaced = kubectl("replace", "-f", file.toString());
        assertThat(replaced.exit()).as(replaced.err()).isZero();
        // kubectl-create keeps the data map itself; the changed key is kubectl-replace's now.
        assertThat(managers("configmap", "made")).containsExactly("kubectl-create/Update", "kubectl-replace/Update");
    }
}
