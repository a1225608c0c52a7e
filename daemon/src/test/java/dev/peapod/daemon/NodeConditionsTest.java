package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.peapod.daemon.NodeConditions.KUBELET_DEFAULTS;
import static dev.peapod.daemon.NodeConditions.MI;
import static org.assertj.core.api.Assertions.assertThat;

/** The Node's pressure conditions against kubelet's hard eviction defaults, and its status as reported. */
class NodeConditionsTest {
    static final long GI = 1024 * MI;
    static final NodeConditions.Signals HEALTHY = new NodeConditions.Signals(16 * GI, 8 * GI, 100 * GI, 50 * GI, 4_194_304, 500);
    static final Instant T0 = Instant.parse("2026-11-23T22:00:00Z");

    static NodeConditions.Signals memory(long available) {
        return new NodeConditions.Signals(16 * GI, available, 100 * GI, 50 * GI, 4_194_304, 500);
    }

    static NodeConditions.Signals disk(long available) {
        return new NodeConditions.Signals(16 * GI, 8 * GI, 100 * GI, available, 4_194_304, 500);
    }

    static NodeConditions.Signals pids(long inUse) {
        return new NodeConditions.Signals(16 * GI, 8 * GI, 100 * GI, 50 * GI, 1000, inUse);
    }

    static JsonNode condition(JsonNode conditions, String type) {
        for (JsonNode c : conditions) if (c.get("type").asText().equals(type)) return c;
        throw new AssertionError("no " + type + " in " + conditions);
    }

    @Test
    void aHealthyHostHasKubeletsFourConditionsWithItsReasonsAndMessages() {
        var c = NodeConditions.conditions(HEALTHY, KUBELET_DEFAULTS, StoredObjects.JSON.createArrayNode(), T0);
        assertThat(c.findValuesAsText("type")).containsExactly("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");
        assertThat(c.findValuesAsText("status")).containsExactly("False", "False", "False", "True");
        assertThat(c.findValuesAsText("reason")).containsExactly("KubeletHasSufficientMemory", "KubeletHasNoDiskPressure",
                "KubeletHasSufficientPID", "KubeletReady");
        assertThat(condition(c, "Ready").get("message").asText()).isEqualTo("kubelet is posting ready status");
        assertThat(c.findValuesAsText("lastHeartbeatTime")).containsOnly("2026-11-23T22:00:00Z");
    }

    @Test
    void memoryPressureBelow100Mi() {
        assertThat(NodeConditions.memoryPressure(memory(100 * MI), KUBELET_DEFAULTS)).isFalse();
        assertThat(NodeConditions.memoryPressure(memory(100 * MI - 1), KUBELET_DEFAULTS)).isTrue();
        var c = condition(NodeConditions.conditions(memory(50 * MI), KUBELET_DEFAULTS, StoredObjects.JSON.createArrayNode(), T0), "MemoryPressure");
        assertThat(c.get("status").asText()).isEqualTo("True");
        assertThat(c.get("reason").asText()).isEqualTo("KubeletHasInsufficientMemory");
        assertThat(c.get("message").asText()).isEqualTo("kubelet has insufficient memory available");
    }

    @Test
    void diskPressureBelowTenPercentOfTheFilesystem() {
        assertThat(NodeConditions.diskPressure(disk(10 * GI), KUBELET_DEFAULTS)).isFalse();
        assertThat(NodeConditions.diskPressure(disk(10 * GI - 1), KUBELET_DEFAULTS)).isTrue();
        var c = condition(NodeConditions.conditions(disk(GI), KUBELET_DEFAULTS, StoredObjects.JSON.createArrayNode(), T0), "DiskPressure");
        assertThat(c.get("reason").asText()).isEqualTo("KubeletHasDiskPressure");
        // An unknown filesystem (capacity 0) is no pressure.
        assertThat(NodeConditions.diskPressure(new NodeConditions.Signals(GI, GI, 0, 0, 1000, 1), KUBELET_DEFAULTS)).isFalse();
    }

