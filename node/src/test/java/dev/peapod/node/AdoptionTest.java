package dev.peapod.node;

import dev.peapod.node.restart.Reconcile;
import dev.peapod.node.spec.HostFacts;
import dev.peapod.testing.OciCall;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restart safety over the fakes: a second engine on the same directories and runtime (what a
 * restarted serve sees) adopts the pod the first one left running — same container ids and
 * attempts, no new runtime create — and removes a pod the store no longer holds.
 */
class AdoptionTest {
    @TempDir Path tmp;

    private static Map<String, String> ids(FakeNode.Recorder r, Pod pod) {
        var out = new TreeMap<String, String>();
        for (String n : List.of("one", "two")) r.latest(n).map(ContainerStatus::getContainerID).ifPresent(id -> out.put(n, id));
        return out;
    }

    private Engine restarted(FakeNode first, FakeNode.Recorder listener) {
        var host = new HostFacts(1 << 20, 4096, 8L << 30, true, true, HostFacts.OOM_SCORE_ADJ_MIN);
        return new Engine(first.config, new Engine.Parts(first.oci, first.mounter, first.cgroups, first.images, host), listener,
                ConfigSource.EMPTY, Clock.systemUTC());
    }

    @Test
    void aRestartedEngineAdoptsTheRunningPodAndCleansWhatTheStoreNoLongerHolds() throws Exception {
        // The first two engines are left as a killed serve leaves its engine: not closed. A long
        // resync keeps their workers quiet (a dead engine does nothing).
        var first = new FakeNode(tmp, c -> new NodeConfig(c.dataDir(), c.runDir(), c.runtime(), c.backoffBase(), c.backoffMax(),
                java.time.Duration.ofHours(1), c.cniConfigDir(), c.imageGc(), c.podPidsLimit(), c.security()));
        Pod pod = first.run(new FakeNode.PodFixture("Never").container("one").container("two").build());
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.running("one") && first.running("two")
                && ids(first.listener, pod).size() == 2 && first.paths(pod).runDir().resolve(PodRecord.FILE).toFile().exists());
        await().atMost(10, TimeUnit.SECONDS).until(() -> PodRecord.read(first.paths(pod).runDir())
                .map(r -> r.containers().size() == 2 && r.containers().stream().allMatch(a -> a.startedAt() != null)).orElse(false));
        var before = ids(first.listener, pod);
        long creates = first.oci.calls().stream().filter(c -> c.op() == OciCall.Op.CREATE).count();

        var listener = new FakeNode.Recorder();
        var second = restarted(first, listener);
        String uid = pod.getMetadata().getUid();
        assertThat(second.reconcile(List.of(new Reconcile.StoredPod(uid, true)))).containsExactly(new Reconcile.Adopt(uid));
        second.run(pod);
        await().atMost(10, TimeUnit.SECONDS).until(() -> ids(listener, pod).size() == 2
                && listener.latest("one").get().getState().getRunning() != null);
        assertThat(ids(listener, pod)).isEqualTo(before);
        assertThat(listener.latest("one").get().getRestartCount()).isZero();
        assertThat(first.oci.calls().stream().filter(c -> c.op() == OciCall.Op.CREATE).count()).as("nothing created anew")
                .isEqualTo(creates);

