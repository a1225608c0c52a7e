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
}
