package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Routes, authentication, errors and watch semantics, without a socket. */
class ApiHandlerTest {
    static final String TOKEN = "secret";
    final MemoryStore store = new MemoryStore(5);
    final ApiHandler api;

    ApiHandlerTest() {
        Bootstrap.ensure(store, Clock.systemUTC().instant());
        api = new ApiHandler(store, TOKEN, "node1", "127.0.0.1:6443", Clock.systemUTC());
    }

    Reply.Document call(String method, String path, String body, String... query) {
        return (Reply.Document) api.handle(request(method, path, body, "Bearer " + TOKEN, query));
    }

    static ApiRequest request(String method, String path, String body, String auth, String... query) {
        Map<String, String> q = new HashMap<>();
        for (int i = 0; i < query.length; i += 2) q.put(query[i], query[i + 1]);
        return new ApiRequest(method, path, q, "application/json", "application/json", auth, body);
    }

    List<JsonNode> watch(String path, String... query) throws Exception {
        var q = new ArrayList<>(List.of(query));
        q.addAll(List.of("watch", "true", "timeoutSeconds", "1"));
        var reply = api.handle(request("GET", path, "", "Bearer " + TOKEN, q.toArray(String[]::new)));
        var events = new ArrayList<JsonNode>();
        ((Reply.Stream) reply).writer().write(events::add);
        return events;
    }

    static String configMap(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"v\"}}";
    }

    @Test
    void withoutOrWithAWrongTokenEveryPathIs401() {
        for (String auth : new String[] {null, "Bearer wrong", "Basic c2VjcmV0", "Bearer secretx"}) {
            var r = (Reply.Document) api.handle(request("GET", "/api/v1/pods", "", auth));
            assertThat(r.status()).as(auth).isEqualTo(401);
            assertThat(r.body().get("reason").asText()).isEqualTo("Unauthorized");
        }
        assertThat(((Reply.Document) api.handle(request("GET", "/version", "", null))).status()).isEqualTo(401);
    }

    @Test
    void discoveryListsTheCoreResources() {
        var r = call("GET", "/api/v1", "");
        assertThat(r.body().get("resources").findValuesAsText("name"))
                .contains("pods", "pods/status", "namespaces", "configmaps", "secrets", "events", "serviceaccounts");
        assertThat(call("GET", "/api", "").body().at("/versions/0").asText()).isEqualTo("v1");
        assertThat(call("GET", "/openapi/v3", "").body().at("/paths/api~1v1/serverRelativeURL").asText()).startsWith("/openapi/v3/api/v1?hash=");
    }

