package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
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

import static dev.peapod.e2e.ServeE2eTest.JSON;
import static dev.peapod.e2e.ServeE2eTest.kubectl;
import static dev.peapod.e2e.ServeE2eTest.log;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * API semantics of {@code peapod serve} through the real kubectl, with real pods: chunked lists,
 * cascading deletion (foreground, background, orphan) through ownerReferences, and the Node.
 * Starts and stops serve as {@link ServeE2eTest} does (its helpers, its data directory).
 */
class ApiSemanticsE2eTest {
    @TempDir static Path dir;

    @BeforeAll
    static void startServe() throws Exception {
        ServeE2eTest.dir = dir;
        ServeE2eTest.startServe();
    }

    @AfterAll
    static void stopServe() throws Exception {
        ServeE2eTest.stopServe();
    }

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

    @Test
    void foregroundDeletionDeletesThePodBeforeItsOwner() throws Exception {
        create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner-fg}\ndata: {k: v}\n");
        create(pod("dep-fg", "app: fg", ownedBy("ConfigMap", "owner-fg", uid("configmap", "owner-fg"))));
        recordRunning("dep-fg");

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
        create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner-bg}\ndata: {k: v}\n");
        create(pod("dep-bg", "app: bg", ownedBy("ConfigMap", "owner-bg", uid("configmap", "owner-bg"))));
        recordRunning("dep-bg");

        var delete = kubectl("delete", "configmap", "owner-bg", "--cascade=background");
        assertThat(delete.exit()).as(delete.err()).isZero();
        assertThat(kubectl("get", "configmap", "owner-bg").exit()).isNotZero();
        var podGone = kubectl("wait", "--for=delete", "pod/dep-bg", "--timeout=60s");
        assertThat(podGone.exit()).as(podGone.err() + log()).isZero();
    }

    @Test
    void orphanDeletionKeepsThePodRunningWithoutItsOwnerReference() throws Exception {
        create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner-or}\ndata: {k: v}\n");
        create(pod("dep-or", "app: or", ownedBy("ConfigMap", "owner-or", uid("configmap", "owner-or"))));
        recordRunning("dep-or");

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
}
