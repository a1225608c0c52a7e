package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.peapod.e2e.KubectlVerbsE2eTest.file;
import static dev.peapod.e2e.KubectlVerbsE2eTest.ok;
import static dev.peapod.e2e.KubectlVerbsE2eTest.pod;
import static dev.peapod.e2e.KubectlVerbsE2eTest.ready;
import static dev.peapod.e2e.ServeE2eTest.kubectl;
import static dev.peapod.e2e.ServeE2eTest.log;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kubectl cordon, uncordon and drain against {@code peapod serve} (node "e2e-node") with real pods: a
 * cordoned node keeps new pods Pending/Unschedulable and lets running ones be, uncordon schedules and
 * runs them, drain --force evicts the running pods and waits until they are gone; the leak check
 * runs when serve stops.
 */
class DrainE2eTest extends SharedServe {
    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s}
            spec:
              terminationGracePeriodSeconds: 2
              %s
              containers:
              - name: app
                image: peapod/busybox:latest
                imagePullPolicy: Never
                command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
            """;

    static void create(String name, String extra) throws Exception {
        ok(kubectl("create", "-f", file(name + ".yaml", POD.formatted(name, extra)).toString()));
    }

    @AfterEach
    void uncordon() throws Exception {
        ok(kubectl("uncordon", "e2e-node"));
        ok(kubectl("delete", "pods", "--all", "--timeout=60s"));
    }

    @Test
    void aCordonedNodeKeepsANewPodPendingUnschedulableUntilUncordonedAndRunningPodsStay() throws Exception {
        create("early", "");
        ready("early");
        var cordoned = kubectl("cordon", "e2e-node");
        ok(cordoned);
        assertThat(cordoned.out()).isEqualTo("node/e2e-node cordoned\n");
        assertThat(kubectl("get", "nodes", "--no-headers").out()).matches("e2e-node\\s+Ready,SchedulingDisabled\\s+.*\n");
        assertThat(kubectl("describe", "node", "e2e-node").out()).containsPattern("Taints:\\s+node.kubernetes.io/unschedulable:NoSchedule");

        create("late", "");
        create("pinned", "nodeName: e2e-node"); // spec.nodeName set: no scheduler involved, as in Kubernetes
        JsonNode late = pod("late");
        assertThat(late.at("/spec/nodeName").asText("")).isEmpty();
        assertThat(late.at("/status/phase").asText()).isEqualTo("Pending");
        assertThat(late.at("/status/conditions/0/type").asText()).isEqualTo("PodScheduled");
        assertThat(late.at("/status/conditions/0/status").asText()).isEqualTo("False");
        assertThat(late.at("/status/conditions/0/reason").asText()).isEqualTo("Unschedulable");
        assertThat(late.at("/status/conditions/0/message").asText()).startsWith("0/1 nodes are available: 1 node(s) were unschedulable.");
        assertThat(kubectl("describe", "pod", "late").out()).containsPattern("Warning\\s+FailedScheduling\\s+.*default-scheduler\\s+0/1 nodes are available");
        ready("pinned");
        // The pod already running keeps running (cordon is about new pods).
        assertThat(pod("early").at("/status/phase").asText()).isEqualTo("Running");
        assertThat(pod("late").at("/status/containerStatuses").isMissingNode()).as("nothing ran for the unscheduled pod").isTrue();

        var uncordoned = kubectl("uncordon", "e2e-node");
        ok(uncordoned);
        assertThat(uncordoned.out()).isEqualTo("node/e2e-node uncordoned\n");
        JsonNode running = ready("late");
        assertThat(running.at("/spec/nodeName").asText()).isEqualTo("e2e-node");
        assertThat(kubectl("get", "nodes", "--no-headers").out()).matches("e2e-node\\s+Ready\\s+.*\n");
    }

    @Test
    void drainForceEvictsTheRunningPodsAndWaitsUntilTheyAreGone() throws Exception {
        create("a", "");
        create("b", "");
        ready("a");
        ready("b");
        var refused = kubectl("drain", "e2e-node", "--ignore-daemonsets", "--timeout=60s");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("cannot delete Pods that declare no controller (use --force to override): default/a, default/b");

        var drained = kubectl("drain", "e2e-node", "--force", "--ignore-daemonsets", "--timeout=90s");
        assertThat(drained.exit()).as(drained.err() + log()).isZero();
        assertThat(drained.out()).contains("pod/a evicted", "pod/b evicted").endsWith("node/e2e-node drained\n");
        assertThat(kubectl("get", "pods", "-o", "name").out()).isEmpty();
        assertThat(kubectl("get", "nodes", "--no-headers").out()).matches("e2e-node\\s+Ready,SchedulingDisabled\\s+.*\n");
    }
}
