package dev.peapod.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peapod.image.ImagePuller;
import dev.peapod.image.ImagePuller.Credentials;
import dev.peapod.testing.FakeImagePuller;
import dev.peapod.testing.FakeImages;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePullsTest {
    @TempDir Path dir;
    final List<String> events = new ArrayList<>();

    ImagePulls pulls(FakeImages images, ImagePuller puller) {
        return pulls(images, puller, ConfigSource.EMPTY);
    }

    ImagePulls pulls(FakeImages images, ImagePuller puller, ConfigSource config) {
        return new ImagePulls(images, puller, config, (pod, c, type, reason, message) -> events.add(reason + ": " + message));
    }

    static Pod pod(String... pullSecrets) {
        var b = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata().withNewSpec().endSpec();
        for (String s : pullSecrets) b.editSpec().addNewImagePullSecret(s).endSpec();
        return b.build();
    }


    @Test
    void ifNotPresentUsesAPresentImageAndPullsAMissingOne() throws Exception {
        var images = new FakeImages(dir);
        images.add("busybox:1.36");
        var puller = new FakeImagePuller(images).serve("nginx:1.27");
        var p = pulls(images, puller);
        p.ensure(pod(), "app", "busybox:1.36", "IfNotPresent");
        assertThat(puller.pulls()).isEmpty();
        p.ensure(pod(), "app", "nginx:1.27", "IfNotPresent");
        assertThat(puller.pulls()).extracting(FakeImagePuller.Pull::reference).containsExactly("docker.io/library/nginx:1.27");
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isEqualTo("Pulled: Container image \"busybox:1.36\" already present on machine");
        assertThat(events.get(1)).isEqualTo("Pulling: Pulling image \"nginx:1.27\"");
        assertThat(events.get(2)).matches("Pulled: Successfully pulled image \"nginx:1.27\" in \\S+ \\(\\S+ including waiting\\)\\. Image size: 0 bytes\\.");
    }

    @Test
    void alwaysPullsEvenAPresentImage() throws Exception {
        var images = new FakeImages(dir);
        images.add("busybox:latest");
        var puller = new FakeImagePuller(images).serve("busybox:latest");
        pulls(images, puller).ensure(pod(), "app", "busybox", "Always");
        assertThat(puller.pulls()).hasSize(1);
    }

    @Test
    void withoutRegistryAccessAPresentImageIsUsedWhateverThePolicy() throws Exception {
        var images = new FakeImages(dir);
        images.add("busybox:latest");
        assertThat(pulls(images, ImagePuller.DISABLED).ensure(pod(), "app", "busybox", "Always").names())
                .containsExactly("docker.io/library/busybox:latest");
        assertThatThrownBy(() -> pulls(images, ImagePuller.DISABLED).ensure(pod(), "app", "nginx:1", "Always"))
                .isInstanceOfSatisfying(ContainerStartException.class, e -> assertThat(e.reason).isEqualTo("ErrImagePull"))
                .hasMessageContaining("pulling from registries is disabled");
    }

    @Test
    void neverDoesNotPull() {
        var images = new FakeImages(dir);
        var puller = new FakeImagePuller(images).serve("nginx:1.27");
        assertThatThrownBy(() -> pulls(images, puller).ensure(pod(), "app", "nginx:1.27", "Never"))
                .isInstanceOfSatisfying(ContainerStartException.class, e -> assertThat(e.reason).isEqualTo("ErrImageNeverPull"))
                .hasMessage("Container image \"nginx:1.27\" is not present with pull policy of Never");
        assertThat(puller.pulls()).isEmpty();
    }

    @Test
    void aFailedPullIsErrImagePullWithTheRegistrysCause() {
        var images = new FakeImages(dir);
        var puller = new FakeImagePuller(images);
        assertThatThrownBy(() -> pulls(images, puller).ensure(pod(), "app", "nginx:9", "IfNotPresent"))
                .isInstanceOfSatisfying(ContainerStartException.class, e -> assertThat(e.reason).isEqualTo("ErrImagePull"))
                .hasMessageContaining("not found: MANIFEST_UNKNOWN: manifest unknown");
        assertThat(events.getLast()).startsWith("Failed: Failed to pull image \"nginx:9\": failed to pull image");
    }

    @Test
    void imagePullSecretsAreTheCredentials() throws Exception {
        var images = new FakeImages(dir);
        var creds = new Credentials("registry.example:5000", "alice", "pw");
        var puller = new FakeImagePuller(images).serve("registry.example:5000/app:1", creds);
        String json = "{\"auths\":{\"registry.example:5000\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8)) + "\"}}}";
        Secret secret = new SecretBuilder().withNewMetadata().withName("regcred").withNamespace("default").endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .withData(Map.of(".dockerconfigjson", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))))
                .build();
        var config = ConfigSource.of(List.of(), List.of(secret));
        var p = pulls(images, puller, config);
        p.ensure(pod("missing", "regcred"), "app", "registry.example:5000/app:1", "IfNotPresent");
        assertThat(puller.pulls().getFirst().credentials()).containsExactly(creds);
        assertThat(events.getFirst()).isEqualTo("FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets "
                + "(missing); attempting to pull the image may not succeed.");
        // Without the secret the registry refuses.
        assertThatThrownBy(() -> pulls(images, puller).ensure(pod(), "app", "registry.example:5000/app:1", "Always"))
                .hasMessageContaining("unauthorized");
    }

    @Test
    void durationsAsKubeletPrintsThem() {
        assertThat(ImagePulls.seconds(Duration.ofMillis(450))).isEqualTo("450ms");
        assertThat(ImagePulls.seconds(Duration.ofMillis(1234))).isEqualTo("1.234s");
        assertThat(ImagePulls.seconds(Duration.ofMillis(2000))).isEqualTo("2s");
    }
}
