package dev.peapod.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources over the fakes: the pod cgroup gets its limits when the sandbox is made; a container
 * that the OOM killer hit ends {@code OOMKilled} (kubelet's reason, from the container cgroup's
 * oom_kill counter), while without a kill the same exit code is a plain {@code Error}.
 */
class ResourcesTest {
    @TempDir
    Path tmp;
    FakeNode node;

    @BeforeEach
    void setUp() { node = new FakeNode(tmp); }

    @AfterEach
    void tearDown() { node.close(); }

    private String runningId(String name) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.running(name));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " did not run; events " + node.listener.events + "; runtime calls " + node.oci.calls(), e);
        }
        return node.oci.containers().stream().filter(c -> c.program().equals(name)).findFirst().orElseThrow().id();
    }

    @Test
    void anOomKillInTheContainersCgroupIsOomKilledWithItsExitCode() throws Exception {
        Pod pod = node.run(new FakeNode.PodFixture("Never").container("app").container("other").build());
        String app = runningId("app");
        String other = runningId("other");

        node.cgroups.oomKill(Sandboxes.podCgroup(pod) + "/" + app);
        node.oci.exit(app, 137);
        node.oci.exit(other, 137); // killed by someone else: no OOM kill counted in its cgroup
        Pod done = node.finish(pod);

        var statuses = done.getStatus().getContainerStatuses();
        var appState = statuses.stream().filter(s -> s.getName().equals("app")).findFirst().orElseThrow().getState();
        var otherState = statuses.stream().filter(s -> s.getName().equals("other")).findFirst().orElseThrow().getState();
        assertThat(appState.getTerminated().getReason()).isEqualTo("OOMKilled");
        assertThat(appState.getTerminated().getExitCode()).isEqualTo(137);
        assertThat(otherState.getTerminated().getReason()).isEqualTo("Error");
        assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
    }

    @Test
    void thePodCgroupGetsTheSummedLimitsAndThePidsLimit() throws Exception {
        node.close();
        node = new FakeNode(tmp.resolve("pids"), config -> config.withPodPidsLimit(100));
        Pod pod = new FakeNode.PodFixture("Never").container("app").container("two").build();
        for (var c : pod.getSpec().getContainers()) {
            c.setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                    .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("250m"))
                    .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("32Mi")).build());
        }
        node.run(pod);
        runningId("app");

        String cgroup = Sandboxes.podCgroup(pod);
        // FakeNode's host is cgroup v2.
        assertThat(node.cgroups.files(cgroup)).containsEntry("cpu.max", "50000 100000")
                .containsEntry("memory.max", Long.toString(64L << 20)).containsEntry("pids.max", "100")
                .containsEntry("cpu.weight", "59");
    }

    static io.fabric8.kubernetes.api.model.ResourceRequirements res(String cpuReq, String memReq, String cpuLim, String memLim) {
        return new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity(cpuReq))
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity(memReq))
                .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity(cpuLim))
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity(memLim)).build();
    }

    static Pod resizable() {
        Pod pod = new FakeNode.PodFixture("Always").container("app").build();
        var app = pod.getSpec().getContainers().getFirst();
        app.setResources(res("250m", "32Mi", "500m", "64Mi"));
        app.setResizePolicy(java.util.List.of(new io.fabric8.kubernetes.api.model.ContainerResizePolicy("cpu", "NotRequired"),
                new io.fabric8.kubernetes.api.model.ContainerResizePolicy("memory", "RestartContainer")));
        return pod;
    }

    private io.fabric8.kubernetes.api.model.ContainerStatus appStatus() {
        return node.listener.latest("app").orElseThrow();
    }

    @Test
    void aCpuResizeUpdatesTheCgroupsInPlaceAndTheStatusWithoutARestart() throws Exception {
        Pod pod = node.run(resizable());
        String id = runningId("app");
        String podCgroup = Sandboxes.podCgroup(pod);

        var errors = node.engine.resize(pod.getMetadata().getUid(), java.util.Map.of("app", res("500m", "32Mi", "1", "64Mi")))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(errors).isEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(node.cgroups.files(podCgroup + "/" + id)).containsEntry("cpu.max", "100000 100000")
                    .containsEntry("memory.max", Long.toString(64L << 20));
            assertThat(node.cgroups.files(podCgroup)).containsEntry("cpu.max", "100000 100000");
            var s = appStatus();
            assertThat(s.getResources().getLimits().get("cpu")).isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("1"));
            assertThat(s.getAllocatedResources().get("cpu")).isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("500m"));
            assertThat(node.listener.statuses.getLast().getStatus().getConditions())
                    .noneMatch(c -> c.getType().startsWith("PodResize"));
        });
        assertThat(node.trace(dev.peapod.testing.OciCall.Op.START)).containsExactly("START app");
        assertThat(appStatus().getRestartCount()).isZero();
    }

    @Test
    void aMemoryResizeWithRestartContainerRestartsTheContainerWithItsNewLimit() throws Exception {
        Pod pod = node.run(resizable());
        runningId("app");

        assertThat(node.engine.resize(pod.getMetadata().getUid(), java.util.Map.of("app", res("250m", "16Mi", "500m", "24Mi")))
                .get(10, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(node.trace(dev.peapod.testing.OciCall.Op.START)).containsExactly("START app", "START app");
            var s = appStatus();
            assertThat(s.getRestartCount()).isEqualTo(1);
            assertThat(s.getState().getRunning()).isNotNull();
            assertThat(s.getResources().getLimits().get("memory")).isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("24Mi"));
            // The pod cgroup follows once the container runs with the new limit: 24Mi.
            assertThat(node.cgroups.files(Sandboxes.podCgroup(pod))).containsEntry("memory.max", Long.toString(24L << 20));
        });
        assertThat(node.listener.events("app", "Killing")).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo("Container app resize requires restart"));
    }

    @Test
    void anImageChangeRestartsThatContainerFromTheNewImageAndLeavesTheOthers() throws Exception {
        node.images.add("busybox:1.37");
        Pod pod = node.run(new FakeNode.PodFixture("Always").container("app").container("other").build());
        runningId("app");
        runningId("other");

        node.engine.updateImages(pod.getMetadata().getUid(), java.util.Map.of("app", "busybox:1.37"));

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(node.trace(dev.peapod.testing.OciCall.Op.START)).containsExactly("START app", "START other", "START app");
            var s = appStatus();
            assertThat(s.getRestartCount()).isEqualTo(1);
            assertThat(s.getImage()).isEqualTo("busybox:1.37");
            assertThat(s.getState().getRunning()).isNotNull();
            assertThat(s.getLastState().getTerminated()).isNotNull();
        });
        assertThat(node.listener.events("app", "Killing")).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo("Container app definition changed, will be restarted"));
        assertThat(node.listener.events("app", "BackOff")).isEmpty();
        assertThat(node.listener.events("other", "Killing")).isEmpty();
    }

    @Test
    void aResizeBeyondTheNodeIsPendingInfeasibleAndChangesNothing() throws Exception {
        Pod pod = node.run(resizable());
        String id = runningId("app");

        assertThat(node.engine.resize(pod.getMetadata().getUid(), java.util.Map.of("app", res("500", "32Mi", "500", "64Mi")))
                .get(10, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(node.listener.statuses.getLast().getStatus().getConditions())
                        .anySatisfy(c -> {
                            assertThat(c.getType()).isEqualTo("PodResizePending");
                            assertThat(c.getReason()).isEqualTo("Infeasible");
                            assertThat(c.getMessage()).startsWith("Node didn't have enough capacity: cpu, requested: 500000");
                        }));
        assertThat(node.cgroups.files(Sandboxes.podCgroup(pod) + "/" + id)).isEmpty();
        assertThat(appStatus().getResources().getLimits().get("cpu")).isEqualTo(new io.fabric8.kubernetes.api.model.Quantity("500m"));
    }

    @Test
    void anInvalidResizeIsRefusedWithTheApiServersErrors() throws Exception {
        Pod pod = node.run(resizable());
        runningId("app");
        var errors = node.engine.resize(pod.getMetadata().getUid(),
                java.util.Map.of("app", new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                        .addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity("1")).build()))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(errors).extracting(Object::toString).contains(
                "spec.containers[0].resources.requests[cpu]: Forbidden: resource requests cannot be removed",
                "spec.containers[0].resources.limits[memory]: Forbidden: resource limits cannot be removed");
        assertThat(node.engine.resize(pod.getMetadata().getUid(), java.util.Map.of("nope", res("1", "1Mi", "1", "1Mi")))
                .get(10, java.util.concurrent.TimeUnit.SECONDS)).extracting(Object::toString)
                .containsExactly("spec.containers: Not found: \"nope\"");
    }

    @Test
    void aMemoryLimitIsNotLoweredBelowWhatTheContainerUses() throws Exception {
        Pod spec = resizable();
        spec.getSpec().getContainers().getFirst().setResizePolicy(java.util.List.of());
        Pod pod = node.run(spec);
        String path = Sandboxes.podCgroup(pod) + "/" + runningId("app");
        node.cgroups.memoryUsage(path, 40L << 20);

        assertThat(node.engine.resize(pod.getMetadata().getUid(), java.util.Map.of("app", res("250m", "16Mi", "500m", "32Mi")))
                .get(10, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(node.listener.statuses.getLast().getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("PodResizeInProgress");
                    assertThat(c.getReason()).isEqualTo("Error");
                    assertThat(c.getMessage()).isEqualTo("attempting to set container app memory limit (33554432) below current usage (41943040)");
                }));
        assertThat(node.cgroups.files(path)).doesNotContainKey("memory.max");

        // Once usage drops, a later round applies it and the condition goes.
        node.cgroups.memoryUsage(path, 8L << 20);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(node.cgroups.files(path)).containsEntry("memory.max", Long.toString(32L << 20));
            assertThat(node.listener.statuses.getLast().getStatus().getConditions()).noneMatch(c -> c.getType().startsWith("PodResize"));
        });
        assertThat(node.trace(dev.peapod.testing.OciCall.Op.START)).containsExactly("START app");
    }

    @Test
    void podsSitUnderTheirQosParentWhichIsWeighedByTheBurstableRequests() throws Exception {
        Pod burstable = resizable();                                   // requests 250m
        Pod bestEffort = new FakeNode.PodFixture("Always").container("idle").build();
        node.run(burstable);
        runningId("app");
        node.run(bestEffort);
        runningId("idle");

        assertThat(Sandboxes.podCgroup(burstable)).isEqualTo("/peapod/burstable/pod-" + burstable.getMetadata().getUid());
        assertThat(Sandboxes.podCgroup(bestEffort)).isEqualTo("/peapod/besteffort/pod-" + bestEffort.getMetadata().getUid());
        assertThat(node.cgroups.created()).contains(Sandboxes.podCgroup(burstable), Sandboxes.podCgroup(bestEffort));
        // v2 weights: 256 shares → 35; the minimum 2 → 1.
        assertThat(node.cgroups.files("/peapod/burstable")).containsEntry("cpu.weight", "35").containsEntry("cpu.max", "max 100000");
        assertThat(node.cgroups.files("/peapod/besteffort")).containsEntry("cpu.weight", "1");

        // A resize of the requests re-weighs the parent: 500m → 512 shares → 59.
        node.engine.resize(burstable.getMetadata().getUid(), java.util.Map.of("app", res("500m", "32Mi", "1", "64Mi")))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(node.cgroups.files("/peapod/burstable")).containsEntry("cpu.weight", "59"));
    }

    @Test
    void aResizeRestartIsNoCrashTheNextCrashRestartsWithoutBackOff() throws Exception {
        Pod pod = node.run(resizable());
        runningId("app");
        node.engine.resize(pod.getMetadata().getUid(), java.util.Map.of("app", res("250m", "16Mi", "500m", "24Mi")))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                node.trace(dev.peapod.testing.OciCall.Op.START).size() == 2 && node.running("app"));

        String second = runningId("app");
        node.oci.exit(second, 1);

        // The first crash restarts at once (kubelet's backoff starts with the second).
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.trace(dev.peapod.testing.OciCall.Op.START).size() == 3);
        assertThat(node.listener.events("app", "BackOff")).isEmpty();
    }
}