    static String pod(String name, String containerExtra) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":["
                + "{\"name\":\"a\",\"image\":\"busybox\",\"ports\":[{\"containerPort\":80}]" + containerExtra + "},"
                + "{\"name\":\"b\",\"image\":\"busybox\",\"ports\":[{\"containerPort\":80}]}]}}";
    }

    @Test
    void aCreatedPodCarriesKubeApiserverAndLintWarnings() {
        var r = call("POST", "/api/v1/namespaces/default/pods", pod("w", ""));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.warnings()).contains("spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]");
        assertThat(r.warnings()).anyMatch(w -> w.startsWith("PEA001 spec.containers[1].ports[0]: port 80/TCP is also declared by spec.containers[0]")
                && w.contains("(fix: "));
        assertThat(r.warnings().getLast()).startsWith("peapod lint: ").contains("PEA005");
        assertThat(call("POST", "/api/v1/namespaces/default/configmaps", configMap("c")).warnings()).isEmpty();
    }

    @Test
    void theResizeSubresourceChangesOnlyResourcesAndAppliesTheNodesRules() {
        var resizing = new ArrayList<String>();
        var withRules = new ApiHandler(store, TOKEN, "node1", "127.0.0.1:6443", Clock.systemUTC(), null, (current, resized) -> {
            resizing.add(current.getMetadata().getName());
            var limit = resized.getSpec().getContainers().get(0).getResources().getLimits();
            return limit != null && limit.containsKey("memory")
                    ? List.of(dev.peapod.api.FieldError.forbidden("spec.containers[0].resources.limits.memory", "pod QOS Class may not change as a result of resizing"))
                    : List.of();
        });
        String cpu = ",\"resources\":{\"requests\":{\"cpu\":\"100m\"},\"limits\":{\"cpu\":\"200m\"}}";
        assertThat(call("POST", "/api/v1/namespaces/default/pods", pod("r", cpu)).status()).isEqualTo(201);
        java.util.function.Function<String, Reply.Document> patch = body -> (Reply.Document) withRules.handle(new ApiRequest("PATCH",
                "/api/v1/namespaces/default/pods/r/resize", Map.of(), "application/json", "application/merge-patch+json", "Bearer " + TOKEN, body));
        // A merge patch replaces the containers list: the same names, new resources, and an image change that is not taken.
        var ok = patch.apply("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"other\",\"resources\":{\"requests\":{\"cpu\":\"100m\"},"
                + "\"limits\":{\"cpu\":\"300m\"}}},{\"name\":\"b\",\"image\":\"busybox\"}]}}");
        assertThat(ok.status()).as(ok.body().toString()).isEqualTo(200);
        assertThat(ok.body().at("/spec/containers/0/resources/limits/cpu").asText()).isEqualTo("300m");
        assertThat(ok.body().at("/spec/containers/0/image").asText()).as("only resources change through resize").isEqualTo("busybox");
        assertThat(ok.body().at("/metadata/generation").asLong()).as("a resize changes the spec: generation + 1").isEqualTo(2);
        assertThat(resizing).containsExactly("r");
        var refused = patch.apply("{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"300m\",\"memory\":\"64Mi\"}}},"
                + "{\"name\":\"b\",\"image\":\"busybox\"}]}}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().at("/details/causes/0/field").asText()).isEqualTo("spec.containers[0].resources.limits.memory");
        var renamed = patch.apply("{\"spec\":{\"containers\":[{\"name\":\"x\",\"image\":\"busybox\"},{\"name\":\"b\",\"image\":\"busybox\"}]}}");
        assertThat(renamed.status()).isEqualTo(422);
        // A plain update may not change resources: that is what the subresource is for.
        var relabelled = (Reply.Document) withRules.handle(new ApiRequest("PATCH", "/api/v1/namespaces/default/pods/r", Map.of(), "application/json",
                "application/merge-patch+json", "Bearer " + TOKEN, "{\"metadata\":{\"labels\":{\"x\":\"y\"},\"generation\":9}}"));
        assertThat(relabelled.status()).isEqualTo(200);
        assertThat(relabelled.body().at("/metadata/generation").asLong()).as("metadata only, and not the client's to set").isEqualTo(2);
        var reimaged = (Reply.Document) withRules.handle(new ApiRequest("PATCH", "/api/v1/namespaces/default/pods/r", Map.of(), "application/json",
                "application/json-patch+json", "Bearer " + TOKEN, "[{\"op\":\"replace\",\"path\":\"/spec/containers/1/image\",\"value\":\"busybox:2\"}]"));
        assertThat(reimaged.status()).as(reimaged.body().toString()).isEqualTo(200);
        assertThat(reimaged.body().at("/metadata/generation").asLong()).isEqualTo(3);
        var plain = (Reply.Document) withRules.handle(new ApiRequest("PATCH", "/api/v1/namespaces/default/pods/r", Map.of(), "application/json",
                "application/merge-patch+json", "Bearer " + TOKEN, "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"busybox\","
                        + "\"resources\":{\"limits\":{\"cpu\":\"1\"}}},{\"name\":\"b\",\"image\":\"busybox\"}]}}"));
        assertThat(plain.status()).isEqualTo(422);
    }

    @Test
    void anEvictionDeletesThePodGracefullyWithItsDeleteOptions() {
        var created = call("POST", "/api/v1/namespaces/default/pods", pod("e", ""));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().at("/metadata/generation").asLong()).isEqualTo(1);
        var evicted = call("POST", "/api/v1/namespaces/default/pods/e/eviction",
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"e\",\"namespace\":\"default\"},"
                        + "\"deleteOptions\":{\"gracePeriodSeconds\":7}}");
        assertThat(evicted.status()).isEqualTo(201);
        assertThat(evicted.body().get("status").asText()).isEqualTo("Success");
        var pod = call("GET", "/api/v1/namespaces/default/pods/e", "");
        assertThat(pod.body().at("/metadata/deletionTimestamp").isTextual()).as("Terminating, the node stops it").isTrue();
        assertThat(pod.body().at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(7);
        assertThat(call("POST", "/api/v1/namespaces/default/pods/other/eviction",
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"e\"}}").status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/namespaces/default/pods/missing/eviction", "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\"}").status())
                .isEqualTo(404);
        assertThat(call("GET", "/api/v1", "").body().get("resources").findValuesAsText("name")).contains("pods/eviction", "pods/resize");
    }

    @Test
    void createConflictAndStaleUpdates() {
        var created = call("POST", "/api/v1/namespaces/default/configmaps", configMap("c"));
        assertThat(created.status()).isEqualTo(201);
        String rv = created.body().at("/metadata/resourceVersion").asText();
        assertThat(created.body().at("/metadata/uid").asText()).hasSize(36);
        assertThat(call("POST", "/api/v1/namespaces/default/configmaps", configMap("c")).status()).isEqualTo(409);
        var updated = call("PUT", "/api/v1/namespaces/default/configmaps/c",
                configMap("c").replace("\"name\":\"c\"", "\"name\":\"c\",\"resourceVersion\":\"" + rv + "\"").replace("\"v\"", "\"w\""));
        assertThat(updated.status()).isEqualTo(200);
        var stale = call("PUT", "/api/v1/namespaces/default/configmaps/c",
                configMap("c").replace("\"name\":\"c\"", "\"name\":\"c\",\"resourceVersion\":\"" + rv + "\""));
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body().get("message").asText())
                .isEqualTo("Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again");
        assertThat(call("POST", "/api/v1/namespaces/nope/configmaps", configMap("c")).status()).isEqualTo(404);
    }

    @Test
    void invalidPodsGet422WithCausesAndFieldPaths() {
        var r = call("POST", "/api/v1/namespaces/default/pods",
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body().get("reason").asText()).isEqualTo("Invalid");
        assertThat(r.body().at("/details/causes/0/field").asText()).isEqualTo("spec.containers[0].image");
        assertThat(r.body().at("/details/causes/0/reason").asText()).isEqualTo("FieldValueRequired");
        assertThat(r.body().get("message").asText()).isEqualTo("Pod \"p\" is invalid: spec.containers[0].image: Required value");
    }

    @Test
    void watchResumesFromAResourceVersionAndSaysGoneWhenTooOld() throws Exception {
        String rv = call("POST", "/api/v1/namespaces/default/configmaps", configMap("a")).body().at("/metadata/resourceVersion").asText();
        call("POST", "/api/v1/namespaces/default/configmaps", configMap("b"));
        call("DELETE", "/api/v1/namespaces/default/configmaps/a", "");
        var events = watch("/api/v1/namespaces/default/configmaps", "resourceVersion", rv);
        assertThat(events).extracting(e -> e.get("type").asText() + " " + e.at("/object/metadata/name").asText())
                .containsExactly("ADDED b", "DELETED a");
        var initial = watch("/api/v1/namespaces/default/configmaps", "fieldSelector", "metadata.name=b");
        assertThat(initial).extracting(e -> e.get("type").asText() + " " + e.at("/object/metadata/name").asText()).containsExactly("ADDED b");
        for (int i = 0; i < 6; i++) call("POST", "/api/v1/namespaces/default/configmaps", configMap("x" + i));
        var gone = watch("/api/v1/namespaces/default/configmaps", "resourceVersion", rv);
        assertThat(gone).hasSize(1);
        assertThat(gone.getFirst().get("type").asText()).isEqualTo("ERROR");
        assertThat(gone.getFirst().at("/object/code").asInt()).isEqualTo(410);
        assertThat(gone.getFirst().at("/object/reason").asText()).isEqualTo("Expired");
    }

    @Test
    void objectsLeavingAndEnteringALabelSelectorAreDeletedAndAddedForTheWatcher() throws Exception {
        String rv = call("POST", "/api/v1/namespaces/default/configmaps",
                configMap("c").replace("\"name\":\"c\"", "\"name\":\"c\",\"labels\":{\"app\":\"x\"}")).body().at("/metadata/resourceVersion").asText();
        var merge = "application/merge-patch+json";
        for (String labels : List.of("{\"app\":\"y\"}", "{\"app\":\"x\"}", "{\"app\":\"x\",\"more\":\"1\"}")) {
            api.handle(new ApiRequest("PATCH", "/api/v1/namespaces/default/configmaps/c", Map.of(), "application/json", merge,
                    "Bearer " + TOKEN, "{\"metadata\":{\"labels\":" + labels + "}}"));
        }
        var fromStart = watch("/api/v1/namespaces/default/configmaps", "resourceVersion", Long.toString(Long.parseLong(rv) - 1),
                "labelSelector", "app=x");
        assertThat(fromStart).extracting(e -> e.get("type").asText()).containsExactly("ADDED", "DELETED", "ADDED", "MODIFIED");
        // Resumed after the create: the first change is the object's first event here, which does not match: not sent.
        var resumed = watch("/api/v1/namespaces/default/configmaps", "resourceVersion", rv, "labelSelector", "app=x");
        assertThat(resumed).extracting(e -> e.get("type").asText()).containsExactly("ADDED", "MODIFIED");
    }

    @Test
    void aPodWithAFinalizerGoesOnceTheNodeIsDoneAndTheFinalizerIsRemoved() {
        var created = call("POST", "/api/v1/namespaces/default/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                + "\"finalizers\":[\"example.com/keep\"]},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"busybox\"}]}}");
        assertThat(created.status()).isEqualTo(201);
        var deleting = call("DELETE", "/api/v1/namespaces/default/pods/p", "");
        assertThat(deleting.body().at("/metadata/deletionGracePeriodSeconds").asInt()).isEqualTo(30);
        var merge = new ApiRequest("PATCH", "/api/v1/namespaces/default/pods/p", Map.of(), "application/json",
                "application/merge-patch+json", "Bearer " + TOKEN, "{\"metadata\":{\"finalizers\":null}}");
        var key = new dev.peapod.store.Key("pods", "default", "p");
        assertThat(Finalizers.finalDelete(store, store.get(key).orElseThrow())).as("held by its finalizer").isFalse();
        assertThat(((Reply.Document) api.handle(merge)).status()).isEqualTo(200);
        assertThat(store.get(key)).as("gone with its finalizer, the node being done").isEmpty();
    }

    @Test
    void patchesOfEachType() {
        call("POST", "/api/v1/namespaces/default/configmaps", configMap("c"));
        record Case(String type, String patch, String expected) {}
        for (var c : List.of(
                new Case("application/merge-patch+json", "{\"data\":{\"k\":null,\"n\":\"1\"}}", "{\"n\":\"1\"}"),
                new Case("application/json-patch+json", "[{\"op\":\"add\",\"path\":\"/data/m\",\"value\":\"2\"}]", "{\"n\":\"1\",\"m\":\"2\"}"),
                new Case("application/strategic-merge-patch+json", "{\"data\":{\"m\":\"3\"}}", "{\"n\":\"1\",\"m\":\"3\"}"))) {
            var req = new ApiRequest("PATCH", "/api/v1/namespaces/default/configmaps/c", Map.of(), "application/json", c.type(), "Bearer " + TOKEN, c.patch());
            var r = (Reply.Document) api.handle(req);
            assertThat(r.status()).as(c.type() + " " + r.body()).isEqualTo(200);
            assertThat(r.body().get("data").toString()).as(c.type()).isEqualTo(c.expected());
        }
    }
}