        // A third start whose store no longer holds the pod removes it: containers, sandbox, files.
        var third = restarted(first, new FakeNode.Recorder());
        assertThat(third.reconcile(List.of())).containsExactly(new Reconcile.Clean(uid));
        assertThat(first.oci.containers()).as("runtime containers after the clean-up").isEmpty();
        assertThat(first.mounter.mounts()).as("mounts after the clean-up").isEmpty();
        assertThat(first.paths(pod).runDir()).doesNotExist();
        assertThat(first.paths(pod).dataDir()).doesNotExist();
        third.close();
    }

    @Test
    void aDetachedEngineLeavesItsPodRunningAndTheNextOneAdoptsIt() throws Exception {
        var first = new FakeNode(tmp);
        Pod pod = first.run(new FakeNode.PodFixture("Always").container("one").container("two").build());
        String uid = pod.getMetadata().getUid();
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.running("one") && first.running("two")
                && PodRecord.read(first.paths(pod).runDir()).map(r -> r.containers().size() == 2
                        && r.containers().stream().allMatch(a -> a.startedAt() != null)).orElse(false));
        var before = ids(first.listener, pod);
        int calls = first.oci.calls().size();

        first.engine.detach(java.time.Duration.ofSeconds(5));
        assertThat(first.engine.finished(uid)).as("a detached engine no longer knows the pod").isCompletedExceptionally();
        Thread.sleep(100); // a worker still running would act on its 20 ms resync
        assertThat(first.oci.calls().subList(calls, first.oci.calls().size())).as("nothing stopped or deleted").isEmpty();
        assertThat(first.running("one") && first.running("two")).isTrue();
        assertThat(first.mounter.mounts()).isNotEmpty();

        var listener = new FakeNode.Recorder();
        var second = restarted(first, listener);
        assertThat(second.reconcile(List.of(new Reconcile.StoredPod(uid, true)))).containsExactly(new Reconcile.Adopt(uid));
        second.run(pod);
        await().atMost(10, TimeUnit.SECONDS).until(() -> ids(listener, pod).size() == 2
                && listener.latest("one").get().getState().getRunning() != null);
        assertThat(ids(listener, pod)).isEqualTo(before);
        assertThat(first.oci.calls().subList(calls, first.oci.calls().size())).as("nothing created anew").isEmpty();

        second.terminate(uid, java.time.Duration.ZERO);
        second.finished(uid).get(10, TimeUnit.SECONDS);
        second.remove(uid);
        assertThat(first.oci.containers()).as("runtime containers after the delete").isEmpty();
        assertThat(first.mounter.mounts()).as("mounts after the delete").isEmpty();
        assertThat(first.paths(pod).runDir()).doesNotExist();
        second.close();
    }

    @Test
    void aSandboxWhoseCreationWasNeverRecordedAsDoneIsRemovedAndThePodStartedAnew() throws Exception {
        var first = new FakeNode(tmp);
        Pod pod = first.run(new FakeNode.PodFixture("Always").container("one").container("two").build());
        String uid = pod.getMetadata().getUid();
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.running("one") && first.running("two"));
        first.engine.detach(java.time.Duration.ofSeconds(5));
        // What an engine dying inside createSandbox leaves: the record written before the creation
        // began, and a sandbox and containers (created early) that no finished record names.
        var rec = PodRecord.read(first.paths(pod).runDir()).orElseThrow();
        PodRecord.creating(pod, java.time.Instant.now(), rec.sandbox().id(), rec.sandbox().cgroupPath())
                .write(first.paths(pod).runDir());
        assertThat(first.oci.containers()).hasSize(3);

        var listener = new FakeNode.Recorder();
        var second = restarted(first, listener);
        assertThat(second.reconcile(List.of(new Reconcile.StoredPod(uid, true)))).containsExactly(new Reconcile.Start(uid, true));
        assertThat(first.oci.containers()).as("infra and containers removed").isEmpty();
        assertThat(first.mounter.mounts()).as("mounts removed").isEmpty();
        assertThat(first.paths(pod).runDir()).doesNotExist();

        second.run(pod);
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.running("one") && first.running("two"));
        assertThat(first.oci.containers()).as("started anew: one sandbox, two containers").hasSize(3);
        second.close();
        assertThat(first.oci.containers()).isEmpty();
    }

    @Test
    void aPodRunDirWithoutARecordHasItsContainersAndMountsRemoved() throws Exception {
        var first = new FakeNode(tmp);
        Pod pod = first.run(new FakeNode.PodFixture("Always").container("one").build());
        String uid = pod.getMetadata().getUid();
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.running("one"));
        first.engine.detach(java.time.Duration.ofSeconds(5));
        java.nio.file.Files.delete(first.paths(pod).runDir().resolve(PodRecord.FILE));

        var second = restarted(first, new FakeNode.Recorder());
        assertThat(second.reconcile(List.of(new Reconcile.StoredPod(uid, true)))).containsExactly(new Reconcile.Start(uid, false));
        assertThat(first.oci.containers()).as("infra and container, found by their bundles").isEmpty();
        assertThat(first.mounter.mounts()).isEmpty();
        assertThat(first.paths(pod).runDir()).doesNotExist();
        second.close();
    }

    @Test
    void anAdoptedPodKeepsItsAppliedResourcesAndItsPendingResize() throws Exception {
        var first = new FakeNode(tmp);
        Pod pod = first.run(ResourcesTest.resizable());
        String uid = pod.getMetadata().getUid();
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.running("app"));
        assertThat(first.engine.resize(uid, Map.of("app", ResourcesTest.res("500m", "32Mi", "1", "64Mi"))).get(10, TimeUnit.SECONDS)).isEmpty();
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.listener.latest("app").map(s -> s.getResources() != null
                && new io.fabric8.kubernetes.api.model.Quantity("1").equals(s.getResources().getLimits().get("cpu"))).orElse(false));
        var beyond = ResourcesTest.res("500", "32Mi", "500", "64Mi");
        assertThat(first.engine.resize(uid, Map.of("app", beyond)).get(10, TimeUnit.SECONDS)).isEmpty();
        await().atMost(10, TimeUnit.SECONDS).until(() -> first.listener.statuses.getLast().getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("PodResizePending")));
        first.engine.detach(java.time.Duration.ofSeconds(5));

        // The store's pod holds what was asked last (desired); the record what was allocated and applied.
        Pod stored = new io.fabric8.kubernetes.api.model.PodBuilder(pod).build();
        stored.getSpec().getContainers().getFirst().setResources(beyond);
        var listener = new FakeNode.Recorder();
        var second = restarted(first, listener);
        assertThat(second.reconcile(List.of(new Reconcile.StoredPod(uid, true)))).containsExactly(new Reconcile.Adopt(uid));
        second.run(stored);
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            var s = listener.latest("app").orElseThrow();
            assertThat(s.getResources().getLimits().get("cpu")).as("applied").isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("1"));
            assertThat(s.getAllocatedResources().get("cpu")).as("allocated").isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("500m"));
            assertThat(listener.statuses.getLast().getStatus().getConditions())
                    .anySatisfy(c -> assertThat(c.getType() + " " + c.getReason()).isEqualTo("PodResizePending Infeasible"));
        });
        assertThat(listener.latest("app").get().getRestartCount()).isZero();
        second.close();
    }

    @Test
    void anAdoptedHostUsersFalsePodKeepsItsIdRangeAndANewPodGetsAnother() throws Exception {
        var first = new FakeNode(tmp);
        Pod pod = new FakeNode.PodFixture("Always").container("one").build();
        pod.getSpec().setHostUsers(false);
        first.run(pod);
        String uid = pod.getMetadata().getUid();
        // The fakes cannot make idmapped mounts: the container fails to start, after its range was taken.
        await().atMost(10, TimeUnit.SECONDS).until(() ->
                PodRecord.read(first.paths(pod).runDir()).map(r -> r.userNamespaceHostId() != null).orElse(false));
        long range = first.engine.userNamespaces().hostId(uid);
        first.engine.detach(java.time.Duration.ofSeconds(5));

        var second = restarted(first, new FakeNode.Recorder());
        assertThat(second.reconcile(List.of(new Reconcile.StoredPod(uid, true)))).containsExactly(new Reconcile.Adopt(uid));
        assertThat(second.userNamespaces().hostId(uid)).as("restored before any pod runs").isEqualTo(range);
        Pod next = new FakeNode.PodFixture("Always").container("two").build();
        next.getSpec().setHostUsers(false);
        next.getMetadata().setName("next");
        second.run(pod);
        second.run(next);
        await().atMost(10, TimeUnit.SECONDS).until(() -> second.userNamespaces().hostId(next.getMetadata().getUid()) != null);
        assertThat(second.userNamespaces().hostId(next.getMetadata().getUid())).isNotEqualTo(range);
        assertThat(second.userNamespaces().hostId(uid)).isEqualTo(range);
        second.close();
    }
}
