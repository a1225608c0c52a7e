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
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.running(name));
        return node.oci.containers().stream().filter(c -> c.program().equals(name)).findFirst().orElseThrow().id();
    }

    @Test
    void anOomKillInTheContainersCgroupIsOomKilledWithItsExitCode() throws Exception {
        Pod pod = node.run(new FakeNode.PodFixture("Never").container("app").container("other").build());
        String app = runningId("app");
        String other = runningId("other");

        node.cgroups.oomKill("/peapod/pod-" + pod.getMetadata().getUid() + "/" + app);
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

        String cgroup = "/peapod/pod-" + pod.getMetadata().getUid();
        // FakeNode's host is cgroup v2.
        assertThat(node.cgroups.files(cgroup)).containsEntry("cpu.max", "50000 100000")
                .containsEntry("memory.max", Long.toString(64L << 20)).containsEntry("pids.max", "100")
                .containsEntry("cpu.weight", "59");
    }
}
