package dev.peapod.apiserver;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** kubectl (v1.32) with PersistentVolumeClaims against the API server over a memory store: bound at once, validated, spec immutable. */
class KubectlClaimTest {
    @TempDir static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = new TestServer(dir); }

    @AfterAll
    static void stop() throws Exception { server.close(); }

    static KubectlTest.Run kubectl(String... args) throws Exception {
        return KubectlTest.kubectlAt(server, dir, args);
    }

    static Path claim(String name, String body) throws Exception {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: %s}
                spec:
                %s""".formatted(name, body.indent(2)));
    }

    @Test
    void createdClaimIsBoundAndPrintedAsKubeApiserverDoes() throws Exception {
        var created = kubectl("create", "-f", claim("data", """
                accessModes: [ReadWriteMany, ReadWriteOnce]
                resources: {requests: {storage: 1Gi}}
                """).toString());
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).isEqualTo("persistentvolumeclaim/data created\n");

        var table = kubectl("get", "pvc");
        assertThat(table.exit()).as(table.err()).isZero();
        var lines = table.out().lines().toList();
        assertThat(lines.getFirst()).matches("NAME\\s+STATUS\\s+VOLUME\\s+CAPACITY\\s+ACCESS MODES\\s+STORAGECLASS\\s+VOLUMEATTRIBUTESCLASS\\s+AGE");
        String uid = kubectl("get", "pvc", "data", "-o", "jsonpath={.metadata.uid}").out();
        assertThat(lines.get(1)).matches("data\\s+Bound\\s+pvc-" + uid + "\\s+1Gi\\s+RWO,RWX\\s+<unset>\\s+\\d+s");
        assertThat(kubectl("get", "pvc", "-o", "wide").out().lines().toList().get(1)).endsWith("Filesystem");

        var status = kubectl("get", "persistentvolumeclaim", "data", "-o",
                "jsonpath={.status.phase} {.status.accessModes} {.status.capacity.storage} {.spec.volumeName}");
        assertThat(status.out()).isEqualTo("Bound [\"ReadWriteMany\",\"ReadWriteOnce\"] 1Gi pvc-" + uid);

        var described = kubectl("describe", "pvc", "data");
        assertThat(described.exit()).as(described.err()).isZero();
        assertThat(described.out()).containsPattern("Status:\\s+Bound").containsPattern("Volume:\\s+pvc-" + uid)
                .containsPattern("Capacity:\\s+1Gi").containsPattern("Access Modes:\\s+RWO,RWX");

        assertThat(described.out()).containsPattern("Finalizers:\\s+\\[kubernetes.io/pvc-protection\\]");
    }

    @Test
    void aDeletedClaimIsTerminatingUntilItsProtectionFinalizerIsRemoved() throws Exception {
        assertThat(kubectl("create", "-f", claim("held", """
                accessModes: [ReadWriteOncePod]
                resources: {requests: {storage: 10Mi}}
                """).toString()).exit()).isZero();
        // No node here to release it (daemon ClaimProtection does in serve): it stays, Terminating.
        var deleted = kubectl("delete", "pvc", "held", "--wait=false");
        assertThat(deleted.out()).isEqualTo("persistentvolumeclaim \"held\" deleted\n");
        assertThat(kubectl("get", "pvc", "held", "--no-headers").out()).matches("held\\s+Terminating\\s+pvc-\\S+\\s+10Mi\\s+RWOP\\s+.*\n");

        assertThat(kubectl("patch", "pvc", "held", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}").exit()).isZero();
        assertThat(kubectl("get", "pvc", "held").err()).contains("persistentvolumeclaims \"held\" not found");
    }

    @Test
    void discoveryAndOpenApiKnowTheKind() throws Exception {
        var resources = kubectl("api-resources", "--api-group=");
        assertThat(resources.out()).containsPattern("persistentvolumeclaims\\s+pvc\\s+v1\\s+true\\s+PersistentVolumeClaim");
        var explained = kubectl("explain", "pvc.spec.accessModes");
        assertThat(explained.exit()).as(explained.err()).isZero();
        assertThat(explained.out()).contains("KIND:       PersistentVolumeClaim").contains("FIELD: accessModes <[]string>");
    }

    @Test
    void invalidClaimIsRefusedWithFieldPaths() throws Exception {
        var refused = kubectl("create", "-f", claim("bad", """
                accessModes: [ReadWriteAlways]
                resources: {requests: {cpu: 1}}
                """).toString());
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("The PersistentVolumeClaim \"bad\" is invalid")
                .contains("spec.accessModes: Unsupported value: \"ReadWriteAlways\"")
                .contains("spec.resources[storage]: Required value");
        assertThat(kubectl("get", "pvc", "bad").exit()).isNotZero();
    }

    @Test
    void specIsImmutableButTheRequestMayGrow() throws Exception {
        assertThat(kubectl("create", "-f", claim("grow", """
                accessModes: [ReadWriteOnce]
                resources: {requests: {storage: 1Gi}}
                """).toString()).exit()).isZero();

        var modes = kubectl("patch", "pvc", "grow", "--type=merge", "-p", "{\"spec\":{\"accessModes\":[\"ReadOnlyMany\"]}}");
        assertThat(modes.exit()).isNotZero();
        assertThat(modes.err()).contains("spec: Forbidden: spec is immutable after creation except resources.requests");

        var grown = kubectl("patch", "pvc", "grow", "--type=merge", "-p", "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}");
        assertThat(grown.exit()).as(grown.err()).isZero();
        assertThat(kubectl("get", "pvc", "grow", "-o", "jsonpath={.spec.resources.requests.storage} {.status.capacity.storage}").out())
                .isEqualTo("2Gi 2Gi");

        var shrunk = kubectl("patch", "pvc", "grow", "--type=merge", "-p", "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}");
        assertThat(shrunk.exit()).isNotZero();
        assertThat(shrunk.err()).contains("spec.resources.requests.storage: Forbidden");
    }
}
