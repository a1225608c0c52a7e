package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Server-side apply and managedFields through the API handler (MemoryStore, no socket). */
class ServerSideApplyTest {
    static final String TOKEN = "secret";
    static final String APPLY = "application/apply-patch+yaml";
    final MemoryStore store = new MemoryStore(5);
    final ApiHandler api;

    ServerSideApplyTest() {
        Bootstrap.ensure(store, Clock.systemUTC().instant());
        api = new ApiHandler(store, TOKEN, "node1", "127.0.0.1:6443", Clock.systemUTC());
    }

    Reply.Document call(String method, String path, String contentType, String body, String... query) {
        Map<String, String> q = new HashMap<>();
        for (int i = 0; i < query.length; i += 2) q.put(query[i], query[i + 1]);
        return (Reply.Document) api.handle(new ApiRequest(method, path, q, "application/json", contentType, "Bearer " + TOKEN, body,
                Map.of(), "kubectl/v1.32.0 (linux/amd64) kubernetes/abcdef"));
    }

    static final String CM_PATH = "/api/v1/namespaces/default/configmaps/c";

    static String cm(String labels, String data) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {" + labels + "}\ndata: {" + data + "}\n";
    }

    static JsonNode entry(JsonNode o, String manager) {
        for (JsonNode e : o.at("/metadata/managedFields")) if (e.path("manager").asText().equals(manager)) return e;
        return null;
    }

    @Test
    void applyCreatesThenReapplyingChangesNothing() {
        var created = call("PATCH", CM_PATH, APPLY, cm("a: '1', b: '2'", "k: v"), "fieldManager", "kubectl");
        assertThat(created.status()).isEqualTo(201);
        JsonNode e = entry(created.body(), "kubectl");
        assertThat(e.path("operation").asText()).isEqualTo("Apply");
        assertThat(e.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(e.path("fieldsType").asText()).isEqualTo("FieldsV1");
        assertThat(e.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(e.get("fieldsV1")).isEqualTo(Json.parse("{\"f:data\":{\"f:k\":{}},\"f:metadata\":{\"f:labels\":{\"f:a\":{},\"f:b\":{}}}}"));
        assertThat(created.body().at("/metadata/managedFields")).hasSize(1);

        var again = call("PATCH", CM_PATH, APPLY, cm("a: '1', b: '2'", "k: v"), "fieldManager", "kubectl");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(created.body());
    }

    @Test
    void anotherManagersLabelConflictsUntilForced() {
        call("PATCH", CM_PATH, APPLY, cm("a: '1'", "k: v"), "fieldManager", "kubectl");
        var labelled = call("PATCH", CM_PATH, "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"a\":\"2\"}}}", "fieldManager", "kubectl-label");
        assertThat(labelled.status()).isEqualTo(200);
        assertThat(entry(labelled.body(), "kubectl-label").path("operation").asText()).isEqualTo("Update");
        assertThat(entry(labelled.body(), "kubectl-label").get("fieldsV1")).isEqualTo(Json.parse("{\"f:metadata\":{\"f:labels\":{\"f:a\":{}}}}"));

        var refused = call("PATCH", CM_PATH, APPLY, cm("a: '1'", "k: v"), "fieldManager", "kubectl");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("reason").asText()).isEqualTo("Conflict");
        assertThat(refused.body().path("message").asText())
                .isEqualTo("Apply failed with 1 conflict: conflict with \"kubectl-label\" using v1: .metadata.labels.a");
        assertThat(refused.body().at("/details/causes/0")).isEqualTo(Json.parse(
                "{\"reason\":\"FieldManagerConflict\",\"message\":\"conflict with \\\"kubectl-label\\\" using v1\",\"field\":\".metadata.labels.a\"}"));

        var forced = call("PATCH", CM_PATH, APPLY, cm("a: '1'", "k: v"), "fieldManager", "kubectl", "force", "true");
        assertThat(forced.status()).isEqualTo(200);
        assertThat(forced.body().at("/metadata/labels/a").asText()).isEqualTo("1");
        assertThat(entry(forced.body(), "kubectl-label")).isNull();
    }

    @Test
    void aDryRunAnswersWithTheResultAndStoresNothing() {
        var dry = call("PATCH", CM_PATH, APPLY, cm("a: '1'", "k: v"), "fieldManager", "kubectl", "dryRun", "All");
        assertThat(dry.status()).isEqualTo(201);
        assertThat(dry.body().at("/data/k").asText()).isEqualTo("v");
        assertThat(call("GET", CM_PATH, null, "").status()).isEqualTo(404);
        var created = call("PATCH", CM_PATH, APPLY, cm("a: '1'", "k: v"), "fieldManager", "kubectl");
        var changed = call("PATCH", CM_PATH, APPLY, cm("a: '1'", "k: w"), "fieldManager", "kubectl", "dryRun", "All");
        assertThat(changed.body().at("/data/k").asText()).isEqualTo("w");
        assertThat(call("GET", CM_PATH, null, "").body()).isEqualTo(created.body());
        assertThat(call("PATCH", CM_PATH, APPLY, cm("", ""), "fieldManager", "kubectl", "dryRun", "Some").status()).isEqualTo(422);
    }

    @Test
    void aResourceVersionInTheConfigurationIsAPrecondition() {
        var created = call("PATCH", CM_PATH, APPLY, cm("", "k: v"), "fieldManager", "m");
        String rv = created.body().at("/metadata/resourceVersion").asText();
        var stale = call("PATCH", CM_PATH, APPLY, cm("", "k: w").replace("name: c", "name: c\n  resourceVersion: '1'"), "fieldManager", "m");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body().path("message").asText()).contains("the object has been modified");
        var current = call("PATCH", CM_PATH, APPLY, cm("", "k: w").replace("name: c", "name: c\n  resourceVersion: '" + rv + "'"), "fieldManager", "m");
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.body().at("/data/k").asText()).isEqualTo("w");
    }

    @Test
    void aLabelNoLongerAppliedIsRemoved() {
        call("PATCH", CM_PATH, APPLY, cm("a: '1', b: '2'", "k: v"), "fieldManager", "kubectl");
        var dropped = call("PATCH", CM_PATH, APPLY, cm("a: '1'", "k: v"), "fieldManager", "kubectl");
        assertThat(dropped.body().at("/metadata/labels")).isEqualTo(Json.parse("{\"a\":\"1\"}"));
    }

    @Test
    void applyNeedsAFieldManagerAndForceIsForApplyOnly() {
        var noManager = call("PATCH", CM_PATH, APPLY, cm("", "k: v"));
        assertThat(noManager.status()).isEqualTo(422);
        assertThat(noManager.body().path("message").asText()).isEqualTo("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        call("PATCH", CM_PATH, APPLY, cm("", "k: v"), "fieldManager", "m");
        var forcedMerge = call("PATCH", CM_PATH, "application/merge-patch+json", "{}", "force", "true");
        assertThat(forcedMerge.status()).isEqualTo(422);
        var withManaged = call("PATCH", CM_PATH, APPLY, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"managedFields\":[]}}", "fieldManager", "m");
        assertThat(withManaged.status()).isEqualTo(400);
        var noKind = call("PATCH", CM_PATH, APPLY, "{\"metadata\":{\"name\":\"c\"}}", "fieldManager", "m");
        assertThat(noKind.status()).isEqualTo(400);
    }

    @Test
    void createsAndUpdatesRecordUpdateEntriesForTheirManager() {
        var created = call("POST", "/api/v1/namespaces/default/configmaps", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":\"v\"}}");
        // No fieldManager: the User-Agent's prefix.
        JsonNode e = entry(created.body(), "kubectl");
        assertThat(e.path("operation").asText()).isEqualTo("Update");
        assertThat(e.get("fieldsV1")).isEqualTo(Json.parse("{\"f:data\":{\".\":{},\"f:k\":{}}}"));
        var edited = call("PUT", CM_PATH, "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":\"v\",\"n\":\"1\"}}", "fieldManager", "kubectl-edit");
        assertThat(entry(edited.body(), "kubectl-edit").get("fieldsV1")).isEqualTo(Json.parse("{\"f:data\":{\"f:n\":{}}}"));
        assertThat(entry(edited.body(), "kubectl")).isNotNull();
        // The reset value [{}] clears them all; an empty list does not.
        var kept = call("PATCH", CM_PATH, "application/merge-patch+json", "{\"metadata\":{\"managedFields\":[]}}");
        assertThat(kept.body().at("/metadata/managedFields")).hasSize(2);
        var reset = call("PATCH", CM_PATH, "application/merge-patch+json", "{\"metadata\":{\"managedFields\":[{}]}}");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.body().at("/metadata/managedFields").isMissingNode()).isTrue();
    }

    static final String POD_PATH = "/api/v1/namespaces/default/pods/p";

    static String pod(String image, String extra) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"" + image
                + "\",\"ports\":[{\"containerPort\":80}]" + extra + "}]}}";
    }

    @Test
    void podsGoThroughAdmission() {
        var created = call("PATCH", POD_PATH, APPLY, pod("busybox:1", ""), "fieldManager", "kubectl");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().at("/spec/nodeName").asText()).isEqualTo("node1");
        assertThat(created.body().at("/spec/containers/0/ports/0/protocol").asText()).isEqualTo("TCP");
        assertThat(entry(created.body(), "kubectl").at("/fieldsV1/f:spec/f:containers").toString())
                .contains("k:{\\\"name\\\":\\\"c\\\"}", "k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}");
        // The defaulted pod takes the same configuration without a change.
        var again = call("PATCH", POD_PATH, APPLY, pod("busybox:1", ""), "fieldManager", "kubectl");
        assertThat(again.body().at("/metadata/resourceVersion")).isEqualTo(created.body().at("/metadata/resourceVersion"));
        var reimaged = call("PATCH", POD_PATH, APPLY, pod("busybox:2", ""), "fieldManager", "kubectl");
        assertThat(reimaged.status()).isEqualTo(200);
        assertThat(reimaged.body().at("/spec/containers/0/image").asText()).isEqualTo("busybox:2");
        assertThat(reimaged.body().at("/metadata/generation").asLong()).isEqualTo(2);
        var immutable = call("PATCH", POD_PATH, APPLY, pod("busybox:2", ",\"command\":[\"sh\"]"), "fieldManager", "kubectl");
        assertThat(immutable.status()).isEqualTo(422);
    }
}
