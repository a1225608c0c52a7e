package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import static dev.peapod.daemon.NodeConditionsTest.GI;
import static dev.peapod.daemon.NodeConditionsTest.HEALTHY;
import static dev.peapod.daemon.NodeConditionsTest.T0;
import static dev.peapod.daemon.NodeConditionsTest.condition;
import static dev.peapod.daemon.NodeConditionsTest.disk;
import static dev.peapod.daemon.NodeConditionsTest.memory;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kubelet's node status write decision (KEP-589): written on a meaningful change or every 5 min,
 * the conditions' lastHeartbeatTime not being a change; the Lease renewed on every beat.
 */
class NodeStatusReportTest {
    static final NodeStatusReport POLICY = NodeStatusReport.KUBELET_DEFAULT;

    static ObjectNode status(Instant now, NodeConditions.Signals signals, JsonNode previous) {
        return NodeObject.status("n1", "crun://1.8", now, signals, previous.path("conditions"));
    }

    static ObjectNode first() { return status(T0, HEALTHY, StoredObjects.JSON.createObjectNode()); }

    @Test
    void aStatusThatDiffersOnlyInItsHeartbeatTimesIsNotWrittenBeforeFiveMinutes() {
        var stored = first();
        var later = status(T0.plusSeconds(10), HEALTHY, stored);
        assertThat(condition(later.get("conditions"), "Ready").get("lastHeartbeatTime").asText()).isEqualTo("2026-11-23T22:00:10Z");
        assertThat(NodeStatusReport.changed(stored, later)).isFalse();
        assertThat(POLICY.post(stored, later, T0, T0.plusSeconds(10))).isFalse();
        assertThat(POLICY.post(stored, later, T0, T0.plus(Duration.ofMinutes(5)).minusMillis(1))).isFalse();
    }

    @Test
    void fiveMinutesAfterTheLastWriteTheStatusIsWrittenAnyway() {
        var stored = first();
        var later = status(T0.plus(Duration.ofMinutes(5)), HEALTHY, stored);
        assertThat(POLICY.post(stored, later, T0, T0.plus(Duration.ofMinutes(5)))).isTrue();
        assertThat(POLICY.post(stored, later, T0, T0.plus(Duration.ofMinutes(7)))).isTrue();
        assertThat(new NodeStatusReport(Duration.ofMinutes(1)).post(stored, later, T0, T0.plusSeconds(60))).isTrue();
    }

    @Test
    void theFirstReportOfAProcessIsWrittenEvenUnchanged() {
        // kubelet's lastStatusReportTime starts at zero: a restarted kubelet writes its status at once.
        var stored = first();
        assertThat(POLICY.post(stored, status(T0.plusSeconds(10), HEALTHY, stored), null, T0.plusSeconds(10))).isTrue();
    }

    @Test
    void aConditionThatChangesStatusIsWrittenAtOnce() {
        var stored = first();
        var pressure = status(T0.plusSeconds(10), memory(50 * NodeConditions.MI), stored);
        assertThat(NodeStatusReport.changed(stored, pressure)).isTrue();
        assertThat(POLICY.post(stored, pressure, T0, T0.plusSeconds(10))).isTrue();
        // and back again
        var relieved = status(T0.plusSeconds(20), HEALTHY, pressure);
        assertThat(POLICY.post(pressure, relieved, T0.plusSeconds(10), T0.plusSeconds(20))).isTrue();
    }

    @Test
    void aReasonMessageOrTransitionTimeIsAChangeTheHeartbeatTimeIsNot() {
        var stored = first();
        for (String field : new String[] {"reason", "message", "lastTransitionTime"}) {
            var changed = stored.deepCopy();
            ((ObjectNode) condition(changed.get("conditions"), "Ready")).put(field, "other");
            assertThat(NodeStatusReport.changed(stored, changed)).as(field).isTrue();
        }
        var beat = stored.deepCopy();
        ((ObjectNode) condition(beat.get("conditions"), "Ready")).put("lastHeartbeatTime", "2026-11-23T23:00:00Z");
        assertThat(NodeStatusReport.changed(stored, beat)).isFalse();
    }

    @Test
    void capacityAllocatableAddressesAndNodeInfoAreChanges() {
        var stored = first();
        assertThat(NodeStatusReport.changed(stored, status(T0, new NodeConditions.Signals(16 * GI, 8 * GI, 200 * GI, 50 * GI, 4_194_304, 500), stored))).isTrue();
        var allocatable = stored.deepCopy();
        ((ObjectNode) allocatable.get("allocatable")).put("pods", "100");
        assertThat(NodeStatusReport.changed(stored, allocatable)).isTrue();
        var addresses = stored.deepCopy();
        ((ObjectNode) addresses.get("addresses").get(0)).put("address", "192.0.2.7");
        assertThat(NodeStatusReport.changed(stored, addresses)).isTrue();
        var info = stored.deepCopy();
        ((ObjectNode) info.get("nodeInfo")).put("containerRuntimeVersion", "crun://1.9");
        assertThat(NodeStatusReport.changed(stored, info)).isTrue();
    }

