package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.apiserver.ApiHandler;
import dev.peapod.apiserver.ApiRequest;
import dev.peapod.apiserver.Bootstrap;
import dev.peapod.apiserver.Reply;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import dev.peapod.store.Stored;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Owner references and propagation policies: the plan (pure) and sweeps through a real API handler on a memory store. */
class GarbageCollectorTest {
    final MemoryStore store = new MemoryStore();
    final ApiHandler api = new ApiHandler(store, "t", "node1", "127.0.0.1:6443", Clock.systemUTC());
    final GarbageCollector gc = new GarbageCollector(store, api, "t");

    GarbageCollectorTest() {
        Bootstrap.ensure(store, Clock.systemUTC().instant());
    }

    Reply.Document call(String method, String path, String body) {
        return (Reply.Document) api.handle(new ApiRequest(method, path, Map.of(), "application/json", "application/json", "Bearer t", body));
    }

    /** Creates a ConfigMap owned by {@code owners} (kind/name/uid, blockOwnerDeletion true); returns its uid. */
    String configMap(String name, JsonNode... owners) {
        var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        var refs = o.putObject("metadata").put("name", name).putArray("ownerReferences");
        for (JsonNode owner : owners) refs.add(owner);
        if (owners.length == 0) ((ObjectNode) o.get("metadata")).remove("ownerReferences");
        var r = call("POST", "/api/v1/namespaces/default/configmaps", o.toString());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().at("/metadata/uid").asText();
    }

    static ObjectNode ref(String kind, String name, String uid, boolean block) {
        return StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", kind).put("name", name).put("uid", uid)
                .put("blockOwnerDeletion", block);
    }

    String pod(String name, JsonNode owner) {
        var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        o.putObject("metadata").put("name", name).putArray("ownerReferences").add(owner);
        o.putObject("spec").putArray("containers").addObject().put("name", "c").put("image", "busybox");
        var r = call("POST", "/api/v1/namespaces/default/pods", o.toString());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().at("/metadata/uid").asText();
    }

    Reply.Document delete(String resource, String name, String policy) {
        return call("DELETE", "/api/v1/namespaces/default/" + resource + "/" + name,
                policy == null ? "" : "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"" + policy + "\"}");
    }

    JsonNode get(String resource, String name) {
        return store.get(new Key(resource, "default", name)).map(Stored::object).orElse(null);
    }

    /** Sweeps until a sweep does nothing (at most 10). */
    void settle() {
        for (int i = 0; i < 10 && !gc.sweep().isEmpty(); i++) { }
    }

    @Test
    void backgroundDeletionRemovesTheOwnerAtOnceAndThenItsDependents() {
        String owner = configMap("owner");
        configMap("dep", ref("ConfigMap", "owner", owner, true));
        configMap("free");
        assertThat(delete("configmaps", "owner", null).status()).isEqualTo(200);
        assertThat(get("configmaps", "owner")).isNull();
        assertThat(get("configmaps", "dep")).isNotNull();
        settle();
        assertThat(get("configmaps", "dep")).isNull();
        assertThat(get("configmaps", "free")).isNotNull();
    }

    @Test
    void foregroundDeletionKeepsTheOwnerUntilItsBlockingDependentsAreGone() {
        String owner = configMap("owner");
        configMap("dep", ref("ConfigMap", "owner", owner, true));
        String podUid = pod("web", ref("ConfigMap", "owner", owner, true));
        var r = delete("configmaps", "owner", "Foreground");
        assertThat(r.body().at("/metadata/finalizers").toString()).isEqualTo("[\"foregroundDeletion\"]");
        assertThat(r.body().at("/metadata/deletionTimestamp").isTextual()).isTrue();
        settle();
        // The pod is bound to the node: deleted gracefully, it stays until the node's final delete; the owner waits for it.
        assertThat(get("configmaps", "dep")).isNull();
        assertThat(get("pods", "web").at("/metadata/deletionTimestamp").isTextual()).isTrue();
        assertThat(get("configmaps", "owner")).isNotNull();
        store.delete(new Key("pods", "default", "web"), 0); // the kubelet's final delete
        settle();
        assertThat(get("configmaps", "owner")).isNull();
        assertThat(podUid).isNotEmpty();
    }

    @Test
    void aForegroundOwnerDoesNotWaitForDependentsThatDoNotBlockIt() {
        String owner = configMap("owner");
        pod("web", ref("ConfigMap", "owner", owner, false));
        delete("configmaps", "owner", "Foreground");
        settle();
        assertThat(get("configmaps", "owner")).isNull();
        assertThat(get("pods", "web").at("/metadata/deletionTimestamp").isTextual()).isTrue();
    }

