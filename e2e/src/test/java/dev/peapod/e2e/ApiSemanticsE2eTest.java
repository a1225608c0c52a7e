package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.peapod.e2e.ServeE2eTest.JSON;
import static dev.peapod.e2e.ServeE2eTest.kubectl;
import static dev.peapod.e2e.ServeE2eTest.log;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * API semantics of {@code peapod serve} through the real kubectl, with real pods: chunked lists,
 * cascading deletion (foreground, background, orphan) through ownerReferences, pod observedGeneration,
 * and the Node (conditions, capacity, heartbeat, Lease).
 * Starts and stops serve as {@link ServeE2eTest} does (its helpers, its data directory).
 */
class ApiSemanticsE2eTest extends SharedServe {

    static String pod(String name, String labels, String ownerReferences) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels: {%s}
                %s
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sleep", "3600"]
                ---
                """.formatted(name, labels, ownerReferences);
    }

    static void create(String yaml) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "objects", ".yaml"), yaml);
        var created = kubectl("create", "-f", file.toString());
        assertThat(created.exit()).as(created.err() + log()).isZero();
    }

    /** Records the pods (uid, IP) for the leak check, once they run. */
    static void recordRunning(String... names) throws Exception {
        for (String name : names) {
            var ready = kubectl("wait", "--for=condition=Ready", "pod/" + name, "--timeout=90s");
            assertThat(ready.exit()).as(ready.err() + log()).isZero();
            JsonNode o = JSON.readTree(kubectl("get", "pod", name, "-o", "json").out());
            ServeE2eTest.ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                    .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText(null)).build()).build());
        }
    }

    static String uid(String kind, String name) throws Exception {
        var r = kubectl("get", kind, name, "-o", "jsonpath={.metadata.uid}");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    static String ownedBy(String kind, String name, String uid) {
        return "  ownerReferences:\n  - {apiVersion: v1, kind: %s, name: %s, uid: %s, blockOwnerDeletion: true}".formatted(kind, name, uid);
    }

    @Test
    void kubectlListsInChunksAndGetsEveryPod() throws Exception {
        var yaml = new StringBuilder();
        var names = new ArrayList<String>();
        for (int i = 1; i <= 5; i++) {
            names.add("page-" + i);
            yaml.append(pod("page-" + i, "app: page", ""));
        }
        create(yaml.toString());
        recordRunning(names.toArray(String[]::new));

        // -v=6 logs each request: the list really came in chunks of 2 (three requests, two with a continue token).
        var chunked = kubectl("get", "pods", "--chunk-size=2", "-v=6");
        assertThat(chunked.exit()).as(chunked.err()).isZero();
        for (String n : names) assertThat(chunked.out()).contains(n);
        assertThat(chunked.out().lines().filter(l -> l.startsWith("page-"))).hasSize(5);
        assertThat(chunked.err().lines().filter(l -> l.contains("/api/v1/namespaces/default/pods?") && l.contains("limit=2"))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(chunked.err()).contains("continue=");

        var selected = kubectl("get", "pods", "-l", "app=page", "--chunk-size=2", "-o", "name");
        assertThat(selected.out().lines().toList()).containsExactly("pod/page-1", "pod/page-2", "pod/page-3", "pod/page-4", "pod/page-5");

        JsonNode first = JSON.readTree(kubectl("get", "--raw", "/api/v1/namespaces/default/pods?limit=2&labelSelector=app%3Dpage").out());
        assertThat(first.get("items")).hasSize(2);
        assertThat(first.at("/metadata/continue").asText()).isNotEmpty();
        JsonNode unselected = JSON.readTree(kubectl("get", "--raw", "/api/v1/namespaces/default/pods?limit=2").out());
        assertThat(unselected.at("/metadata/remainingItemCount").asLong()).isGreaterThanOrEqualTo(3);

        var bad = kubectl("get", "--raw", "/api/v1/namespaces/default/pods?limit=2&continue=bm90LWEtdG9rZW4");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("continue key is not valid");

        var deleted = kubectl("delete", "pods", "-l", "app=page", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err() + log()).isZero();
    }

    /** A ConfigMap {@code owner-<suffix>} and a running Pod {@code dep-<suffix>} it owns (blockOwnerDeletion). */
    static void ownerAndRunningDependent(String suffix) throws Exception {
        create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner-" + suffix + "}\ndata: {k: v}\n");
        create(pod("dep-" + suffix, "app: " + suffix, ownedBy("ConfigMap", "owner-" + suffix, uid("configmap", "owner-" + suffix))));
        recordRunning("dep-" + suffix);
    }

    @Test
    void foregroundDeletionDeletesThePodBeforeItsOwner() throws Exception {
        ownerAndRunningDependent("fg");

        var delete = kubectl("delete", "configmap", "owner-fg", "--cascade=foreground", "--wait=false");
        assertThat(delete.exit()).as(delete.err()).isZero();
        // The owner waits, marked, for its dependent.
        JsonNode owner = JSON.readTree(kubectl("get", "configmap", "owner-fg", "-o", "json").out());
        assertThat(owner.at("/metadata/finalizers").toString()).isEqualTo("[\"foregroundDeletion\"]");
        assertThat(owner.at("/metadata/deletionTimestamp").isTextual()).isTrue();

        var podGone = kubectl("wait", "--for=delete", "pod/dep-fg", "--timeout=60s");
        assertThat(podGone.exit()).as(podGone.err() + log()).isZero();
        var ownerGone = kubectl("wait", "--for=delete", "configmap/owner-fg", "--timeout=30s");
        assertThat(ownerGone.exit()).as(ownerGone.err() + log()).isZero();
    }

    @Test
    void backgroundDeletionRemovesTheOwnerAndThenTheCollectorDeletesThePod() throws Exception {
        ownerAndRunningDependent("bg");

        var delete = kubectl("delete", "configmap", "owner-bg", "--cascade=background");
        assertThat(delete.exit()).as(delete.err()).isZero();
        assertThat(kubectl("get", "configmap", "owner-bg").exit()).isNotZero();
        var podGone = kubectl("wait", "--for=delete", "pod/dep-bg", "--timeout=60s");
        assertThat(podGone.exit()).as(podGone.err() + log()).isZero();
    }

    @Test
    void orphanDeletionKeepsThePodRunningWithoutItsOwnerReference() throws Exception {
        ownerAndRunningDependent("or");

        var delete = kubectl("delete", "configmap", "owner-or", "--cascade=orphan", "--timeout=30s");
        assertThat(delete.exit()).as(delete.err() + log()).isZero();
        assertThat(kubectl("get", "configmap", "owner-or").exit()).isNotZero();
        JsonNode pod = JSON.readTree(kubectl("get", "pod", "dep-or", "-o", "json").out());
        assertThat(pod.at("/metadata/ownerReferences").isMissingNode()).isTrue();
        assertThat(pod.at("/metadata/deletionTimestamp").isMissingNode()).isTrue();
        assertThat(pod.at("/status/phase").asText()).isEqualTo("Running");
        var deleted = kubectl("delete", "pod", "dep-or", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err() + log()).isZero();
    }

    @Test
    void podStatusCarriesTheGenerationTheNodeActedOn() throws Exception {
        create(pod("gen", "app: gen", ""));
        recordRunning("gen");
        JsonNode o = JSON.readTree(kubectl("get", "pod", "gen", "-o", "json").out());
        assertThat(o.at("/metadata/generation").asLong()).isEqualTo(1);
        assertThat(o.at("/status/observedGeneration").asLong()).isEqualTo(1);
        assertThat(o.at("/status/conditions").findValuesAsText("observedGeneration")).isNotEmpty().containsOnly("1");

        // activeDeadlineSeconds is one of the spec fields a pod update may change: generation 2, no restart.
        var patched = kubectl("patch", "pod", "gen", "-p", "{\"spec\":{\"activeDeadlineSeconds\":3600}}");
        assertThat(patched.exit()).as(patched.err()).isZero();
        var observed = kubectl("wait", "--for=jsonpath={.status.observedGeneration}=2", "pod/gen", "--timeout=30s");
        assertThat(observed.exit()).as(observed.err() + log()).isZero();
        o = JSON.readTree(kubectl("get", "pod", "gen", "-o", "json").out());
        assertThat(o.at("/metadata/generation").asLong()).isEqualTo(2);
        assertThat(o.at("/status/conditions").findValuesAsText("observedGeneration")).containsOnly("2");
        assertThat(o.at("/status/containerStatuses/0/restartCount").asInt()).isZero();
        var deleted = kubectl("delete", "pod", "gen", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err() + log()).isZero();
    }

    static JsonNode condition(JsonNode node, String type) {
        for (JsonNode c : node.at("/status/conditions")) if (c.path("type").asText().equals(type)) return c;
        throw new AssertionError("no condition " + type + " in " + node.at("/status/conditions"));
    }

    @Test
    void theNodeReportsKubeletsConditionsCapacityInfoAndAHeartbeat() throws Exception {
        var yaml = kubectl("get", "node", "e2e-node", "-o", "yaml");
        assertThat(yaml.exit()).as(yaml.err()).isZero();
        assertThat(yaml.out()).contains("lastHeartbeatTime:", "KubeletHasSufficientMemory", "allocatable:");
        JsonNode node = JSON.readTree(kubectl("get", "node", "e2e-node", "-o", "json").out());
        assertThat(node.at("/status/conditions").findValuesAsText("type")).containsExactly("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");
        assertThat(node.at("/status/conditions").findValuesAsText("reason")).containsExactly(
                "KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID", "KubeletReady");
        assertThat(condition(node, "Ready").get("status").asText()).isEqualTo("True");
        long memory = Long.parseLong(node.at("/status/capacity/memory").asText().replace("Ki", ""));
        assertThat(node.at("/status/allocatable/memory").asText()).isEqualTo((memory - 100 * 1024) + "Ki");
        assertThat(node.at("/status/capacity/ephemeral-storage").asText()).endsWith("Ki");
        assertThat(node.at("/status/allocatable/ephemeral-storage").asLong()).isPositive();
        assertThat(node.at("/status/addresses").findValuesAsText("type")).containsExactly("InternalIP", "Hostname");
        String kernel;
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/osrelease"))) {
            kernel = new String(in.readAllBytes()).trim();
        }
        assertThat(node.at("/status/nodeInfo/kernelVersion").asText()).isEqualTo(kernel);
        assertThat(node.at("/status/nodeInfo/containerRuntimeVersion").asText()).matches("crun://\\d+\\.\\d+.*");
        assertThat(node.at("/status/nodeInfo/kubeletVersion").asText()).startsWith("v1.32");

        var describe = kubectl("describe", "node", "e2e-node");
        assertThat(describe.exit()).as(describe.err()).isZero();
        assertThat(describe.out()).contains("Conditions:", "KubeletHasSufficientMemory", "KubeletReady", "Capacity:",
                "Allocatable:", "ephemeral-storage:", "System Info:", "Non-terminated Pods:", "HolderIdentity:  e2e-node");
        assertThat(describe.out()).containsPattern("MemoryPressure +False").containsPattern("Ready +True")
                .containsPattern("Kernel Version: +" + java.util.regex.Pattern.quote(kernel)).containsPattern("Container Runtime Version: +crun://");
        assertThat(describe.out()).doesNotContain("Failed to get lease");
        JsonNode lease = JSON.readTree(kubectl("get", "lease", "-n", "kube-node-lease", "e2e-node", "-o", "json").out());
        assertThat(lease.at("/spec/holderIdentity").asText()).isEqualTo("e2e-node");
        assertThat(lease.at("/metadata/ownerReferences/0/uid").asText()).isEqualTo(node.at("/metadata/uid").asText());

        // The Lease is the heartbeat: renewed every 10 s. The Node's status is written only on a
        // meaningful change or every 5 min (KEP-589), so its lastHeartbeatTime stays meanwhile.
        String beat = condition(node, "Ready").get("lastHeartbeatTime").asText();
        String transition = condition(node, "Ready").get("lastTransitionTime").asText();
        String renewed = lease.at("/spec/renewTime").asText();
        long deadline = System.nanoTime() + 25_000_000_000L;
        JsonNode laterLease = lease;
        while (laterLease.at("/spec/renewTime").asText().equals(renewed) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            laterLease = JSON.readTree(kubectl("get", "lease", "-n", "kube-node-lease", "e2e-node", "-o", "json").out());
        }
        assertThat(laterLease.at("/spec/renewTime").asText()).isNotEqualTo(renewed);
        JsonNode later = JSON.readTree(kubectl("get", "node", "e2e-node", "-o", "json").out());
        String laterBeat = condition(later, "Ready").get("lastHeartbeatTime").asText();
        // Unchanged, unless the 5-minute report fell in between.
        assertThat(laterBeat.equals(beat) || !Instant.parse(laterBeat).isBefore(Instant.parse(beat).plusSeconds(300)))
                .as("Node status rewritten within 5 min without a change: %s then %s", beat, laterBeat).isTrue();
        assertThat(condition(later, "Ready").get("lastTransitionTime").asText()).isEqualTo(transition);
    }
}
