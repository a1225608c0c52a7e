package dev.peapod.apiserver;

import dev.peapod.store.Key;
import dev.peapod.store.Stored;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kubectl cordon, uncordon and drain (v1.32) against the API server over a memory store, with a
 * fake Node "testnode" (Ready) and a fake kubelet that removes pods once they are given a
 * deletionTimestamp, as the daemon's pod sync does after stopping them.
 */
class KubectlDrainTest {
    @TempDir static Path dir;
    static TestServer server;
    static volatile boolean stopping;
    static Thread kubelet;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir);
        var node = Json.object().put("apiVersion", "v1").put("kind", "Node");
        node.putObject("metadata").put("name", "testnode").put("uid", "6a0f4c1e-0000-4000-8000-000000000001")
                .put("creationTimestamp", Json.time(Instant.now())).putObject("labels").put("kubernetes.io/hostname", "testnode");
        node.putObject("spec");
        node.putObject("status").putArray("conditions").addObject().put("type", "Ready").put("status", "True")
                .put("reason", "KubeletReady").put("message", "kubelet is posting ready status");
        server.store.create(new Key("nodes", "", "testnode"), node);
        kubelet = Thread.ofVirtual().start(() -> {
            while (!stopping) {
                for (Stored p : server.store.list("pods", null).items()) {
                    if (p.object().at("/metadata/deletionTimestamp").isTextual()) {
                        try {
                            server.store.delete(p.key(), p.revision());
                        } catch (RuntimeException e) {
                            // written meanwhile: next round
                        }
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        stopping = true;
        kubelet.join();
        server.close();
    }

    @AfterEach
    void uncordon() throws Exception {
        kubectl("uncordon", "testnode");
        kubectl("delete", "pods", "--all", "--grace-period=0", "--force");
    }

    static KubectlTest.Run kubectl(String... args) throws Exception {
        return KubectlTest.kubectlAt(server, dir, args);
    }

    static void pod(String name, String... extraSpec) throws Exception {
        Path f = Files.writeString(dir.resolve(name + ".yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest}
                %s""".formatted(name, String.join("\n", extraSpec)));
        var created = kubectl("create", "-f", f.toString());
        assertThat(created.exit()).as(created.err()).isZero();
    }

    @Test
    void cordonKeepsNewPodsPendingUnschedulableAndUncordonSchedulesThem() throws Exception {
        pod("before");
        var cordon = kubectl("cordon", "testnode");
        assertThat(cordon.exit()).as(cordon.err()).isZero();
        assertThat(cordon.out()).isEqualTo("node/testnode cordoned\n");
        assertThat(kubectl("get", "nodes", "--no-headers").out()).matches("testnode\\s+Ready,SchedulingDisabled\\s+<none>\\s+\\S+\\s+.*\n");
        assertThat(kubectl("get", "node", "testnode", "-o", "jsonpath={.spec.unschedulable} {.spec.taints[*].key}:{.spec.taints[*].effect}").out())
                .isEqualTo("true node.kubernetes.io/unschedulable:NoSchedule");
        assertThat(kubectl("describe", "node", "testnode").out()).containsPattern("Taints:\\s+node.kubernetes.io/unschedulable:NoSchedule")
                .containsPattern("Unschedulable:\\s+true");

        pod("waiting");
        pod("tolerant", "  tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]");
        var waiting = kubectl("get", "pod", "waiting", "-o",
                "jsonpath={.spec.nodeName}|{.status.phase}|{.status.conditions[0].type}={.status.conditions[0].status}|{.status.conditions[0].reason}|{.status.conditions[0].message}");
        assertThat(waiting.out()).isEqualTo("|Pending|PodScheduled=False|Unschedulable|" + Scheduler.UNSCHEDULABLE_MESSAGE);
        assertThat(kubectl("describe", "pod", "waiting").out()).containsPattern(
                "Warning\\s+FailedScheduling\\s+\\d+s\\s+default-scheduler\\s+0/1 nodes are available: 1 node\\(s\\) were unschedulable\\.");
        // Pods already on the node stay; pods tolerating the taint (DaemonSet-like) are scheduled.
        assertThat(kubectl("get", "pod", "before", "tolerant", "-o", "jsonpath={.items[*].spec.nodeName}").out()).isEqualTo("testnode testnode");

        var uncordon = kubectl("uncordon", "testnode");
        assertThat(uncordon.out()).as(uncordon.err()).isEqualTo("node/testnode uncordoned\n");
        assertThat(kubectl("get", "node", "testnode", "-o", "jsonpath={.spec}").out()).doesNotContain("unschedulable").doesNotContain("taints");
        assertThat(kubectl("get", "pod", "waiting", "-o", "jsonpath={.spec.nodeName}|{.status.conditions[0].type}={.status.conditions[0].status}").out())
                .isEqualTo("testnode|PodScheduled=True");
        assertThat(kubectl("describe", "pod", "waiting").out())
                .containsPattern("Normal\\s+Scheduled\\s+\\d+s\\s+default-scheduler\\s+Successfully assigned default/waiting to testnode");
    }

    @Test
    void anInvalidTaintIsRefusedAndAValidOneKeepsPodsThatDoNotTolerateItOut() throws Exception {
        var bad = kubectl("taint", "node", "testnode", "dedicated=x:Sometimes");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("Sometimes");
        var good = kubectl("taint", "node", "testnode", "dedicated=x:NoSchedule");
        assertThat(good.exit()).as(good.err()).isZero();
        assertThat(kubectl("get", "node", "testnode", "-o", "jsonpath={.spec.taints[*].key}").out()).isEqualTo("dedicated");
        // A taint the pod does not tolerate keeps it out as TaintToleration does; removing the taint schedules it.
        pod("outsider");
        assertThat(kubectl("get", "pod", "outsider", "-o", "jsonpath={.spec.nodeName}|{.status.conditions[0].reason}|{.status.conditions[0].message}").out())
                .isEqualTo("|Unschedulable|0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: x}. "
                        + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
        assertThat(kubectl("taint", "node", "testnode", "dedicated-").exit()).isZero();
        assertThat(kubectl("get", "pod", "outsider", "-o", "jsonpath={.spec.nodeName}").out()).isEqualTo("testnode");
    }

    @Test
    void drainRefusesBarePodsWithoutForceThenEvictsThemAndWaitsUntilTheyAreGone() throws Exception {
        pod("a");
        pod("b");
        var refused = kubectl("drain", "testnode", "--ignore-daemonsets", "--timeout=20s");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("cannot delete Pods that declare no controller (use --force to override): default/a, default/b");
        // drain cordons first, whatever it then finds
        assertThat(kubectl("get", "node", "testnode", "-o", "jsonpath={.spec.unschedulable}").out()).isEqualTo("true");

        var drained = kubectl("drain", "testnode", "--force", "--ignore-daemonsets", "--timeout=30s");
        assertThat(drained.exit()).as(drained.err()).isZero();
        assertThat(drained.out()).contains("pod/a evicted", "pod/b evicted").endsWith("node/testnode drained\n");
        assertThat(kubectl("get", "pods", "-o", "name").out()).isEmpty();
    }

    @Test
    void drainWithDisableEvictionDeletesWithTheGracePeriodGiven() throws Exception {
        pod("c");
        var drained = kubectl("drain", "testnode", "--force", "--disable-eviction", "--grace-period=1", "--timeout=30s");
        assertThat(drained.exit()).as(drained.err()).isZero();
        assertThat(drained.out()).contains("pod/c deleted").endsWith("node/testnode drained\n");
        assertThat(kubectl("get", "pods", "-o", "name").out()).isEmpty();
    }

    @Test
    void aGatedPodWaitsSchedulingGatedUntilItsLastGateIsRemovedAndGetsNoNewGate() throws Exception {
        pod("gated", "  schedulingGates: [{name: example.com/one}, {name: example.com/two}]");
        var row = kubectl("get", "pod", "gated", "--no-headers");
        assertThat(row.out()).as(row.err()).matches("gated\\s+0/1\\s+SchedulingGated\\s+0\\s+\\S+\n");
        String condition = "jsonpath={.spec.nodeName}|{.status.conditions[0].type}={.status.conditions[0].status}|{.status.conditions[0].reason}|{.status.conditions[0].message}";
        assertThat(kubectl("get", "pod", "gated", "-o", condition).out())
                .isEqualTo("|PodScheduled=False|SchedulingGated|Scheduling is blocked due to non-empty scheduling gates");

        // Gates may only be removed (ValidatePodUpdate).
        var added = kubectl("patch", "pod", "gated", "--type=json", "-p", "[{\"op\":\"add\",\"path\":\"/spec/schedulingGates/-\",\"value\":{\"name\":\"example.com/three\"}}]");
        assertThat(added.exit()).isNotZero();
        assertThat(added.err()).contains("spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/three'");
        var one = kubectl("patch", "pod", "gated", "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/spec/schedulingGates/0\"}]");
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(kubectl("get", "pod", "gated", "-o", condition).out()).startsWith("|PodScheduled=False|SchedulingGated|");

        // The last gate removed while the node is cordoned: the scheduler's verdict, then bound on uncordon.
        assertThat(kubectl("cordon", "testnode").exit()).isZero();
        var last = kubectl("patch", "pod", "gated", "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/spec/schedulingGates\"}]");
        assertThat(last.exit()).as(last.err()).isZero();
        assertThat(kubectl("get", "pod", "gated", "-o", condition).out()).isEqualTo("|PodScheduled=False|Unschedulable|" + Scheduler.UNSCHEDULABLE_MESSAGE);
        assertThat(kubectl("uncordon", "testnode").exit()).isZero();
        assertThat(kubectl("get", "pod", "gated", "-o", condition).out()).isEqualTo("testnode|PodScheduled=True||");
        assertThat(kubectl("describe", "pod", "gated").out())
                .containsPattern("Normal\\s+Scheduled\\s+\\d+s\\s+default-scheduler\\s+Successfully assigned default/gated to testnode");
    }

    @Test
    void aPodWhoseLastGateIsRemovedIsBoundAtOnceOnASchedulableNode() throws Exception {
        pod("opened", "  schedulingGates: [{name: example.com/one}]");
        var removed = kubectl("patch", "pod", "opened", "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/spec/schedulingGates\"}]");
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(kubectl("get", "pod", "opened", "-o", "jsonpath={.spec.nodeName}|{.status.conditions[0].type}={.status.conditions[0].status}").out())
                .isEqualTo("testnode|PodScheduled=True");
    }

    @Test
    void aPodWhoseNodeSelectorTheNodeLacksWaitsUntilKubectlLabelsTheNode() throws Exception {
        pod("picky", "  nodeSelector: {disktype: ssd}");
        assertThat(kubectl("get", "pod", "picky", "-o", "jsonpath={.spec.nodeName}|{.status.conditions[0].reason}|{.status.conditions[0].message}").out())
                .isEqualTo("|Unschedulable|0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
                        + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
        var labelled = kubectl("label", "node", "testnode", "disktype=ssd");
        assertThat(labelled.exit()).as(labelled.err()).isZero();
        try {
            assertThat(kubectl("get", "pod", "picky", "-o", "jsonpath={.spec.nodeName}|{.status.conditions[0].type}={.status.conditions[0].status}").out())
                    .isEqualTo("testnode|PodScheduled=True");
        } finally {
            kubectl("label", "node", "testnode", "disktype-");
        }
    }
}
