package dev.peapod.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * persistentVolumeClaim volumes: the claim's directory under the data dir (never outside it, whatever
 * the names), made once and kept after the pod, bound read-write or read-only into the containers
 * over the fakes, and a claim the source lacks failing the mount as kubelet words it.
 */
class ClaimVolumesTest {
    @TempDir Path tmp;

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
    }

    @Test
    void aClaimsDirectoryIsNamespaceAndNameUnderTheDataDir() {
        assertThat(ClaimVolumes.directory(tmp, "default", "data"))
                .isEqualTo(tmp.toAbsolutePath().resolve("volumes/pvc/default/data"));
        assertThat(ClaimVolumes.directory(tmp, "team-a", "db.primary-0"))
                .isEqualTo(tmp.toAbsolutePath().resolve("volumes/pvc/team-a/db.primary-0"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "default|..", "default|.", "default|../../etc", "default|a/b", "default|/etc", "default|''",
            "default|Data", "default|a..b", "..|data", "a/b|data", "''|data", "default|x\u0000y"})
    void hostileNamesAreRefused(String namespace, String name) {
        assertThatThrownBy(() -> ClaimVolumes.directory(tmp, namespace, name))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void provisioningMakesAWorldWritableDirectoryOnceAndKeepsItsData() throws Exception {
        Path dir = ClaimVolumes.provision(tmp, "default", "data");
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(dir.resolve("kept"), "1");
        assertThat(ClaimVolumes.provision(tmp, "default", "data")).isEqualTo(dir);
        assertThat(dir.resolve("kept")).hasContent("1");
        assertThat(ClaimVolumes.list(tmp)).containsExactly("default/data");
    }

    @Test
    void aSymlinkPlantedOnTheWayIsNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(data.resolve("volumes/pvc"));
        Files.createSymbolicLink(data.resolve("volumes/pvc/default"), elsewhere);
        assertThatThrownBy(() -> ClaimVolumes.provision(data, "default", "x"))
                .hasMessageContaining("is a symbolic link");
        assertThat(elsewhere.resolve("x")).doesNotExist();
    }

    @Test
    void aPodWritesIntoTheClaimAndTheDirectoryOutlivesThePod() throws Exception {
        try (var node = new FakeNode(tmp, source(claim("data", "ReadWriteOnce")), Clock.systemUTC())) {
            // (subPath needs a real bind mount: PersistentVolumeE2eTest covers it)
            Pod pod = node.run(pod("data", false, mount("/data", null)));
            await().until(() -> node.running("app"));
            Path dir = ClaimVolumes.directory(node.config.dataDir(), "default", "data");
            JsonNode spec = node.spec("app");
            assertThat(FakeNode.bind(spec, "/data")).isEqualTo(dir + " rw");
            Files.writeString(dir.resolve("written"), "by the pod");
            assertThat(ClaimVolumes.claims(node.config.dataDir())).as("in use while the pod is there")
                    .containsExactly(new ClaimVolumes.Claim("default", "data", dir, 1));
            assertThatThrownBy(() -> ClaimVolumes.remove(node.config.dataDir(), "default", "data"))
                    .hasMessage("persistentvolumeclaim default/data is in use by 1 pod");

            node.engine.terminate(pod.getMetadata().getUid(), Duration.ZERO);
            node.finish(pod);
            node.engine.remove(pod.getMetadata().getUid());
            assertThat(node.paths(pod).volumes()).doesNotExist();
            assertThat(dir.resolve("written")).as("the claim outlives the pod").hasContent("by the pod");
            assertThat(ClaimVolumes.claims(node.config.dataDir())).containsExactly(new ClaimVolumes.Claim("default", "data", dir, 0));
            ClaimVolumes.remove(node.config.dataDir(), "default", "data");
            assertThat(dir).doesNotExist();
        }
    }

    @Test
    void readOnlyOnTheVolumeOrAReadOnlyManyClaimMountsReadOnly() throws Exception {
        try (var node = new FakeNode(tmp, source(claim("data", "ReadWriteOnce")), Clock.systemUTC())) {
            node.run(pod("data", true, mount("/data", null)));
            await().until(() -> node.running("app"));
            assertThat(FakeNode.bind(node.spec("app"), "/data")).endsWith(" ro");
        }
        try (var node = new FakeNode(tmp.resolve("rox"), source(claim("shared", "ReadOnlyMany")), Clock.systemUTC())) {
            node.run(pod("shared", false, mount("/data", null)));
            await().until(() -> node.running("app"));
            assertThat(FakeNode.bind(node.spec("app"), "/data")).endsWith(" ro");
        }
    }

    @Test
    void fsGroupOwnsAWritableClaim() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chown needs root");
        try (var node = new FakeNode(tmp, source(claim("data", "ReadWriteOnce")), Clock.systemUTC())) {
            Pod pod = new PodBuilder(pod("data", false, mount("/data", null))).editSpec()
                    .withNewSecurityContext().withFsGroup(2000L).endSecurityContext().endSpec().build();
            node.run(pod);
            await().until(() -> node.running("app"));
            Path dir = ClaimVolumes.directory(node.config.dataDir(), "default", "data");
            assertThat(Files.getAttribute(dir, "unix:gid")).isEqualTo(2000);
            assertThat((Integer) Files.getAttribute(dir, "unix:mode") & VolumeOwnership.SETGID).isNotZero();
        }
    }

    @Test
    void aClaimTheSourceLacksFailsTheMountAsKubeletSaysAndRunsNothing() {
        try (var node = new FakeNode(tmp, source(), Clock.systemUTC())) {
            node.run(pod("absent", false, mount("/data", null)));
            await().until(() -> !node.listener.events(null, "FailedMount").isEmpty());
            assertThat(node.listener.events(null, "FailedMount").getFirst().message()).isEqualTo(
                    "Unable to attach or mount volumes: unmounted volumes=[claim]: error processing PVC default/absent: "
                            + "failed to fetch PVC from API server: persistentvolumeclaims \"absent\" not found");
            assertThat(node.running("app")).isFalse();
            assertThat(ClaimVolumes.root(node.config.dataDir())).doesNotExist();
        }
    }

    @Test
    void aClaimBeingDeletedFailsTheMountAsKubeletSaysAndProvisionsNothing() {
        PersistentVolumeClaim deleted = new PersistentVolumeClaimBuilder(claim("going", "ReadWriteOnce"))
                .editMetadata().withDeletionTimestamp("2026-11-24T03:00:00Z").endMetadata().build();
        try (var node = new FakeNode(tmp, source(deleted), Clock.systemUTC())) {
            node.run(pod("going", false, mount("/data", null)));
            await().until(() -> !node.listener.events(null, "FailedMount").isEmpty());
            assertThat(node.listener.events(null, "FailedMount").getFirst().message()).isEqualTo(
                    "Unable to attach or mount volumes: unmounted volumes=[claim]: error processing PVC default/going: "
                            + "can't start pod because PVC default/going is being deleted");
            assertThat(node.running("app")).isFalse();
            assertThat(ClaimVolumes.root(node.config.dataDir())).doesNotExist();
        }
    }

    // --- fixtures ---

    private static ConfigSource source(PersistentVolumeClaim... claims) {
        return ConfigSource.of(List.of(), List.of(), List.of(claims));
    }

    private static PersistentVolumeClaim claim(String name, String accessMode) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withAccessModes(accessMode).withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec().build();
    }

    private static VolumeMount mount(String path, String subPath) {
        return new VolumeMountBuilder().withName("claim").withMountPath(path).withSubPath(subPath).build();
    }

    private static Pod pod(String claimName, boolean readOnly, VolumeMount... mounts) {
        Pod base = new FakeNode.PodFixture("Always").container("app", mounts).grace(1).build();
        return new PodBuilder(base).editSpec().withVolumes(new VolumeBuilder().withName("claim")
                .withNewPersistentVolumeClaim().withClaimName(claimName).withReadOnly(readOnly).endPersistentVolumeClaim().build())
                .endSpec().build();
    }
}
