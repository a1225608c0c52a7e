package dev.peapod.apiserver;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real kubectl's uses of OpenAPI against the API server (memory store, no pods run):
 * {@code explain}, client-side {@code apply} and {@code edit} (strategic merge patches computed from
 * the v3 schema) and validation.
 */
class KubectlOpenApiTest {
    @TempDir static Path dir;
    static TestServer server;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception { server = new TestServer(dir); }

    @AfterAll
    static void stop() throws Exception { server.close(); }

    static Run kubectl(Map<String, String> env, String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(KubectlTest.KUBECTL, "--kubeconfig", server.kubeconfig.toString(),
                "--cache-dir", dir.resolve("cache").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        var pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Run kubectl(String... args) throws Exception { return kubectl(Map.of(), args); }

    @Test
    void explainShowsFieldsAndTypesFromTheV3Schema() throws Exception {
        var r = kubectl("explain", "pod.spec.containers");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("KIND:       Pod", "VERSION:    v1", "FIELD: containers <[]Container>",
                "List of containers belonging to the pod.", "A single application container that you want to run within a pod.");
        assertThat(r.out()).containsPattern("image\\s+<string>").containsPattern("name\\s+<string> -required-")
                .containsPattern("ports\\s+<\\[]ContainerPort>").containsPattern("resources\\s+<ResourceRequirements>");

        var recursive = kubectl("explain", "pods", "--recursive");
        assertThat(recursive.exit()).as(recursive.err()).isZero();
        assertThat(recursive.out()).containsPattern("spec\\s+<PodSpec>").containsPattern("\\n\\s+containers\\s+<\\[]Container> -required-")
                .containsPattern("\\n\\s+containerPort\\s+<integer> -required-");

        var configMap = kubectl("explain", "configmap.data");
        assertThat(configMap.exit()).as(configMap.err()).isZero();
        assertThat(configMap.out()).contains("FIELD: data <map[string]string>");
        var port = kubectl("explain", "pod.spec.containers.livenessProbe.httpGet.port");
        assertThat(port.out()).as(port.err()).contains("FIELD: port <IntOrString>");
        var limits = kubectl("explain", "pod.spec.containers.resources.limits");
        assertThat(limits.out()).as(limits.err()).contains("FIELD: limits <map[string]Quantity>");
    }

    /** The hashed v3 URL is cacheable for good, so a second kubectl takes the document from its --cache-dir. */
    @Test
    void theV3DocumentComesFromKubectlsCacheTheSecondTime() throws Exception {
        Path cache = dir.resolve("cache-of-this-test");
        kubectl(Map.of(), "explain", "configmaps", "--cache-dir", cache.toString());
        var second = kubectl(Map.of(), "explain", "configmaps", "--cache-dir", cache.toString(), "-v=8");
        assertThat(second.exit()).as(second.err()).isZero();
        String afterDocumentRequest = second.err().substring(second.err().indexOf("GET https://127.0.0.1:" + server.server.port() + "/openapi/v3/api/v1?hash="));
        assertThat(afterDocumentRequest).contains("X-From-Cache: 1", "Cache-Control: public, immutable");
    }

    @Test
    void everyServedKindIsExplained() throws Exception {
        for (ResourceType t : ResourceType.ALL) {
            var r = kubectl("explain", t.name());
            assertThat(r.exit()).as(t.name() + r.err()).isZero();
            assertThat(r.out()).as(t.name()).contains("KIND:       " + t.kind()).containsPattern("metadata\\s+<ObjectMeta>");
        }
        assertThat(kubectl("explain", "node.status.capacity").out()).contains("FIELD: capacity <map[string]Quantity>");
        var lease = kubectl("explain", "lease.spec");
        assertThat(lease.out()).as(lease.err()).contains("GROUP:      coordination.k8s.io", "KIND:       Lease")
                .containsPattern("renewTime\\s+<string>");
        assertThat(kubectl("explain", "events.eventTime").out()).contains("FIELD: eventTime <string>"); // a date-time string, as kube-openapi has it
        var unknown = kubectl("explain", "pod.spec.nosuchfield");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("nosuchfield");
    }

    @Test
    void clientSideApplyMergesContainersByNameWithTheSchemasPatchKeys() throws Exception {
        Path pod = dir.resolve("applied.yaml");
        Files.writeString(pod, """
                apiVersion: v1
                kind: Pod
                metadata: {name: applied, labels: {app: web}}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:1, ports: [{containerPort: 80}]}
                  - {name: side, image: peapod/busybox:1}
                """);
        var first = kubectl("apply", "-f", pod.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        // A label set by someone else survives the next apply (three-way merge), and so does the
        // container the file keeps; the image of "app" changes in place.
        assertThat(kubectl("label", "pod", "applied", "owner=ops").exit()).isZero();
        Files.writeString(pod, """
                apiVersion: v1
                kind: Pod
                metadata: {name: applied, labels: {app: web, tier: front}}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:2, ports: [{containerPort: 80}]}
                  - {name: side, image: peapod/busybox:1}
                """);
        var second = kubectl("apply", "-f", pod.toString(), "-v=8");
        assertThat(second.exit()).as(second.err()).isZero();
        // The patch came from the v3 schema: kubectl falls back to /openapi/v2, then to its compiled-in
        // types, only when the v3 one fails; the patch merges "app" by name, keeping the order.
        assertThat(second.err()).doesNotContain("error calculating patch").doesNotContain("/openapi/v2")
                .contains("GET https://127.0.0.1:" + server.server.port() + "/openapi/v3/api/v1?hash=")
                .contains("$setElementOrder/containers").contains("Content-Type: application/strategic-merge-patch+json");
        assertThat(second.out()).contains("pod/applied configured");
        var got = kubectl("get", "pod", "applied", "-o",
                "jsonpath={.metadata.labels.app},{.metadata.labels.tier},{.metadata.labels.owner},"
                        + "{.spec.containers[*].name},{.spec.containers[*].image}");
        assertThat(got.out()).isEqualTo("web,front,ops,app side,peapod/busybox:2 peapod/busybox:1");
    }

    @Test
    void editChangesALabelAndAnImage() throws Exception {
        Path pod = Files.writeString(dir.resolve("edited.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: edited, labels: {app: web}}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:1}
                """);
        assertThat(kubectl("create", "-f", pod.toString()).exit()).isZero();
        Path editor = Files.writeString(dir.resolve("editor.sh"), """
                #!/bin/sh
                sed -i -e 's/app: web/app: edited/' -e 's#image: peapod/busybox:1#image: peapod/busybox:3#' "$1"
                """);
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));
        var r = kubectl(Map.of("EDITOR", editor.toString(), "KUBE_EDITOR", editor.toString()), "edit", "pod", "edited");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("pod/edited edited");
        var got = kubectl("get", "pod", "edited", "-o", "jsonpath={.metadata.labels.app},{.spec.containers[0].image}");
        assertThat(got.out()).isEqualTo("edited,peapod/busybox:3");
    }

    @Test
    void strictValidationRejectsAnUnknownField() throws Exception {
        Path pod = Files.writeString(dir.resolve("typo.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: typo}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:1, imagePullPolicyy: Never}
                """);
        var r = kubectl("create", "--validate=strict", "-f", pod.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("unknown field \"spec.containers[0].imagePullPolicyy\"");
        assertThat(kubectl("get", "pod", "typo").exit()).isNotZero();
    }

    /** The v2 document as client-go reads it: gnostic protobuf, parsed by kube-openapi into kubectl's v2 explain. */
    @Test
    void explainFromTheV2ProtobufDocument() throws Exception {
        var r = kubectl("explain", "pod.spec.containers", "--output", "plaintext-openapiv2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("KIND:     Pod", "RESOURCE: containers <[]Object>")
                .containsPattern("image\\s+<string>").containsPattern("name\\s+<string> -required-");
        var port = kubectl("explain", "pod.spec.containers.ports.containerPort", "--output", "plaintext-openapiv2");
        assertThat(port.out()).as(port.err()).contains("FIELD:    containerPort <integer>");
    }

    @Test
    void theV2DocumentIsJson() throws Exception {
        var r = kubectl("get", "--raw", "/openapi/v2");
        assertThat(r.exit()).as(r.err()).isZero();
        var doc = Json.parse(r.out());
        assertThat(doc.get("swagger").asText()).isEqualTo("2.0");
        assertThat(doc.at("/definitions/io.k8s.api.core.v1.Pod/x-kubernetes-group-version-kind/0/kind").asText()).isEqualTo("Pod");
    }
}
