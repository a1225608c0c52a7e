package dev.peapod.node.lifecycle;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** A pod {@code web} in {@code default} with uid {@code uid-1} and one container {@code app}. */
final class HookFixtures {
    static final String POD_REF = "\"web_default(uid-1)\"";

    private HookFixtures() {}

    static Container app() {
        return new ContainerBuilder().withName("app").withImage("busybox")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .build();
    }

    static Pod pod(Container c) {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("default").withUid("uid-1").endMetadata()
                .withNewSpec().addToContainers(c).endSpec().build();
    }

    static HookRunner.Target target(String podIp) {
        Container c = app();
        return new HookRunner.Target(pod(c), c, "ctr-1", podIp);
    }

    static LifecycleHandler exec(String... argv) {
        return new LifecycleHandlerBuilder().withNewExec().withCommand(argv).endExec().build();
    }

    static LifecycleHandler sleep(long seconds) {
        return new LifecycleHandlerBuilder().withNewSleep().withSeconds(seconds).endSleep().build();
    }
}
