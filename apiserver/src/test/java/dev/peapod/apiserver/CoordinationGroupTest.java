package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** coordination.k8s.io/v1: discovery and read access to the node's Lease. */
class CoordinationGroupTest {
    final MemoryStore store = new MemoryStore();
    final ApiHandler api = new ApiHandler(store, "t", "node1", "127.0.0.1:6443", Clock.systemUTC());

    CoordinationGroupTest() {
        Bootstrap.ensure(store, Clock.systemUTC().instant());
        ObjectNode lease = Json.object().put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
        lease.putObject("metadata").put("name", "node1").put("namespace", "kube-node-lease").put("uid", "ul")
                .put("creationTimestamp", "2026-11-23T22:00:00Z");
        lease.putObject("spec").put("holderIdentity", "node1").put("leaseDurationSeconds", 40).put("renewTime", "2026-11-23T22:00:10.000000Z");
        store.create(new Key("leases", "kube-node-lease", "node1"), lease);
    }

    Reply.Document call(String method, String path, String accept) {
        return (Reply.Document) api.handle(new ApiRequest(method, path, Map.of(), accept, "application/json", "Bearer t", ""));
    }

    @Test
    void discoveryListsTheGroupAndItsLeases() {
        var groups = call("GET", "/apis", "application/json").body();
        assertThat(groups.at("/groups/0/name").asText()).isEqualTo("coordination.k8s.io");
        assertThat(groups.at("/groups/0/preferredVersion/groupVersion").asText()).isEqualTo("coordination.k8s.io/v1");
        var resources = call("GET", "/apis/coordination.k8s.io/v1", "application/json").body();
        assertThat(resources.get("groupVersion").asText()).isEqualTo("coordination.k8s.io/v1");
        assertThat(resources.at("/resources/0/name").asText()).isEqualTo("leases");
        assertThat(resources.at("/resources/0/verbs").toString()).isEqualTo("[\"get\",\"list\"]");
    }

    @Test
    void theLeaseCanBeReadAndListedButNotWritten() {
        var lease = call("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node1", "application/json");
        assertThat(lease.status()).isEqualTo(200);
        assertThat(lease.body().at("/spec/holderIdentity").asText()).isEqualTo("node1");
        var list = call("GET", "/apis/coordination.k8s.io/v1/leases", "application/json").body();
        assertThat(list.get("kind").asText()).isEqualTo("LeaseList");
        assertThat(list.get("apiVersion").asText()).isEqualTo("coordination.k8s.io/v1");
        assertThat(list.get("items")).hasSize(1);
        var table = call("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", "application/json;as=Table;v=v1;g=meta.k8s.io").body();
        assertThat(table.get("columnDefinitions").findValuesAsText("name")).containsExactly("Name", "Holder", "Age");
        assertThat(table.at("/rows/0/cells/1").asText()).isEqualTo("node1");
        assertThat(call("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/other", "application/json").status()).isEqualTo(404);
        assertThat(call("DELETE", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node1", "application/json").status()).isEqualTo(405);
        assertThat(call("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/pods", "application/json").status()).isEqualTo(404);
        // Leases are not a core v1 resource.
        assertThat(call("GET", "/api/v1/namespaces/kube-node-lease/leases/node1", "application/json").status()).isEqualTo(404);
    }
}
