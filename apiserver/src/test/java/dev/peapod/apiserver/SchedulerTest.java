package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduling decision for the one node (NodeUnschedulable filter) and the taint that follows a cordon. */
class SchedulerTest {
    static JsonNode node(boolean unschedulable) {
        return Json.parse("{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"unschedulable\":" + unschedulable + "}}");
    }

    static JsonNode spec(String tolerations) {
        return Json.parse("{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}],\"tolerations\":" + tolerations + "}");
    }

    @Test
    void aCordonedNodeTakesNoPodThatDoesNotTolerateTheUnschedulableTaint() {
        assertThat(Scheduler.unschedulable(node(true), spec("[]"))).contains(
                "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
        assertThat(Scheduler.unschedulable(node(true), spec("[{\"key\":\"other\",\"operator\":\"Exists\"}]"))).isPresent();
        assertThat(Scheduler.unschedulable(node(true), spec("[{\"key\":\"node.kubernetes.io/unschedulable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]"))).isPresent();
        assertThat(Scheduler.unschedulable(node(true), spec("[{\"key\":\"node.kubernetes.io/unschedulable\",\"value\":\"x\"}]"))).isPresent();
    }

    @Test
    void aSchedulableNodeOrATolerationLetsThePodIn() {
        assertThat(Scheduler.unschedulable(node(false), spec("[]"))).isEmpty();
        assertThat(Scheduler.unschedulable(null, spec("[]"))).isEmpty(); // no Node registered yet
        assertThat(Scheduler.unschedulable(node(true), spec("[{\"key\":\"node.kubernetes.io/unschedulable\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]"))).isEmpty();
        assertThat(Scheduler.unschedulable(node(true), spec("[{\"key\":\"node.kubernetes.io/unschedulable\"}]"))).isEmpty(); // Equal, empty value, any effect
        assertThat(Scheduler.unschedulable(node(true), spec("[{\"operator\":\"Exists\"}]"))).isEmpty(); // tolerates everything (as DaemonSet pods may)
    }

    @Test
    void aNoScheduleOrNoExecuteTaintThePodDoesNotTolerateKeepsItOutAsTaintTolerationDoes() {
        var tainted = Json.parse("{\"spec\":{\"taints\":[{\"key\":\"soft\",\"effect\":\"PreferNoSchedule\"},"
                + "{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]}}");
        assertThat(Scheduler.unschedulable(tainted, spec("[]"))).contains("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. "
                + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
        assertThat(Scheduler.unschedulable(tainted, spec("[{\"key\":\"dedicated\",\"value\":\"cpu\"}]"))).isPresent();
        assertThat(Scheduler.unschedulable(tainted, spec("[{\"key\":\"dedicated\",\"value\":\"gpu\"}]"))).isEmpty();
        var noExecute = Json.parse("{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoExecute\"}]}}");
        assertThat(Scheduler.unschedulable(noExecute, spec("[]"))).contains("0/1 nodes are available: 1 node(s) had untolerated taint {k: }. "
                + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
        assertThat(Scheduler.unschedulable(noExecute, spec("[{\"key\":\"k\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]"))).isEmpty();
    }

    @Test
    void theUnschedulableTaintFollowsSpecUnschedulableAndOtherTaintsStay() {
        var spec = (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(
                "{\"unschedulable\":true,\"taints\":[{\"key\":\"gpu\",\"value\":\"yes\",\"effect\":\"NoSchedule\"}]}");
        NodeUpdate.syncUnschedulableTaint(spec);
        assertThat(spec.path("taints")).hasSize(2);
        assertThat(spec.at("/taints/1/key").asText()).isEqualTo("node.kubernetes.io/unschedulable");
        NodeUpdate.syncUnschedulableTaint(spec); // not twice
        assertThat(spec.path("taints")).hasSize(2);
        spec.remove("unschedulable"); // kubectl uncordon
        NodeUpdate.syncUnschedulableTaint(spec);
        assertThat(spec.path("taints")).hasSize(1);
        assertThat(spec.at("/taints/0/key").asText()).isEqualTo("gpu");
    }

    @Test
    void taintsAreValidatedAsKubeApiserverDoes() {
        assertThat(NodeUpdate.validateTaints(Json.parse("[{\"key\":\"a\",\"effect\":\"NoSchedule\"},{\"key\":\"a\",\"effect\":\"NoExecute\"}]"))).isEmpty();
        assertThat(NodeUpdate.validateTaints(Json.parse("[{\"key\":\"a\",\"effect\":\"Sometimes\"}]")))
                .extracting(e -> e.path()).containsExactly("spec.taints[0].effect");
        assertThat(NodeUpdate.validateTaints(Json.parse("[{\"key\":\"a\",\"effect\":\"NoSchedule\"},{\"key\":\"a\",\"effect\":\"NoSchedule\"}]")))
                .extracting(e -> e.path()).containsExactly("spec.taints[1]");
        assertThat(NodeUpdate.validateTaints(Json.parse("[{\"effect\":\"NoSchedule\"}]")))
                .extracting(e -> e.path()).containsExactly("spec.taints[0].key");
    }

    @Test
    void theNodeSelectorAndRequiredNodeAffinityMustMatchTheNodeAsNodeAffinityChecks() {
        var node = Json.parse("{\"metadata\":{\"name\":\"n1\",\"labels\":{\"kubernetes.io/os\":\"linux\",\"disk\":\"ssd\",\"cores\":\"8\"}},\"spec\":{}}");
        String refused = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
                + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
        assertThat(Scheduler.unschedulable(node, Json.parse("{\"nodeSelector\":{\"disk\":\"ssd\",\"kubernetes.io/os\":\"linux\"}}"))).isEmpty();
        assertThat(Scheduler.unschedulable(node, Json.parse("{\"nodeSelector\":{\"disk\":\"hdd\"}}"))).contains(refused);
        assertThat(Scheduler.unschedulable(node, Json.parse("{\"nodeSelector\":{\"gpu\":\"\"}}"))).contains(refused); // absent, even empty
        // Terms are ORed, expressions in a term ANDed; matchFields name the node.
        assertThat(Scheduler.unschedulable(node, affinity("[{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"nvme\"]}]},"
                + "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"ssd\",\"nvme\"]},{\"key\":\"gpu\",\"operator\":\"DoesNotExist\"}]}]"))).isEmpty();
        assertThat(Scheduler.unschedulable(node, affinity("[{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"NotIn\",\"values\":[\"ssd\"]}]}]"))).contains(refused);
        assertThat(Scheduler.unschedulable(node, affinity("[{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Gt\",\"values\":[\"4\"]}]}]"))).isEmpty();
        assertThat(Scheduler.unschedulable(node, affinity("[{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Lt\",\"values\":[\"4\"]}]}]"))).contains(refused);
        assertThat(Scheduler.unschedulable(node, affinity("[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":[\"n1\"]}]}]"))).isEmpty();
        assertThat(Scheduler.unschedulable(node, affinity("[{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":[\"n2\"]}]}]"))).contains(refused);
        assertThat(Scheduler.unschedulable(node, affinity("[{}]"))).contains(refused); // an empty term matches nothing
    }

    private static JsonNode affinity(String terms) {
        return Json.parse("{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":" + terms + "}}}}");
    }
}
