package dev.peapod.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.node.restart.Reconcile;
import dev.peapod.node.spec.HostFacts;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code containerStatuses[].user} over the fakes: the worker reports the {@code process.user} of
 * the spec it wrote for each container (init, sidecar, regular), and an engine that adopts the pod
 * after a restart still reports it (the pod record keeps it).
 */
class ContainerUserTest {
    @TempDir Path tmp;

    /** Pod runAsUser 1000, runAsGroup 3000, fsGroup 2000, supplementalGroups [4000]; "two" runs as 2000. */
    private static Pod pod() {
        var base = new FakeNode.PodFixture("Always").init("setup").sidecar("proxy").container("one").container("two").build();
        return new PodBuilder(base).editSpec()
                .withNewSecurityContext().withRunAsUser(1000L).withRunAsGroup(3000L).withFsGroup(2000L)
                .withSupplementalGroups(4000L).endSecurityContext()
                .editMatchingContainer(c -> c.getName().equals("two")).withNewSecurityContext().withRunAsUser(2000L)
                .endSecurityContext().endContainer()
                .endSpec().build();
    }

    /** {@code uid/gid/[groups]} of a status, or {@code none}. */
    private static String user(ContainerStatus s) {
        if (s.getUser() == null || s.getUser().getLinux() == null) return "none";
        var l = s.getUser().getLinux();
        return l.getUid() + "/" + l.getGid() + "/" + l.getSupplementalGroups();
    }

    /** The same rendering of the {@code process.user} in a running container's config.json. */
    private static String specUser(FakeNode node, String name) throws Exception {
        var c = node.oci.containers().stream().filter(x -> x.program().equals(name)).findFirst().orElseThrow();
        JsonNode u = Json.MAPPER.readTree(c.bundle().resolve("config.json").toFile()).at("/process/user");
        var groups = new ArrayList<Long>();
        u.path("additionalGids").forEach(g -> groups.add(g.asLong()));
        return u.get("uid").asLong() + "/" + u.get("gid").asLong() + "/" + groups;
    }

    /** Every container has a status (with a user, if {@code withUser}) and "one" and "two" run. */
    private static boolean reported(FakeNode.Recorder r, boolean withUser) {
        return List.of("setup", "proxy", "one", "two").stream()
                .allMatch(n -> r.latest(n).map(s -> !withUser || s.getUser() != null).orElse(false))
                && r.latest("one").get().getState().getRunning() != null
                && r.latest("two").get().getState().getRunning() != null;
    }

    @Test
    void eachContainerReportsTheUserOfItsSpecAndAnAdoptingEngineStillDoes() throws Exception {
        var first = new FakeNode(tmp);
        first.oci.onProgram("setup", dev.peapod.testing.FakeProcess.exit(0));
        Pod pod = first.run(pod());
        String uid = pod.getMetadata().getUid();
        await().atMost(10, TimeUnit.SECONDS).until(() -> reported(first.listener, true)
                && PodRecord.read(first.paths(pod).runDir()).map(r -> r.containers().size() == 4
                        && r.containers().stream().allMatch(a -> a.startedAt() != null)).orElse(false));
        var l = first.listener;
        assertThat(l.latest("setup").get().getState().getTerminated()).as("the init container has ended").isNotNull();
        // The image has no /etc/group: the groups are the primary gid, fsGroup, supplementalGroups.
        assertThat(user(l.latest("setup").get())).isEqualTo("1000/3000/[3000, 2000, 4000]");
        assertThat(user(l.latest("proxy").get())).isEqualTo("1000/3000/[3000, 2000, 4000]").isEqualTo(specUser(first, "proxy"));
        assertThat(user(l.latest("one").get())).isEqualTo("1000/3000/[3000, 2000, 4000]").isEqualTo(specUser(first, "one"));
        assertThat(user(l.latest("two").get())).isEqualTo("2000/3000/[3000, 2000, 4000]").isEqualTo(specUser(first, "two"));

        first.engine.detach(java.time.Duration.ofSeconds(5));
        var listener = new FakeNode.Recorder();
        var host = new HostFacts(1 << 20, 4096, 8L << 30, true, true, HostFacts.OOM_SCORE_ADJ_MIN);
        var second = new Engine(first.config, new Engine.Parts(first.oci, first.mounter, first.cgroups, first.images, host),
                listener, ConfigSource.EMPTY, Clock.systemUTC());
        assertThat(second.reconcile(List.of(new Reconcile.StoredPod(uid, true)))).containsExactly(new Reconcile.Adopt(uid));
        second.run(pod);
        await().atMost(10, TimeUnit.SECONDS).until(() -> reported(listener, false));
        for (String n : List.of("setup", "proxy", "one", "two")) {
            assertThat(user(listener.latest(n).get())).as(n + " after adoption").isEqualTo(user(l.latest(n).get()));
            assertThat(listener.latest(n).get().getContainerID()).isEqualTo(l.latest(n).get().getContainerID());
        }
        second.close();
    }
}
