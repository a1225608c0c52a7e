package dev.peapod.daemon;

import io.fabric8.kubernetes.api.model.NodeStatus;
import org.junit.jupiter.api.Test;

import static dev.peapod.daemon.NodeConditionsTest.HEALTHY;
import static dev.peapod.daemon.NodeConditionsTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** The Node advertises what its runtime supports, as kubelet's NodeFeatures setter does. */
class NodeFeaturesTest {

    @Test
    void theNodeSupportsSupplementalGroupsPolicyAndReadsAsTheApiModel() throws Exception {
        var s = NodeObject.status("n1", "crun://1.8", T0, HEALTHY, StoredObjects.JSON.createArrayNode());
        var status = StoredObjects.JSON.treeToValue(s, NodeStatus.class);
        assertThat(status.getFeatures().getSupplementalGroupsPolicy()).isTrue();
        assertThat(status.getFeatures().getAdditionalProperties()).isEmpty();
    }
}
