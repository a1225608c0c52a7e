package dev.peapod.node.gc;

import dev.peapod.testing.FakeImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The GC driver over a fake store and disk, with pods' in-use files on a real data dir. */
class ImageGcTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path dataDir;

    @Test
    void removesTheLeastRecentlyUsedUnusedImagesAndMarksThoseInUseAsUsedNow() throws Exception {
        var images = new FakeImages(dataDir.resolve("layers"));
        var old = images.add("old:1", 300, NOW.minus(Duration.ofDays(2)));
        var inUse = images.add("in-use:1", 300, NOW.minus(Duration.ofDays(3)));
        var recent = images.add("recent:1", 300, NOW.minus(Duration.ofHours(1)));
        ImagesInUse.record(dataDir.resolve("pods/uid-1"), inUse.id());
        var log = new ArrayList<String>();
        // 1000 bytes, 100 available: 90 % used, 100 bytes to free to reach 80 %.
        var gc = new ImageGc(images, dataDir, () -> new ImageGcPlanner.Disk(1000, 100), ImageGcPlanner.Policy.DEFAULT,
                InstantSource.fixed(NOW), log::add);

        var result = gc.run();

        assertThat(result.removed()).containsExactly(old.id());
        assertThat(result.freed()).isEqualTo(300);
        assertThat(images.list()).containsExactlyInAnyOrder(inUse, recent);
        assertThat(images.lastUsed()).containsEntry(inUse.id(), NOW).containsEntry(recent.id(), NOW.minus(Duration.ofHours(1)));
        assertThat(log).containsExactly("image garbage collection removed " + old.id());
    }

    @Test
    void underTheThresholdNothingIsRemoved() throws Exception {
        var images = new FakeImages(dataDir.resolve("layers"));
        images.add("old:1", 300, NOW.minus(Duration.ofDays(2)));
        var gc = new ImageGc(images, dataDir, () -> new ImageGcPlanner.Disk(1000, 500), ImageGcPlanner.Policy.DEFAULT,
                InstantSource.fixed(NOW), line -> { });
        assertThat(gc.run().removed()).isEmpty();
        assertThat(images.list()).hasSize(1);
    }

    @Test
    void imagesInUseAreReadFromEveryPodDirectory() {
        ImagesInUse.record(dataDir.resolve("pods/a"), "sha256:1");
        ImagesInUse.record(dataDir.resolve("pods/a"), "sha256:1");
        ImagesInUse.record(dataDir.resolve("pods/b"), "sha256:2");
        assertThat(ImagesInUse.of(dataDir)).containsExactlyInAnyOrder("sha256:1", "sha256:2");
        assertThat(ImagesInUse.of(dataDir.resolve("nothing-here"))).isEmpty();
    }
}
