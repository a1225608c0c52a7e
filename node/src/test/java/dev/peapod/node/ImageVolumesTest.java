package dev.peapod.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peapod.api.PodDefaults;
import dev.peapod.testing.FakeMounter;
import dev.peapod.testing.FakeOciRuntime;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image volumes over the fakes (KEP-4639): mounted once per pod from the image's layers, bound
 * read-only into every container that mounts them, resolved per container so that a missing image
 * gives that container kubelet's image reason, and unmounted with the pod.
 */
class ImageVolumesTest {
    @TempDir
    Path tmp;
    FakeNode node;

    @BeforeEach
    void setUp() {
        node = new FakeNode(tmp);
        node.images.add("tools:1");
    }

    @AfterEach
    void tearDown() {
        node.close();
        assertThat(node.mounter.mounts()).as("mounts after close").isEmpty();
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
    }

    @Test
    void theImageIsMountedOnceReadOnlyAndBoundReadOnlyIntoEveryContainerThatMountsIt() throws Exception {
        Pod pod = node.run(pod("tools:1", "IfNotPresent",
                container("a", mount("/tools", false)), container("b", mount("/opt/tools", false))));
        await().until(() -> node.running("a") && node.running("b"));

        Path target = ImageVolumes.mountPoint(node.paths(pod), "tools");
        var mounts = node.mounter.history().stream().filter(m -> m.target().equals(target)).toList();
        Path layer = node.images.layerDirs(node.images.resolve("tools:1").orElseThrow()).getFirst();
        assertThat(mounts).as("one read-only mount of the image's layer, shared by both containers")
                .containsExactly(new FakeMounter.Mount("bind", target, layer.toString(), "ro"));
        assertThat(bind(spec("a"), "/tools")).isEqualTo(target + " ro");
        assertThat(bind(spec("b"), "/opt/tools")).isEqualTo(target + " ro");
        var tools = node.images.resolve("tools:1").orElseThrow();
        assertThat(dev.peapod.node.gc.ImagesInUse.of(node.config.dataDir())).as("the pod's images are in use")
                .containsExactlyInAnyOrder(tools.id(), node.images.resolve("busybox:1.36").orElseThrow().id());
        assertThat(node.images.lastUsed().get(tools.id())).isAfter(java.time.Instant.now().minusSeconds(60));

        node.engine.terminate(pod.getMetadata().getUid(), Duration.ZERO);
        node.finish(pod);
        assertThat(node.mounter.mounted()).doesNotContain(target);
        assertThat(target.getParent()).doesNotExist();
        node.engine.remove(pod.getMetadata().getUid());
        assertThat(dev.peapod.node.gc.ImagesInUse.of(node.config.dataDir())).as("nothing in use once the pod is removed").isEmpty();
    }

    @Test
    void aMissingImageWithPolicyNeverHoldsOnlyTheContainersThatMountIt() {
        Pod pod = node.run(pod("absent:1", "Never",
                container("uses", mount("/tools", false)), container("other")));
        await().until(() -> node.running("other"));
        await().until(() -> node.listener.latest("uses").map(s -> s.getState().getWaiting() != null
                && "ErrImageNeverPull".equals(s.getState().getWaiting().getReason())).orElse(false));
        assertThat(node.listener.latest("uses").orElseThrow().getState().getWaiting().getMessage())
                .isEqualTo("Container image \"absent:1\" is not present with pull policy of Never");
        assertThat(node.running("uses")).isFalse();
        assertThat(node.mounter.mounted()).noneMatch(p -> p.toString().contains("kubernetes.io~image"));
    }

    @Test
    void aMissingImageWithPolicyIfNotPresentIsAnImagePullErrorThenBackOff() {
        node.run(pod("absent:1", "IfNotPresent", container("uses", mount("/tools", false))));
        await().until(() -> node.listener.history("uses").stream().anyMatch(s -> s.getState().getWaiting() != null
                && "ErrImagePull".equals(s.getState().getWaiting().getReason())));
        await().until(() -> node.listener.latest("uses").map(s -> s.getState().getWaiting() != null
                && "ImagePullBackOff".equals(s.getState().getWaiting().getReason())).orElse(false));
    }

    @Test
    void aSubPathMissingFromTheImageFailsTheContainerInsteadOfBeingCreated() {
        VolumeMount sub = new VolumeMountBuilder().withName("tools").withMountPath("/etc/conf").withSubPath("etc/app").build();
        Pod pod = node.run(pod("tools:1", "IfNotPresent", container("uses", sub)));
        await().until(() -> node.listener.latest("uses").map(s -> s.getState().getWaiting() != null
                && s.getState().getWaiting().getMessage() != null
                && s.getState().getWaiting().getMessage().contains("does not exist in image volume")).orElse(false));
        assertThat(ImageVolumes.mountPoint(node.paths(pod), "tools").resolve("etc")).doesNotExist();
    }

    // --- fixtures ---

    private static VolumeMount mount(String path, boolean readOnly) {
        return new VolumeMountBuilder().withName("tools").withMountPath(path).withReadOnly(readOnly).build();
    }

    private static io.fabric8.kubernetes.api.model.Container container(String name, VolumeMount... mounts) {
        return new ContainerBuilder().withName(name).withImage("busybox:1.36").withCommand(name)
                .withVolumeMounts(mounts).build();
    }

    private static Pod pod(String reference, String pullPolicy, io.fabric8.kubernetes.api.model.Container... containers) {
        Pod pod = new PodBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withRestartPolicy("Always").withTerminationGracePeriodSeconds(1L)
                .withContainers(containers)
                .withVolumes(new VolumeBuilder().withName("tools").withNewImage().withReference(reference)
                        .withPullPolicy(pullPolicy).endImage().build())
                .endSpec().build();
        PodDefaults.apply(pod);
        return pod;
    }

    private JsonNode spec(String program) throws Exception {
        return node.spec(program);
    }

    private static String bind(JsonNode spec, String destination) {
        return FakeNode.bind(spec, destination);
    }
}
