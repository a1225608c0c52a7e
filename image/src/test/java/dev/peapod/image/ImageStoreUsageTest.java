package dev.peapod.image;

import static dev.peapod.image.LocalImageStoreTest.APP;
import static dev.peapod.image.LocalImageStoreTest.BASE;
import static dev.peapod.image.LocalImageStoreTest.EXTRA;
import static dev.peapod.image.LocalImageStoreTest.configFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.image.TestArchives.Layer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What inspect, prune and garbage collection need of a real store: details, last use, removal by id with the bytes freed. */
class ImageStoreUsageTest {
    @TempDir
    Path tmp;
    LocalImageStore store;

    @BeforeEach
    void open() {
        store = new LocalImageStore(tmp.resolve("store"));
    }

    private Image load(String name, Map<String, String> annotations, List<Layer> layers) {
        return store.load(TestArchives.write(tmp, name,
                TestArchives.ociLayout(annotations, configFor(layers), layers))).getFirst();
    }

    @Test
    void inspectGivesTheStoredConfigAndTheManifestDigest() throws IOException {
        Image image = load("a.tar", Map.of("org.opencontainers.image.ref.name", "quay.io/x/a:1"), List.of(BASE, APP));

        ImageDetails details = store.inspect("quay.io/x/a:1").orElseThrow();

        assertThat(details.image()).isEqualTo(image);
        assertThat(details.configJson()).isEqualTo(new String(configFor(List.of(BASE, APP))));
        assertThat(details.digests()).hasSize(1).allMatch(d -> d.startsWith("sha256:") && !d.equals(image.id()));
        assertThat(Files.exists(tmp.resolve("store/blobs/sha256").resolve(details.digests().getFirst().substring(7))))
                .as("the manifest digest names a stored blob").isTrue();
        assertThat(store.inspect("quay.io/x/other:1")).isEmpty();
    }

    @Test
    void removingByIdFreesWhatNoOtherImageSharesAndCountsIt() {
        Image a = load("a.tar", Map.of("org.opencontainers.image.ref.name", "x/a:1"), List.of(BASE, APP));
        Image b = load("b.tar", Map.of("org.opencontainers.image.ref.name", "x/b:1"), List.of(BASE, EXTRA));
        long before = storeBytes();

        long freed = store.removeImages(List.of(a.id(), "sha256:" + "0".repeat(64)));

        assertThat(store.list()).containsExactly(b);
        assertThat(freed).as("APP's layer and blob, a's config and manifest; BASE stays for b").isEqualTo(before - storeBytes());
        assertThat(store.layerDirs(b)).allMatch(Files::isDirectory);
        assertThat(store.removeImages(List.of(a.id()))).isZero();
        long left = storeBytes();
        assertThat(store.removeImages(List.of(b.id()))).isEqualTo(left).isPositive();
        assertThat(storeBytes()).isZero();
    }

    @Test
    void lastUseIsRecordedPerImageAndForgottenWithTheImage() {
        Image a = load("a.tar", Map.of("org.opencontainers.image.ref.name", "x/a:1"), List.of(BASE));
        Image b = load("b.tar", Map.of("org.opencontainers.image.ref.name", "x/b:1"), List.of(APP));
        Instant loadedBy = Instant.now();
        assertThat(store.lastUsed().get(a.id())).as("a loaded image counts as used when stored").isBeforeOrEqualTo(loadedBy)
                .isAfter(loadedBy.minusSeconds(60));

        Instant used = Instant.parse("2030-01-01T00:00:00Z");
        store.markUsed(b.id(), used);
        assertThat(new LocalImageStore(tmp.resolve("store")).lastUsed()).as("seen by another store instance (another process)")
                .containsEntry(b.id(), used).containsOnlyKeys(a.id(), b.id());

        store.removeImages(List.of(b.id()));
        assertThat(store.lastUsed()).containsOnlyKeys(a.id());
        assertThat(tmp.resolve("store/used").resolve(b.id().substring(7))).doesNotExist();
    }

    /** Bytes of unpacked layer files and blobs on disk. */
    private long storeBytes() {
        try (var files = Files.walk(tmp.resolve("store"))) {
            return files.filter(p -> Files.isRegularFile(p) && (p.startsWith(tmp.resolve("store/blobs"))
                    || p.startsWith(tmp.resolve("store/layers")))).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
