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
 * A container that the OOM killer hit ends {@code OOMKilled} (kubelet's reason, from the container
 * cgroup's oom_kill counter); without a kill the same exit code is a plain {@code Error}.
 */
class OomKilledTest {
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
}
