package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
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

/**
 * {@code kubectl apply --server-side} (v1.32) against {@code peapod serve}: apply creates a running pod,
 * re-applying changes nothing, an image change restarts the container, conflicts with another manager
 * and {@code --force-conflicts}, managedFields in {@code --show-managed-fields}, pruning of a removed label.
 */
class ServerSideApplyE2eTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<Pod> ran = new ArrayList<>();
    @TempDir static Path dir;
    static ServeDaemon serve;

    @BeforeAll
    static void startServe() throws Exception { serve = ServeDaemon.start("/var/lib/peapod-e2e-ssa", dir); }

    @AfterAll
    static void stopServe() throws Exception {
        if (serve != null) serve.stop(ran);
    }

    static ServeE2eTest.Run kubectl(String... args) throws Exception { return serve.kubectl(args); }

    static JsonNode get(String... what) throws Exception {
        var args = new ArrayList<>(List.of("get"));
        args.addAll(List.of(what));
        args.addAll(List.of("-o", "json", "--show-managed-fields"));
        var r = kubectl(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    static String pod(String image) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: ssa, labels: {app: ssa}}
                spec:
                  terminationGracePeriodSeconds: 5
                  containers:
                  - name: app
                    image: %s
                    imagePullPolicy: Never
                    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                """.formatted(image);
    }

    @Test
    void applyCreatesARunningPodReapplyIsUnchangedAndAnImageChangeRestartsIt() throws Exception {
        Path file = Files.writeString(dir.resolve("pod.yaml"), pod("peapod/busybox:latest"));
        var applied = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).isEqualTo("pod/ssa serverside-applied\n");
        var ready = kubectl("wait", "--for=condition=Ready", "pod/ssa", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + Files.readString(serve.log)).isZero();
        JsonNode o = get("pod", "ssa");
        ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText(null)).build()).build());
        JsonNode entry = o.at("/metadata/managedFields/0");
        assertThat(entry.path("manager").asText()).isEqualTo("kubectl");
        assertThat(entry.path("operation").asText()).isEqualTo("Apply");
        assertThat(entry.at("/fieldsV1/f:spec/f:containers").has("k:{\"name\":\"app\"}")).isTrue();
        assertThat(entry.at("/fieldsV1/f:metadata/f:labels/f:app").isObject()).isTrue();
        // The node's status writes are the kubelet's, on the status subresource.
        JsonNode kubelet = o.at("/metadata/managedFields/1");
        assertThat(kubelet.path("manager").asText()).isEqualTo("kubelet");
        assertThat(kubelet.path("subresource").asText()).isEqualTo("status");
        assertThat(kubelet.at("/fieldsV1/f:status/f:phase").isObject()).isTrue();

        // The same file again: nothing changes, not even the resourceVersion.
        var again = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo("pod/ssa serverside-applied\n");
        JsonNode same = get("pod", "ssa");
        assertThat(same.at("/metadata/managedFields/0")).isEqualTo(entry);
        // No new revision either, unless the node wrote a status meanwhile.
        if (same.at("/status").equals(o.at("/status"))) {
            assertThat(same.at("/metadata/resourceVersion")).isEqualTo(o.at("/metadata/resourceVersion"));
        }
        assertThat(same.at("/spec")).isEqualTo(o.at("/spec"));

        // A new image through apply restarts that container from it, as an update does.
        Files.writeString(file, pod("docker.io/peapod/busybox:latest"));
        var reimaged = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(reimaged.exit()).as(reimaged.err()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode restarted;
        do {
            Thread.sleep(300);
            restarted = get("pod", "ssa");
        } while (System.nanoTime() < deadline && !(restarted.at("/status/containerStatuses/0/restartCount").asInt() == 1
                && restarted.at("/status/containerStatuses/0/state/running").isObject()));
        assertThat(restarted.at("/status/containerStatuses/0/restartCount").asInt()).isEqualTo(1);
        assertThat(restarted.at("/status/containerStatuses/0/image").asText()).isEqualTo("docker.io/peapod/busybox:latest");
        // An immutable field is refused as for any update.
        Files.writeString(file, pod("docker.io/peapod/busybox:latest").replace("sleep 0.1", "sleep 0.2"));
        var immutable = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(immutable.exit()).isNotZero();
        assertThat(immutable.err()).contains("The Pod \"ssa\" is invalid").contains("pod updates may not change fields");
        assertThat(kubectl("delete", "pod", "ssa", "--timeout=60s").exit()).isZero();
    }

    static final String CM = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              labels: {a: "1", b: "2"}
            data: {k: v}
            """;

    @Test
    void anotherManagersFieldConflictsForceTakesItAndARemovedLabelGoes() throws Exception {
        Path file = Files.writeString(dir.resolve("cm.yaml"), CM);
        var applied = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).isEqualTo("configmap/settings serverside-applied\n");

        var labelled = kubectl("label", "configmap", "settings", "a=9", "--overwrite");
        assertThat(labelled.exit()).as(labelled.err()).isZero();
        var yaml = kubectl("get", "configmap", "settings", "-o", "yaml", "--show-managed-fields");
        assertThat(yaml.out()).contains("manager: kubectl-label", "operation: Update", "manager: kubectl", "operation: Apply", "fieldsType: FieldsV1");
        assertThat(kubectl("get", "configmap", "settings", "-o", "yaml").out()).doesNotContain("managedFields");

        var refused = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("Apply failed with 1 conflict: conflict with \"kubectl-label\" using v1: .metadata.labels.a");
        var other = kubectl("apply", "--server-side", "--field-manager=other", "-f",
                Files.writeString(dir.resolve("other.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {k: w}\n").toString());
        assertThat(other.exit()).isNotZero();
        assertThat(other.err()).contains("conflict with \"kubectl\": .data.k");

        var forced = kubectl("apply", "--server-side", "--force-conflicts", "-f", file.toString());
        assertThat(forced.exit()).as(forced.err()).isZero();
        JsonNode cm = get("configmap", "settings");
        assertThat(cm.at("/metadata/labels/a").asText()).isEqualTo("1");
        assertThat(cm.at("/metadata/managedFields").findValuesAsText("manager")).containsExactly("kubectl");

        Files.writeString(file, CM.replace("labels: {a: \"1\", b: \"2\"}", "labels: {a: \"1\"}"));
        var pruned = kubectl("apply", "--server-side", "-f", file.toString());
        assertThat(pruned.exit()).as(pruned.err()).isZero();
        assertThat(get("configmap", "settings").at("/metadata/labels")).isEqualTo(JSON.readTree("{\"a\":\"1\"}"));

        // --dry-run=server shows the result and stores nothing; diff --server-side shows the change.
        Files.writeString(file, CM.replace("data: {k: v}", "data: {k: changed}"));
        var dry = kubectl("apply", "--server-side", "--dry-run=server", "-f", file.toString());
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).isEqualTo("configmap/settings serverside-applied (server dry run)\n");
        assertThat(get("configmap", "settings").at("/data/k").asText()).isEqualTo("v");
        var diff = kubectl("diff", "--server-side", "-f", file.toString());
        assertThat(diff.exit()).as(diff.err()).isEqualTo(1); // differences found
        assertThat(diff.out()).contains("-  k: v", "+  k: changed");
        assertThat(get("configmap", "settings").at("/data/k").asText()).isEqualTo("v");
        assertThat(kubectl("delete", "configmap", "settings").exit()).isZero();
    }
}
