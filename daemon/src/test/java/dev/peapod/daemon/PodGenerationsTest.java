package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import dev.peapod.store.WatchEvent;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** status.observedGeneration and conditions[].observedGeneration: the generation the node acted on (KEP-5067). */
class PodGenerationsTest {
    static final Key WEB = PodControllerTest.WEB;
    final MemoryStore store = new MemoryStore();
    final PodGenerations generations = new PodGenerations();
    final StoreStatusWriter writer = new StoreStatusWriter(store, "node1", generations);
    final PodControllerTest.FakeNode node = new PodControllerTest.FakeNode();
    final PodController controller = new PodController(store, node, generations);

    static ObjectNode pod(long generation, String image) {
        ObjectNode p = PodControllerTest.pod("u1");
        ((ObjectNode) p.get("metadata")).put("generation", generation);
        ((ObjectNode) p.at("/spec/containers/0")).put("image", image);
        return p;
    }

    /** The engine's report: a Running status with a Ready condition, as it computes it (its own observedGeneration stale at 1). */
    static Pod reported(ObjectNode stored) {
        ObjectNode p = stored.deepCopy();
        var status = p.putObject("status").put("phase", "Running").put("observedGeneration", 1);
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True").put("observedGeneration", 1);
        return StoredObjects.pod(p);
    }

    JsonNode stored() { return store.get(WEB).orElseThrow().object(); }

    @Test
    void stampingSetsTheStatusAndEveryConditionAndSaysWhetherItChangedAnything() {
        var status = StoredObjects.JSON.createObjectNode();
        status.putArray("conditions").addObject().put("type", "Ready");
        assertThat(PodGenerations.stamp(status, 3)).isTrue();
        assertThat(status.get("observedGeneration").asLong()).isEqualTo(3);
        assertThat(status.at("/conditions/0/observedGeneration").asLong()).isEqualTo(3);
        assertThat(PodGenerations.stamp(status, 3)).isFalse();
        assertThat(PodGenerations.stamp(status, 0)).isFalse();
    }

    @Test
    void theStatusCarriesTheGenerationTheNodeActedOnAndFollowsASpecChange() {
        store.create(WEB, pod(1, "busybox"));
        controller.handle(WatchEvent.Type.ADDED, stored());
        writer.statusChanged(reported(pod(1, "busybox")));
        assertThat(stored().at("/status/observedGeneration").asLong()).isEqualTo(1);
        assertThat(stored().at("/status/conditions/0/observedGeneration").asLong()).isEqualTo(1);

        // An image change (generation 2): the controller hands it to the engine, and the status says so at once.
        var current = store.get(WEB).orElseThrow();
        ObjectNode changed = current.object().deepCopy();
        ((ObjectNode) changed.get("metadata")).put("generation", 2);
        ((ObjectNode) changed.at("/spec/containers/0")).put("image", "busybox:2");
        store.update(WEB, changed, current.revision());
        controller.handle(WatchEvent.Type.MODIFIED, stored());
        assertThat(node.calls).contains("images u1 {app=busybox:2}");
        assertThat(stored().at("/status/observedGeneration").asLong()).isEqualTo(2);
        assertThat(stored().at("/status/conditions/0/observedGeneration").asLong()).isEqualTo(2);

        // Later reports from the engine (whose pod still says generation 1) keep generation 2.
        writer.statusChanged(reported(pod(1, "busybox")));
        assertThat(stored().at("/status/observedGeneration").asLong()).isEqualTo(2);
    }
}
