package dev.peapod.daemon;

import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's Lease: created owned by the Node, renewed on each heartbeat. */
class NodeLeaseTest {
    @Test
    void eachHeartbeatRenewsTheLeaseOfTheNode() {
        var store = new MemoryStore();
        Instant t0 = Instant.parse("2026-11-23T22:00:00.123456789Z");
        var beat = new NodeHeartbeat(store, "n1", "crun://1.8", java.nio.file.Path.of("/"), () -> t0);
        beat.beat();
        var node = store.get(new Key("nodes", "", "n1")).orElseThrow();
        var lease = store.get(new Key("leases", "kube-node-lease", "n1")).orElseThrow().object();
        assertThat(lease.get("apiVersion").asText()).isEqualTo("coordination.k8s.io/v1");
        assertThat(lease.at("/spec/holderIdentity").asText()).isEqualTo("n1");
        assertThat(lease.at("/spec/leaseDurationSeconds").asInt()).isEqualTo(40);
        assertThat(lease.at("/spec/renewTime").asText()).isEqualTo("2026-11-23T22:00:00.123456Z");
        assertThat(lease.at("/metadata/ownerReferences/0/uid").asText()).isEqualTo(node.uid());
        assertThat(lease.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("Node");

        NodeLease.renew(store, "n1", node.uid(), t0.plusSeconds(10));
        var renewed = store.get(new Key("leases", "kube-node-lease", "n1")).orElseThrow().object();
        assertThat(renewed.at("/spec/renewTime").asText()).isEqualTo("2026-11-23T22:00:10.123456Z");
        assertThat(renewed.at("/metadata/uid")).isEqualTo(lease.at("/metadata/uid"));
    }
}