    @Test
    void theOrderOfTheConditionsIsNoChangeTheirNumberIs() {
        var stored = first();
        var reordered = stored.deepCopy();
        ArrayNode conditions = (ArrayNode) reordered.get("conditions");
        conditions.insert(0, conditions.remove(3));
        assertThat(conditions.get(0).get("type").asText()).isEqualTo("Ready");
        assertThat(NodeStatusReport.changed(stored, reordered)).isFalse();
        var fewer = stored.deepCopy();
        ((ArrayNode) fewer.get("conditions")).remove(0);
        assertThat(NodeStatusReport.changed(stored, fewer)).isTrue();
    }

    @Test
    void aNodeWithoutStatusGetsOne() {
        assertThat(NodeStatusReport.changed(StoredObjects.JSON.missingNode(), first())).isTrue();
        assertThat(POLICY.post(StoredObjects.JSON.missingNode(), first(), T0, T0.plusSeconds(10))).isTrue();
    }

    @Test
    void theHeartbeatRenewsTheLeaseEveryBeatAndWritesTheNodeOnlyOnChangeOrEveryFiveMinutes() {
        var store = new MemoryStore();
        var clock = new AtomicReference<>(T0);
        var signals = new AtomicReference<>(HEALTHY);
        var beat = new NodeHeartbeat(store, "n1", "crun://1.8", signals::get, clock::get);
        var nodeKey = new Key("nodes", "", "n1");
        var leaseKey = new Key("leases", "kube-node-lease", "n1");

        beat.beat(); // registers
        long registered = store.get(nodeKey).orElseThrow().revision();

        clock.set(T0.plusSeconds(10));
        beat.beat();
        assertThat(store.get(nodeKey).orElseThrow().revision()).as("quiet node: status not written").isEqualTo(registered);
        assertThat(store.get(leaseKey).orElseThrow().object().at("/spec/renewTime").asText()).isEqualTo("2026-11-23T22:00:10.000000Z");

        clock.set(T0.plusSeconds(20));
        signals.set(disk(GI));
        beat.beat();
        var pressured = store.get(nodeKey).orElseThrow();
        assertThat(pressured.revision()).as("a condition changed: written").isGreaterThan(registered);
        var diskPressure = condition(pressured.object().at("/status/conditions"), "DiskPressure");
        assertThat(diskPressure.get("status").asText()).isEqualTo("True");
        assertThat(diskPressure.get("lastTransitionTime").asText()).isEqualTo("2026-11-23T22:00:20Z");

        // Quiet again for just under five minutes since that write: only the Lease moves.
        for (int s = 30; s < 320; s += 10) {
            clock.set(T0.plusSeconds(s));
            beat.beat();
        }
        assertThat(store.get(nodeKey).orElseThrow().revision()).isEqualTo(pressured.revision());
        assertThat(store.get(leaseKey).orElseThrow().object().at("/spec/renewTime").asText()).isEqualTo("2026-11-23T22:05:10.000000Z");

        clock.set(T0.plusSeconds(320)); // five minutes after the write at 22:00:20
        beat.beat();
        var reported = store.get(nodeKey).orElseThrow();
        assertThat(reported.revision()).isGreaterThan(pressured.revision());
        var ready = condition(reported.object().at("/status/conditions"), "Ready");
        assertThat(ready.get("lastHeartbeatTime").asText()).isEqualTo("2026-11-23T22:05:20Z");
        assertThat(ready.get("lastTransitionTime").asText()).isEqualTo("2026-11-23T22:00:00Z");
        assertThat(condition(reported.object().at("/status/conditions"), "DiskPressure").get("lastTransitionTime").asText())
                .isEqualTo("2026-11-23T22:00:20Z");
    }

    @Test
    void aRestartedHeartbeatWritesTheStatusAtOnce() {
        var store = new MemoryStore();
        new NodeHeartbeat(store, "n1", "crun://1.8", () -> HEALTHY, () -> T0).beat();
        long before = store.get(new Key("nodes", "", "n1")).orElseThrow().revision();
        new NodeHeartbeat(store, "n1", "crun://1.8", () -> HEALTHY, () -> T0.plusSeconds(30)).beat();
        var node = store.get(new Key("nodes", "", "n1")).orElseThrow();
        assertThat(node.revision()).isGreaterThan(before);
        assertThat(condition(node.object().at("/status/conditions"), "Ready").get("lastHeartbeatTime").asText()).isEqualTo("2026-11-23T22:00:30Z");
    }
}