    @Test
    void pidPressureBelowTenPercentOfThePidLimit() {
        assertThat(NodeConditions.pidPressure(pids(900), KUBELET_DEFAULTS)).isFalse();
        assertThat(NodeConditions.pidPressure(pids(901), KUBELET_DEFAULTS)).isTrue();
        var c = condition(NodeConditions.conditions(pids(999), KUBELET_DEFAULTS, StoredObjects.JSON.createArrayNode(), T0), "PIDPressure");
        assertThat(c.get("reason").asText()).isEqualTo("KubeletHasInsufficientPID");
    }

    @Test
    void theTransitionTimeStaysWhileTheStatusDoesAndTheHeartbeatMoves() {
        var first = NodeConditions.conditions(HEALTHY, KUBELET_DEFAULTS, StoredObjects.JSON.createArrayNode(), T0);
        var second = NodeConditions.conditions(memory(MI), KUBELET_DEFAULTS, first, T0.plusSeconds(10));
        assertThat(condition(second, "DiskPressure").get("lastTransitionTime").asText()).isEqualTo("2026-11-23T22:00:00Z");
        assertThat(condition(second, "DiskPressure").get("lastHeartbeatTime").asText()).isEqualTo("2026-11-23T22:00:10Z");
        assertThat(condition(second, "MemoryPressure").get("lastTransitionTime").asText()).isEqualTo("2026-11-23T22:00:10Z");
    }

    @Test
    void allocatableIsCapacityLessTheHardEvictionThresholds() {
        var s = NodeObject.status("n1", "crun://1.8", T0, HEALTHY, StoredObjects.JSON.createArrayNode());
        assertThat(s.at("/capacity/memory").asText()).isEqualTo(16 * GI / 1024 + "Ki");
        assertThat(s.at("/allocatable/memory").asText()).isEqualTo((16 * GI - 100 * MI) / 1024 + "Ki");
        assertThat(s.at("/capacity/ephemeral-storage").asText()).isEqualTo(100 * GI / 1024 + "Ki");
        assertThat(s.at("/allocatable/ephemeral-storage").asLong()).isEqualTo(90 * GI);
        assertThat(s.at("/allocatable/pods").asText()).isEqualTo("110");
        assertThat(s.at("/nodeInfo/containerRuntimeVersion").asText()).isEqualTo("crun://1.8");
        assertThat(s.at("/addresses").findValuesAsText("type")).containsExactly("InternalIP", "Hostname");
    }

    @Test
    void eachReportReplacesTheStatusOfTheOneNode() {
        var store = new MemoryStore();
        NodeObject.report(store, "n1", "crun://1.8", T0, HEALTHY, NodeStatusReport.KUBELET_DEFAULT, null);
        NodeObject.report(store, "n1", "crun://1.8", T0.plusSeconds(10), disk(GI), NodeStatusReport.KUBELET_DEFAULT, T0);
        JsonNode node = store.get(new Key("nodes", "", "n1")).orElseThrow().object();
        assertThat(node.at("/metadata/labels/kubernetes.io~1hostname").asText()).isEqualTo("n1");
        var ready = condition(node.at("/status/conditions"), "Ready");
        assertThat(ready.get("lastHeartbeatTime").asText()).isEqualTo("2026-11-23T22:00:10Z");
        assertThat(ready.get("lastTransitionTime").asText()).isEqualTo("2026-11-23T22:00:00Z");
        assertThat(condition(node.at("/status/conditions"), "DiskPressure").get("status").asText()).isEqualTo("True");
    }

    @Test
    void theHostsSignalsAreRead() {
        var s = HostSignals.read(java.nio.file.Path.of("/"));
        assertThat(s.memoryCapacity()).isGreaterThan(s.memoryAvailable()).isPositive();
        assertThat(s.nodefsCapacity()).isPositive();
        assertThat(s.pidMax()).isGreaterThan(s.pidsInUse());
        assertThat(s.pidsInUse()).isPositive();
    }
}
