package dev.peapod.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.Listing;
import dev.peapod.store.MemoryStore;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.Stored;
import dev.peapod.store.Watch;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dev.peapod.daemon.NodeConditionsTest.HEALTHY;
import static dev.peapod.daemon.NodeConditionsTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heartbeat writes only the Node's status: what users set with kubectl (cordon's
 * spec.unschedulable and its taint, labels, annotations) survives it, also when the user's write
 * comes between the heartbeat's read and its write (a 409 conflict: read again, once).
 */
class NodeObjectSpecTest {
    static final Key NODE = new Key("nodes", "", "n1");

    final MemoryStore memory = new MemoryStore();

    /** A user's `kubectl cordon` + `kubectl label`, as the API server stores it. */
    static void cordon(ObjectStore store) {
        Stored s = store.get(NODE).orElseThrow();
        ObjectNode o = s.object().deepCopy();
        o.with("spec").put("unschedulable", true).putArray("taints").addObject()
                .put("key", "node.kubernetes.io/unschedulable").put("effect", "NoSchedule");
        o.with("metadata").with("labels").put("tier", "edge");
        o.with("metadata").putObject("annotations").put("note", "maintenance");
        store.update(NODE, o, s.revision());
    }

    @Test
    void aStatusWriteKeepsTheSpecLabelsAndAnnotationsUsersSet() {
        NodeObject.report(memory, "n1", "crun://1.8", T0, HEALTHY, NodeStatusReport.KUBELET_DEFAULT, null);
        cordon(memory);
        var r = NodeObject.report(memory, "n1", "crun://1.8", T0.plusSeconds(10), HEALTHY, NodeStatusReport.KUBELET_DEFAULT, null);
        assertThat(r.posted()).isTrue();
        var stored = memory.get(NODE).orElseThrow().object();
        assertThat(stored.at("/spec/unschedulable").asBoolean()).isTrue();
        assertThat(stored.at("/spec/taints/0/key").asText()).isEqualTo("node.kubernetes.io/unschedulable");
        assertThat(stored.at("/metadata/labels/tier").asText()).isEqualTo("edge");
        assertThat(stored.at("/metadata/annotations/note").asText()).isEqualTo("maintenance");
        assertThat(stored.at("/status/conditions/0/lastHeartbeatTime").asText()).isEqualTo("2026-11-23T22:00:10Z");
    }

    @Test
    void aUserWriteBetweenTheHeartbeatsReadAndWriteIsKeptAndTheStatusStillWritten() {
        NodeObject.report(memory, "n1", "crun://1.8", T0, HEALTHY, NodeStatusReport.KUBELET_DEFAULT, null);
        var racing = new RacingStore(memory);
        var r = NodeObject.report(racing, "n1", "crun://1.8", T0.plusSeconds(10), HEALTHY, NodeStatusReport.KUBELET_DEFAULT, null);
        assertThat(r.posted()).isTrue();
        assertThat(racing.updates).isEqualTo(2); // the first one conflicted, the second one landed
        var stored = memory.get(NODE).orElseThrow().object();
        assertThat(stored.at("/spec/unschedulable").asBoolean()).isTrue();
        assertThat(stored.at("/metadata/labels/tier").asText()).isEqualTo("edge");
        assertThat(stored.at("/status/conditions/0/lastHeartbeatTime").asText()).isEqualTo("2026-11-23T22:00:10Z");
    }

    /** A store where a user cordons the node just before the first update reaches it. */
    static final class RacingStore implements ObjectStore {
        final ObjectStore inner;
        int updates;

        RacingStore(ObjectStore inner) { this.inner = inner; }

        @Override public Stored update(Key key, ObjectNode object, long expectedRevision) {
            if (updates++ == 0) cordon(inner);
            return inner.update(key, object, expectedRevision);
        }
        @Override public Stored create(Key key, ObjectNode object) { return inner.create(key, object); }
        @Override public Stored delete(Key key, long expectedRevision) { return inner.delete(key, expectedRevision); }
        @Override public Optional<Stored> get(Key key) { return inner.get(key); }
        @Override public Listing list(String resource, String namespace) { return inner.list(resource, namespace); }
        @Override public Watch watch(String resource, String namespace, long afterRevision) { return inner.watch(resource, namespace, afterRevision); }
        @Override public long revision() { return inner.revision(); }
        @Override public void close() { inner.close(); }
    }
}