    @Test
    void orphanDeletionRemovesTheReferencesThenTheOwnerAndKeepsTheDependents() {
        String owner = configMap("owner");
        String other = configMap("other");
        configMap("dep", ref("ConfigMap", "owner", owner, true), ref("ConfigMap", "other", other, true));
        pod("web", ref("ConfigMap", "owner", owner, true));
        var r = delete("configmaps", "owner", "Orphan");
        assertThat(r.body().at("/metadata/finalizers").toString()).isEqualTo("[\"orphan\"]");
        settle();
        assertThat(get("configmaps", "owner")).isNull();
        assertThat(get("pods", "web").at("/metadata").has("ownerReferences")).isFalse();
        assertThat(get("pods", "web").at("/metadata/deletionTimestamp").isMissingNode()).isTrue();
        assertThat(get("configmaps", "dep").at("/metadata/ownerReferences").findValuesAsText("name")).containsExactly("other");
    }

    @Test
    void anUnknownPolicyIs422() {
        configMap("x");
        var r = delete("configmaps", "x", "Sideways");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body().get("message").asText()).contains("propagationPolicy: Unsupported value: \"Sideways\"");
        assertThat(get("configmaps", "x")).isNotNull();
    }

    static Stored stored(String resource, String ns, String name, String uid, String metadataExtra) {
        var json = "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\",\"uid\":\"" + uid + "\"" + metadataExtra + "}}";
        try {
            return new Stored(new Key(resource, ns, name), uid, 1, (ObjectNode) StoredObjects.JSON.readTree(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String refs(String... kindNameUid) {
        var sb = new StringBuilder(",\"ownerReferences\":[");
        for (int i = 0; i < kindNameUid.length; i += 3) {
            sb.append(i == 0 ? "" : ",").append("{\"apiVersion\":\"").append(kindNameUid[i].contains("/") ? kindNameUid[i].split("/")[0] + "/v1" : "v1")
                    .append("\",\"kind\":\"").append(kindNameUid[i].replaceAll(".*/", "")).append("\",\"name\":\"").append(kindNameUid[i + 1])
                    .append("\",\"uid\":\"").append(kindNameUid[i + 2]).append("\"}");
        }
        return sb.append("]").toString();
    }

    @Test
    void theOwnersThatAreGoneAreDroppedWhileAnotherRemains() {
        var owner = stored("configmaps", "default", "a", "ua", "");
        var dep = stored("pods", "default", "p", "up", refs("ConfigMap", "a", "ua", "ConfigMap", "gone", "ug"));
        assertThat(GarbageCollector.plan(List.of(owner, dep))).containsExactly(
                new GarbageCollector.Action.DropOwners(dep.key(), "up", Set.of("ug")));
    }

    @Test
    void aReferenceToAnObjectOfTheSameNameButAnotherUidIsGone() {
        var owner = stored("configmaps", "default", "a", "new-uid", "");
        var dep = stored("pods", "default", "p", "up", refs("ConfigMap", "a", "old-uid"));
        assertThat(GarbageCollector.plan(List.of(owner, dep))).containsExactly(
                new GarbageCollector.Action.Delete(dep.key(), "up", "Background"));
    }

    @Test
    void aNamespacedOwnerInAnotherNamespaceCountsAsAbsent() {
        var owner = stored("configmaps", "other", "a", "ua", "");
        var dep = stored("pods", "default", "p", "up", refs("ConfigMap", "a", "ua"));
        assertThat(GarbageCollector.plan(List.of(owner, dep))).containsExactly(
                new GarbageCollector.Action.Delete(dep.key(), "up", "Background"));
        // A cluster-scoped owner is found from any namespace.
        var node = stored("nodes", "", "n1", "un", "");
        var onNode = stored("pods", "default", "q", "uq", refs("Node", "n1", "un"));
        assertThat(GarbageCollector.plan(List.of(node, onNode))).isEmpty();
    }

    @Test
    void ownersOfKindsPeapodDoesNotServeAreNeverTakenForGone() {
        var dep = stored("pods", "default", "p", "up", refs("apps/ReplicaSet", "rs", "urs"));
        assertThat(GarbageCollector.plan(List.of(dep))).isEmpty();
    }

    @Test
    void aDependentThatIsItselfAnOwnerOfAForegroundOwnerIsDeletedInTheForeground() {
        String deleting = ",\"deletionTimestamp\":\"2026-11-23T22:00:00Z\",\"finalizers\":[\"foregroundDeletion\"]";
        var top = stored("configmaps", "default", "top", "ut", deleting);
        var middle = stored("configmaps", "default", "mid", "um", refs("ConfigMap", "top", "ut").replace("}]", ",\"blockOwnerDeletion\":true}]"));
        var leaf = stored("pods", "default", "leaf", "ul", refs("ConfigMap", "mid", "um"));
        assertThat(GarbageCollector.plan(List.of(top, middle, leaf))).containsExactly(
                new GarbageCollector.Action.Delete(middle.key(), "um", "Foreground"));
    }
}
