package dev.peapod.node;

import dev.peapod.node.spec.PodUserNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UserNamespacesTest {

    private static Pod pod(String uid, Boolean hostUsers) {
        return new PodBuilder().withNewMetadata().withName(uid).withUid(uid).endMetadata()
                .withNewSpec().withHostUsers(hostUsers).endSpec().build();
    }

    @Test
    void eachHostUsersFalsePodGetsItsOwnBlockAndAFreedBlockIsReused() {
        var u = new UserNamespaces();

        assertThat(u.forPod(pod("a", false))).isEqualTo(new PodUserNamespace(65536, 65536));
        assertThat(u.forPod(pod("b", false))).isEqualTo(new PodUserNamespace(131072, 65536));
        assertThat(u.forPod(pod("a", false))).as("stable per pod").isEqualTo(new PodUserNamespace(65536, 65536));
        u.release("a");
        assertThat(u.forPod(pod("c", false))).isEqualTo(new PodUserNamespace(65536, 65536));
    }

    @Test
    void podsInTheHostsUserNamespaceGetNoMapping() {
        var u = new UserNamespaces();

        assertThat(u.forPod(pod("a", null))).isNull();
        assertThat(u.forPod(pod("b", true))).isNull();
        assertThat(UserNamespaces.BLOCKS).isEqualTo(65535);
    }

    @Test
    void aRestoredBlockIsNotHandedToANewPodAndATakenOrInvalidOneIsRefused() {
        var u = new UserNamespaces();
        assertThat(u.restore("adopted", 131072)).isTrue();
        assertThat(u.hostId("adopted")).isEqualTo(131072L);
        assertThat(u.forPod(pod("adopted", false))).as("the adopted pod keeps its range").isEqualTo(new PodUserNamespace(131072, 65536));

        assertThat(u.forPod(pod("a", false))).isEqualTo(new PodUserNamespace(65536, 65536));
        assertThat(u.forPod(pod("b", false))).as("skips the adopted pod's range").isEqualTo(new PodUserNamespace(196608, 65536));
        assertThat(u.restore("other", 131072)).as("taken").isFalse();
        assertThat(u.restore("other", 100000)).as("not a block start").isFalse();
        assertThat(u.restore("other", 0)).as("the host's own ids").isFalse();
        assertThat(u.restore("adopted", 131072)).as("idempotent").isTrue();
        assertThat(u.hostId("other")).isNull();
    }
}
