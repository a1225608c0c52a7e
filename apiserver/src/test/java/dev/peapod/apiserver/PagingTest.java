package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Chunked lists: limit, continue, remainingItemCount, consistency at the first chunk's revision, expiry. */
class PagingTest {
    final MemoryStore store = new MemoryStore();
    Instant now = Instant.parse("2026-11-23T22:00:00Z");
    final ApiHandler api;

    PagingTest() {
        Bootstrap.ensure(store, now);
        api = new ApiHandler(store, "t", "node1", "127.0.0.1:6443", () -> now);
    }

    Reply.Document call(String method, String path, String body, String... query) {
        Map<String, String> q = new HashMap<>();
        for (int i = 0; i < query.length; i += 2) q.put(query[i], query[i + 1]);
        return (Reply.Document) api.handle(new ApiRequest(method, path, q, "application/json", "application/json", "Bearer t", body));
    }

    void configMap(String ns, String name) {
        if (call("GET", "/api/v1/namespaces/" + ns, "").status() == 404) {
            call("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        }
        var r = call("POST", "/api/v1/namespaces/" + ns + "/configmaps", "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"n\":\"" + name + "\"}}}");
        assertThat(r.status()).isEqualTo(201);
    }

    static List<String> names(JsonNode list) { return list.get("items").findValuesAsText("name"); }

    /** Follows continue tokens to the end; returns every page. */
    List<JsonNode> pages(String path, String... query) {
        var pages = new ArrayList<JsonNode>();
        String token = null;
        do {
            var q = new ArrayList<>(List.of(query));
            if (token != null) q.addAll(List.of("continue", token));
            var r = call("GET", path, "", q.toArray(String[]::new));
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            pages.add(r.body());
            token = r.body().at("/metadata/continue").asText(null);
        } while (token != null && pages.size() < 20);
        return pages;
    }

    @Test
    void aLimitedListComesInChunksWithTheRemainingCountAndEndsWithoutAToken() {
        for (String n : List.of("e", "a", "d", "c", "b")) configMap("default", n);
        var pages = pages("/api/v1/namespaces/default/configmaps", "limit", "2");
        assertThat(pages).extracting(PagingTest::names).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
        assertThat(pages.get(0).at("/metadata/remainingItemCount").asLong()).isEqualTo(3);
        assertThat(pages.get(1).at("/metadata/remainingItemCount").asLong()).isEqualTo(1);
        assertThat(pages.get(2).at("/metadata").has("continue")).isFalse();
        assertThat(pages.get(2).at("/metadata").has("remainingItemCount")).isFalse();
        // Without a limit: everything at once, no token.
        var all = call("GET", "/api/v1/namespaces/default/configmaps", "").body();
        assertThat(names(all)).containsExactly("a", "b", "c", "d", "e");
        assertThat(all.at("/metadata").has("continue")).isFalse();
    }

    @Test
    void everyChunkIsServedAtTheFirstChunksRevision() {
        for (String n : List.of("a", "b", "c", "d")) configMap("default", n);
        var first = call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "2").body();
        String rv = first.at("/metadata/resourceVersion").asText();
        // Changes after the first chunk are not seen by the rest of the list.
        call("DELETE", "/api/v1/namespaces/default/configmaps/c", "");
        configMap("default", "cc");
        var second = call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "5", "continue", first.at("/metadata/continue").asText()).body();
        assertThat(names(second)).containsExactly("c", "d");
        assertThat(second.at("/metadata/resourceVersion").asText()).isEqualTo(rv);
        // A new list sees them.
        assertThat(names(call("GET", "/api/v1/namespaces/default/configmaps", "").body())).containsExactly("a", "b", "cc", "d");
    }

    @Test
    void acrossNamespacesTheTokenCarriesNamespaceAndName() {
        configMap("ns-b", "x");
        configMap("ns-a", "y");
        configMap("ns-a", "z");
        configMap("ns-a-b", "w");
        var pages = pages("/api/v1/configmaps", "limit", "1");
        var all = new ArrayList<String>();
        pages.forEach(p -> p.get("items").forEach(i -> all.add(i.at("/metadata/namespace").asText() + "/" + i.at("/metadata/name").asText())));
        assertThat(all).containsExactly("ns-a/y", "ns-a/z", "ns-a-b/w", "ns-b/x");
        assertThat(Paging.decode(pages.get(0).at("/metadata/continue").asText(), null)).isEqualTo(
                new Paging.Token(pages.get(0).at("/metadata/resourceVersion").asLong(), "ns-a", "y"));
    }

    @Test
    void withASelectorChunksHoldMatchesAndNoRemainingCount() {
        for (String n : List.of("a", "b", "c", "d", "e")) configMap("default", n);
        var pages = pages("/api/v1/namespaces/default/configmaps", "limit", "1", "labelSelector", "n in (b,d,e)");
        assertThat(pages).extracting(PagingTest::names).containsExactly(List.of("b"), List.of("d"), List.of("e"));
        assertThat(pages.get(0).at("/metadata").has("remainingItemCount")).isFalse();
    }

    @Test
    void theTablePrintingKubectlAsksForCarriesTheToken() {
        for (String n : List.of("a", "b", "c")) configMap("default", n);
        var r = (Reply.Document) api.handle(new ApiRequest("GET", "/api/v1/namespaces/default/configmaps", Map.of("limit", "2"),
                "application/json;as=Table;v=v1;g=meta.k8s.io", null, "Bearer t", ""));
        assertThat(r.body().get("kind").asText()).isEqualTo("Table");
        assertThat(r.body().get("rows")).hasSize(2);
        assertThat(r.body().at("/metadata/continue").asText()).isNotEmpty();
        assertThat(r.body().at("/metadata/remainingItemCount").asLong()).isEqualTo(1);
    }

    @Test
    void anExpiredTokenIs410WithKubesMessageAndATokenForTheInconsistentRemainder() {
        for (String n : List.of("a", "b", "c")) configMap("default", n);
        var first = call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "1").body();
        String token = first.at("/metadata/continue").asText();
        // Within the retention the token works, even after writes.
        configMap("default", "d");
        now = now.plus(Paging.RETENTION).minusSeconds(1);
        assertThat(call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "1", "continue", token).status()).isEqualTo(200);
        now = now.plus(Duration.ofSeconds(2));
        var expired = call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "1", "continue", token);
        assertThat(expired.status()).isEqualTo(410);
        assertThat(expired.body().get("reason").asText()).isEqualTo("Expired");
        assertThat(expired.body().get("message").asText()).startsWith("The provided continue parameter is too old to display a consistent list result.");
        // The Status's token continues after "a" at the latest revision: d is there now.
        var rest = call("GET", "/api/v1/namespaces/default/configmaps", "", "continue", expired.body().at("/metadata/continue").asText());
        assertThat(rest.status()).isEqualTo(200);
        assertThat(names(rest.body())).containsExactly("b", "c", "d");
    }

    @Test
    void aTokenStaysGoodWithoutASnapshotWhileNothingWasWritten() {
        for (String n : List.of("a", "b")) configMap("default", n);
        var first = call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "1").body();
        now = now.plus(Duration.ofHours(1));
        var second = call("GET", "/api/v1/namespaces/default/configmaps", "", "continue", first.at("/metadata/continue").asText());
        assertThat(names(second.body())).containsExactly("b");
    }

    @Test
    void aMalformedTokenIs400() {
        var r = call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "1", "continue", "not-a-token");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get("message").asText()).startsWith("continue key is not valid");
        assertThat(call("GET", "/api/v1/namespaces/default/configmaps", "", "limit", "x").status()).isEqualTo(400);
    }
}
