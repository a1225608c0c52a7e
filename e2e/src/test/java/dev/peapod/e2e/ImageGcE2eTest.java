package dev.peapod.e2e;

import dev.peapod.image.Image;
import dev.peapod.node.NodeConfig;
import dev.peapod.node.gc.ImageGc;
import dev.peapod.node.gc.ImageGcPlanner;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code peapod image inspect} and {@code image prune} (the launcher, a real store) next to a real
 * pod whose images stay in use until the pod is removed, then image garbage collection of what the
 * pod left unused. On a data dir of its own, so that pruning everything touches no other test.
 */
class ImageGcE2eTest {
    static final Path DATA = Path.of("/var/lib/peapod-e2e-images");

    @Test
    void pruneSparesThePodsImagesUntilThePodIsGoneThenGcCollectsThemLeastRecentlyUsedFirst() throws Exception {
        new ProcessBuilder("rm", "-rf", DATA.toString()).start().waitFor();
        Path tmp = Files.createTempDirectory("peapod-e2e-images");
        NodeConfig config = NodeConfig.defaults(DATA).withCniConfigDir(Harness.defaultConfig().cniConfigDir());
        try (var h = new Harness(config, dev.peapod.node.ConfigSource.EMPTY)) {
            var images = h.host.parts().images();
            Image data = images.load(TestImages.build(tmp.resolve("data.tar"), "peapod/e2e-data:1",
                    List.of(Map.of("data/a.txt", "a\n")))).getFirst();
            Image spare = images.load(TestImages.build(tmp.resolve("spare.tar"), "peapod/e2e-spare:1",
                    List.of(Map.of("spare.txt", "spare\n")))).getFirst();
            Image dangling = images.load(TestImages.build(tmp.resolve("dangling.tar"), null,
                    List.of(Map.of("dangling.txt", "unnamed\n")))).getFirst();
            Image busybox = images.resolve("peapod/busybox:latest").orElseThrow();

            var inspect = UpCommandE2eTest.peapod(List.of("image", "inspect", "--data-dir", DATA.toString(), "peapod/e2e-data:1"), 120);
            assertThat(inspect.exit()).as(inspect.err()).isZero();
            assertThat(inspect.out()).contains("\"Id\" : \"" + data.id().substring(7) + "\"")
                    .contains("\"RepoTags\" : [ \"docker.io/peapod/e2e-data:1\" ]").contains("\"Created\" : \"2026-01-02T03:04:05Z\"")
                    .contains("\"Architecture\" : \"amd64\"").contains("\"RepoDigests\" : [ \"docker.io/peapod/e2e-data@sha256:");

            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: uses-images}
                    spec:
                      restartPolicy: Never
                      volumes: [{name: data, image: {reference: peapod/e2e-data:1, pullPolicy: Never}}]
                      containers:
                      - {name: app, image: peapod/busybox:latest, command: ["cat", "/data/data/a.txt"],
                         volumeMounts: [{name: data, mountPath: /data}]}
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");

            var prune = UpCommandE2eTest.peapod(List.of("image", "prune", "--data-dir", DATA.toString()), 120);
            assertThat(prune.exit()).as(prune.err()).isZero();
            assertThat(prune.out()).as("only the unnamed image").startsWith("Deleted: " + dangling.id() + "\nTotal reclaimed space: ");
            var pruneAll = UpCommandE2eTest.peapod(List.of("image", "prune", "-a", "--data-dir", DATA.toString()), 120);
            assertThat(pruneAll.out()).as("the finished pod still holds its images").startsWith(
                    "Untagged: docker.io/peapod/e2e-spare:1\nDeleted: " + spare.id() + "\nTotal reclaimed space: ");
            assertThat(images.list()).extracting(Image::id).containsExactlyInAnyOrder(data.id(), busybox.id());

            h.remove(done);
            // A disk that reads 90 % full: everything unused must go, least recently used first.
            var gc = new ImageGc(images, DATA, () -> new ImageGcPlanner.Disk(1L << 40, (1L << 40) / 10),
                    new ImageGcPlanner.Policy(85, 80, Duration.ZERO), Clock.systemUTC(), line -> { });
            var result = gc.run();
            assertThat(result.removed()).containsExactlyInAnyOrder(data.id(), busybox.id());
            assertThat(result.freed()).isGreaterThanOrEqualTo(data.size() + busybox.size());
            assertThat(images.list()).isEmpty();
            try (Stream<Path> layers = Files.list(DATA.resolve("images/layers"));
                 Stream<Path> blobs = Files.list(DATA.resolve("images/blobs/sha256"))) {
                assertThat(layers.toList()).isEmpty();
                assertThat(blobs.toList()).isEmpty();
            }
        } finally {
            new ProcessBuilder("rm", "-rf", DATA.toString(), tmp.toString()).start().waitFor();
        }
    }
}
