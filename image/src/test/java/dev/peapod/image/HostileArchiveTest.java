package dev.peapod.image;

import static dev.peapod.image.TestArchives.config;
import static dev.peapod.image.TestArchives.diffIds;
import static dev.peapod.image.TestArchives.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peapod.image.TestArchives.Layer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Archives that try to write outside the store or smuggle in content that is not what they claim.
 * Each is refused with the entry named, and the store is left exactly as it was: no new blob,
 * layer or temp file, even when earlier layers of the same image were fine.
 */
class HostileArchiveTest {
    @TempDir
    Path tmp;
    Path root;
    LocalImageStore store;

    /** A fine first layer, so that a refusal must also roll back work already done. */
    static final Layer GOOD = new Layer(tar(t -> t.file("good", "fine")), Compression.GZIP);

    @BeforeEach
    void openWithOneImage() {
        root = tmp.resolve("store");
        store = new LocalImageStore(root);
        Layer existing = new Layer(tar(t -> t.file("existing", "x")), Compression.NONE);
        store.load(TestArchives.write(tmp, "existing.tar",
                TestArchives.dockerSave(List.of("existing"), config(diffIds(List.of(existing)), List.of("sh"), Map.of()),
                        List.of(existing))));
    }

    static byte[] dockerWithBadLayer(byte[] badTar) {
        List<Layer> layers = List.of(GOOD, new Layer(badTar, Compression.NONE));
        return TestArchives.dockerSave(List.of("evil"), config(diffIds(layers), List.of("sh"), Map.of()), layers);
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("layer entry ../x", (Supplier<byte[]>) () -> dockerWithBadLayer(tar(t -> t.file("../x", "x"))),
                        "entry \"../x\" escapes the layer directory"),
                Arguments.of("layer entry /abs", (Supplier<byte[]>) () -> dockerWithBadLayer(tar(t -> t.file("/abs", "x"))),
                        "entry \"/abs\" escapes the layer directory"),
                Arguments.of("layer entry under a symlink", (Supplier<byte[]>) () -> dockerWithBadLayer(
                        tar(t -> t.symlink("a", "/tmp").file("a/evil", "x"))),
                        "entry \"a/evil\" escapes the layer directory through symlink \"a\""),
                Arguments.of("layer hard link ../../x", (Supplier<byte[]>) () -> dockerWithBadLayer(
                        tar(t -> t.hardlink("h", "../../x"))), "entry \"h\" links to \"../../x\" and escapes"),
                Arguments.of("layer digest mismatch", (Supplier<byte[]>) HostileArchiveTest::ociWithWrongLayerDigest,
                        "digest mismatch"),
                Arguments.of("diff_id mismatch", (Supplier<byte[]>) HostileArchiveTest::dockerWithWrongDiffId,
                        "diff_id mismatch"),
                Arguments.of("config digest mismatch", (Supplier<byte[]>) HostileArchiveTest::dockerWithWrongConfigName,
                        "digest mismatch"),
                Arguments.of("manifest names a path outside", (Supplier<byte[]>) HostileArchiveTest::dockerConfigOutside,
                        "entry \"../../etc/passwd\" escapes the archive"),
                Arguments.of("archive entry ../x", (Supplier<byte[]>) () -> withExtraEntry(t -> t.file("../x", "x")),
                        "entry \"../x\" escapes the archive"),
                Arguments.of("archive entry /abs", (Supplier<byte[]>) () -> withExtraEntry(t -> t.file("/etc/cron.d/x", "x")),
                        "entry \"/etc/cron.d/x\" escapes the archive"),
                Arguments.of("archive symlink out", (Supplier<byte[]>) () -> withExtraEntry(t -> t.symlink("l", "../../etc")),
                        "entry \"l\" escapes the archive"),
                Arguments.of("archive hard link out", (Supplier<byte[]>) () -> withExtraEntry(t -> t.hardlink("h", "../x")),
                        "entry \"h\" escapes the archive"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isRefusedAndLeavesNothingBehind(String name, Supplier<byte[]> archive, String message) {
        List<String> before = TestArchives.tree(root);
        Path file = TestArchives.write(tmp, "hostile.tar", archive.get());

        assertThatThrownBy(() -> store.load(file))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("failed to ")
                .hasMessageContaining(message);

        assertThat(TestArchives.tree(root)).isEqualTo(before);
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(Path.of("/tmp/evil")).doesNotExist();
        assertThat(store.list()).extracting(Image::names).containsExactly(List.of("docker.io/library/existing:latest"));
    }

    /** The manifest names one blob for the second layer, the archive holds other bytes under that name. */
    static byte[] ociWithWrongLayerDigest() {
        Layer second = new Layer(tar(t -> t.file("second", "2")), Compression.GZIP);
        List<Layer> layers = List.of(GOOD, second);
        byte[] good = TestArchives.ociLayout(Map.of("org.opencontainers.image.ref.name", "evil:1"),
                config(diffIds(layers), List.of("sh"), Map.of()), layers);
        // Rebuild the archive with the second layer's blob content swapped for something else.
        String hex = TestArchives.hex(second.blob());
        byte[] other = TestArchives.gzip(tar(t -> t.file("second", "tampered")));
        return TestArchives.replaceEntry(good, "blobs/sha256/" + hex, other);
    }

    static byte[] dockerWithWrongDiffId() {
        Layer second = new Layer(tar(t -> t.file("second", "2")), Compression.NONE);
        List<String> claimed = List.of(diffIds(List.of(GOOD)).getFirst(),
                TestArchives.sha256("something else".getBytes(StandardCharsets.UTF_8)));
        return TestArchives.dockerSave(List.of("evil"), config(claimed, List.of("sh"), Map.of()), List.of(GOOD, second));
    }

    static byte[] dockerWithWrongConfigName() {
        List<Layer> layers = List.of(GOOD);
        byte[] config = config(diffIds(layers), List.of("sh"), Map.of());
        byte[] archive = TestArchives.dockerSave(List.of("evil"), config, layers);
        return TestArchives.replaceEntry(archive, TestArchives.hex(config) + ".json",
                config(diffIds(layers), List.of("rm", "-rf", "/"), Map.of()));
    }

    static byte[] dockerConfigOutside() {
        List<Layer> layers = List.of(GOOD);
        byte[] config = config(diffIds(layers), List.of("sh"), Map.of());
        String manifest = "[{\"Config\":\"../../etc/passwd\",\"RepoTags\":[\"evil\"],\"Layers\":[\"layer0/layer.tar\"]}]";
        return TestArchives.replaceEntry(TestArchives.dockerSave(List.of("evil"), config, layers), "manifest.json",
                manifest.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] withExtraEntry(java.util.function.Consumer<TestArchives.Tar> extra) {
        List<Layer> layers = List.of(GOOD);
        byte[] archive = TestArchives.dockerSave(List.of("evil"), config(diffIds(layers), List.of("sh"), Map.of()), layers);
        return TestArchives.appendEntries(archive, extra);
    }
}
