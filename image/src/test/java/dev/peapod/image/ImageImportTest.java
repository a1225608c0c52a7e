package dev.peapod.image;

import static dev.peapod.image.TestArchives.config;
import static dev.peapod.image.TestArchives.gzip;
import static dev.peapod.image.TestArchives.sha256;
import static dev.peapod.image.TestArchives.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageImportTest {
    @TempDir Path dir;

    @Test
    void committedContentEntersTheStoreAndNothingBefore() throws Exception {
        var store = new LocalImageStore(dir);
        byte[] layerTar = tar(t -> t.file("hello", "world"));
        byte[] blob = gzip(layerTar);
        byte[] config = config(List.of(sha256(layerTar)), List.of("sh"), Map.of());
        AtomicLong progress = new AtomicLong();
        try (ImageImport imp = store.beginImport()) {
            imp.putBlob(config, sha256(config));
            imp.putLayer(new ByteArrayInputStream(blob), sha256(blob), blob.length, sha256(layerTar), progress::set);
            assertThat(store.list()).isEmpty();
            assertThat(store.root().resolve("layers")).isEmptyDirectory();
            Image image = imp.commit("docker.io/library/x:1", List.of(), sha256(config), List.of(sha256(layerTar)),
                    List.of(sha256(blob)));
            assertThat(store.layerDirs(image).getFirst().resolve("hello")).hasContent("world");
        }
        assertThat(progress.get()).isEqualTo(blob.length);
        assertThat(store.root().resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void aLayerWithAnotherDiffIdIsRefusedAndLeavesNothing() throws Exception {
        var store = new LocalImageStore(dir);
        byte[] layerTar = tar(t -> t.file("hello", "world"));
        try (ImageImport imp = store.beginImport()) {
            assertThatThrownBy(() -> imp.putLayer(new ByteArrayInputStream(layerTar), sha256(layerTar), layerTar.length,
                    sha256("other".getBytes()), n -> { }))
                    .isInstanceOf(ContentMismatchException.class).hasMessageContaining("diff_id mismatch");
        }
        assertThat(store.root().resolve("tmp")).isEmptyDirectory();
        assertThat(store.root().resolve("blobs/sha256")).isEmptyDirectory();
    }

    @Test
    void anImportOfAProcessThatIsGoneIsRemovedByTheNext() throws Exception {
        var store = new LocalImageStore(dir);
        Path abandoned = Files.createDirectories(store.root().resolve("tmp/import-999999999-1-dead/blobs"));
        Files.writeString(abandoned.resolve("partial"), "half a blob");
        try (ImageImport imp = store.beginImport()) {
            assertThat(store.root().resolve("tmp/import-999999999-1-dead")).doesNotExist();
        }
    }
}
