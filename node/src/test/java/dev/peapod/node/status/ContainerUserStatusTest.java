package dev.peapod.node.status;

import dev.peapod.node.model.ContainerUser;
import dev.peapod.node.model.ObservedContainer;
import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.Waiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.peapod.node.status.StatusFixtures.NOW;
import static dev.peapod.node.status.StatusFixtures.created;
import static dev.peapod.node.status.StatusFixtures.exited;
import static dev.peapod.node.status.StatusFixtures.observed;
import static dev.peapod.node.status.StatusFixtures.pod;
import static dev.peapod.node.status.StatusFixtures.running;
import static dev.peapod.node.status.StatusFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code containerStatuses[].user.linux} as kubelet's {@code convertContainerStatusUser} fills it
 * (KEP-3619): from the latest attempt the runtime knows, in any state, for init containers,
 * sidecars and regular containers alike; never for a container the runtime has not created.
 */
class ContainerUserStatusTest {
    static final ContainerUser APP = new ContainerUser(1000, 3000, List.of(3000L, 4000L, 50L));
    static final ContainerUser ROOT = new ContainerUser(0, 0, List.of(0L, 10L));

    private static ObservedContainer as(ContainerUser user, ObservedContainer o) {
        return new ObservedContainer(o.name(), o.kind(), o.id(), o.attempt(), o.image(), o.imageId(), o.state(), user);
    }

    private static PodStatus compute(ObservedPod observed) {
        return PodStatusComputer.compute(StatusInput.of(pod("Always"), observed, NOW));
    }

    /** {@code uid/gid/[groups]}, or {@code none} without a user. */
    private static String user(ContainerStatus s) {
        if (s.getUser() == null) return "none";
        var l = s.getUser().getLinux();
        return l.getUid() + "/" + l.getGid() + "/" + l.getSupplementalGroups();
    }

    @Test
    void everyKindOfContainerReportsTheUserOfItsLatestAttempt() {
        var status = compute(observed(as(ROOT, exited("init-db", 0, 0)), as(APP, running("proxy", 0)),
                as(APP, running("web", 0)), as(ROOT, running("app", 0))));
        assertThat(user(status(status, "init-db"))).as("a terminated init container").isEqualTo("0/0/[0, 10]");
        assertThat(user(status(status, "proxy"))).as("a native sidecar").isEqualTo("1000/3000/[3000, 4000, 50]");
        assertThat(user(status(status, "web"))).isEqualTo("1000/3000/[3000, 4000, 50]");
        assertThat(user(status(status, "app"))).isEqualTo("0/0/[0, 10]");
    }

    @Test
    void aCreatedContainerAlreadyHasItsUser() {
        var status = compute(observed(as(ROOT, exited("init-db", 0, 0)), as(APP, created("proxy", 0))));
        assertThat(status(status, "proxy").getState().getWaiting()).isNotNull();
        assertThat(user(status(status, "proxy"))).isEqualTo("1000/3000/[3000, 4000, 50]");
    }

    @Test
    void aContainerInCrashLoopBackOffKeepsTheUserOfItsLatestAttempt() {
        var observed = observed(exited("init-db", 0, 0), running("proxy", 0), as(ROOT, exited("web", 0, 1)),
                as(APP, exited("web", 1, 1)), running("app", 0));
        var crash = new Waiting("CrashLoopBackOff", "back-off 10s restarting failed container=web pod=shop");
        var s = status(PodStatusComputer.compute(StatusInput.of(pod("Always"), observed, NOW)
                .withWaiting(Map.of("web", crash))), "web");
        assertThat(s.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(user(s)).isEqualTo("1000/3000/[3000, 4000, 50]");
    }

    @Test
    void aContainerTheRuntimeDoesNotKnowHasNoUser() {
        var status = compute(observed(as(APP, running("init-db", 0))));
        assertThat(status(status, "proxy").getState().getWaiting().getReason()).isEqualTo("PodInitializing");
        assertThat(user(status(status, "proxy"))).isEqualTo("none");
        assertThat(user(status(status, "web"))).isEqualTo("none");
        assertThat(user(status(status, "init-db"))).isEqualTo("1000/3000/[3000, 4000, 50]");
    }

    @Test
    void anAttemptWithoutAKnownUserReportsNone() {
        var status = compute(observed(exited("init-db", 0, 0), running("proxy", 0), running("web", 0), running("app", 0)));
        assertThat(status(status, "web").getUser()).isNull();
    }

    @Test
    void aTerminatedStatusTheRuntimeNoLongerHasKeepsItsUser() {
        var first = compute(observed(exited("init-db", 0, 0), running("proxy", 0), as(APP, exited("web", 0, 0)),
                running("app", 0)));
        var gone = observed(exited("init-db", 0, 0), running("proxy", 0), running("app", 0));
        var second = PodStatusComputer.compute(StatusInput.of(pod("Never"), gone, NOW).withPrevious(first));
        assertThat(status(second, "web").getState().getTerminated()).isNotNull();
        assertThat(user(status(second, "web"))).isEqualTo("1000/3000/[3000, 4000, 50]");
    }
}
