package dev.peapod.image;

import static dev.peapod.image.TestArchives.config;
import static dev.peapod.image.TestArchives.diffIds;
import static dev.peapod.image.TestArchives.tar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.image.TestArchives.Layer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, resolving, listing and removing images in a real store directory. */
class LocalImageStoreTest {
    @TempDir
    Path tmp;
    Path root;
    LocalImageStore store;

    static final Layer BASE = new Layer(tar(t -> t.dir("bin", 0755).file("bin/sh", "shell").file("etc/os", "base")),
            Compression.NONE);
    static final Layer APP = new Layer(tar(t -> t.file("app/run", "app").file("etc/os", "app")), Compression.GZIP);
    static final Layer EXTRA = new Layer(tar(t -> t.file("extra", "zstd layer")), Compression.ZSTD);

    @BeforeEach
    void open() {
        root = tmp.resolve("store");
        store = new LocalImageStore(root);
    }

    static byte[] configFor(List<Layer> layers) {
        return config(diffIds(layers), List.of("sh"), Map.of("WorkingDir", "/app", "User", "1000:1000",
                "Entrypoint", List.of("/bin/init"), "StopSignal", "SIGQUIT"));
    }

    Path dockerArchive(String name, List<String> tags, List<Layer> layers) {
        return TestArchives.write(tmp, name, TestArchives.dockerSave(tags, configFor(layers), layers));
    }

    Path ociArchive(String name, Map<String, String> annotations, List<Layer> layers) {
        return TestArchives.write(tmp, name, TestArchives.ociLayout(annotations, configFor(layers), layers));
    }

    @Test
    void loadsDockerSaveArchives() throws IOException {
        List<Layer> layers = List.of(BASE, APP);
        Path archive = dockerArchive("img.tar", List.of("busybox:latest", "localhost:5000/team/app:1"), layers);

        List<Image> loaded = store.load(archive);

        assertThat(loaded).hasSize(1);
        Image image = loaded.getFirst();
        assertThat(image.id()).isEqualTo(TestArchives.sha256(configFor(layers)));
        assertThat(image.names()).containsExactly("docker.io/library/busybox:latest", "localhost:5000/team/app:1");
        assertThat(image.diffIds()).isEqualTo(diffIds(layers));
        assertThat(image.config()).isEqualTo(new ImageConfig(List.of("/bin/init"), List.of("sh"), List.of("PATH=/bin"),
                "/app", "1000:1000", "SIGQUIT"));
        assertThat(image.size()).isEqualTo("shell".length() + "base".length() + "app".length() + "app".length());
        List<Path> dirs = store.layerDirs(image);
        assertThat(dirs).hasSize(2);
        assertThat(Files.readString(dirs.get(0).resolve("etc/os"))).as("topmost first").isEqualTo("app");
        assertThat(Files.readString(dirs.get(1).resolve("bin/sh"))).isEqualTo("shell");
        assertThat(dirs.get(1)).isEqualTo(root.resolve("layers").resolve(image.diffIds().get(0).substring(7)));
        assertThat(store.list()).containsExactly(image);
        assertThat(store.resolve("busybox")).contains(image);
        assertThat(store.resolve("docker.io/library/busybox:latest")).contains(image);
        assertThat(store.resolve("localhost:5000/team/app:1")).contains(image);
        assertThat(store.resolve(image.id())).contains(image);
        assertThat(store.resolve(image.id().substring(7))).contains(image);
        assertThat(store.resolve(image.id().substring(7, 19))).as("12 hex id prefix").contains(image);
        assertThat(store.resolve("busybox:other")).isEmpty();
        assertThat(store.resolve("sha256:" + "0".repeat(64))).isEmpty();
    }

    @Test
    void loadsOciLayoutsWithGzipZstdAndPlainLayers() throws IOException {
        List<Layer> layers = List.of(BASE, APP, EXTRA);
        byte[] archive = TestArchives.ociLayout(Map.of("org.opencontainers.image.ref.name", "quay.io/x/y:tag"),
                configFor(layers), layers);
        Path gzipped = TestArchives.write(tmp, "oci.tar.gz", TestArchives.gzip(archive));

        Image image = store.load(gzipped).getFirst();

        assertThat(image.names()).containsExactly("quay.io/x/y:tag");
        assertThat(Files.readString(store.layerDirs(image).getFirst().resolve("extra"))).isEqualTo("zstd layer");
        String manifestDigest = manifestDigest(archive);
        assertThat(store.resolve("quay.io/x/y@" + manifestDigest)).contains(image);
        assertThat(store.resolve("quay.io/x/y:tag@" + manifestDigest)).as("tag ignored next to a digest").contains(image);
        assertThat(root.resolve("blobs/sha256").resolve(manifestDigest.substring(7))).exists();
    }

    private String manifestDigest(byte[] ociArchive) throws IOException {
        Path staged = tmp.resolve("manifest-probe");
        try (StagedArchive a = StagedArchive.stage(TestArchives.write(tmp, "probe.tar", ociArchive), staged)) {
            return TestArchives.JSON.readTree(a.readDocument("index.json")).path("manifests").get(0)
                    .path("digest").asText();
        }
    }

    @Test
    void namesOciImagesFromTagOnlyRefNamesLikeContainerd() {
        Path archive = ociArchive("tagonly.tar", Map.of("org.opencontainers.image.ref.name", "v1"), List.of(BASE));

        assertThat(store.load(archive).getFirst().names()).as("no base name: known by id only").isEmpty();
        assertThat(store.load(archive, "peapod/app").getFirst().names()).containsExactly("docker.io/peapod/app:v1");
        Path withContainerdName = ociArchive("named.tar", Map.of("org.opencontainers.image.ref.name", "v1",
                "io.containerd.image.name", "docker.io/library/base:v1"), List.of(BASE));
        assertThat(store.load(withContainerdName).getFirst().names())
                .containsExactlyInAnyOrder("docker.io/peapod/app:v1", "docker.io/library/base:v1");
    }

    @Test
    void followsLinksInsideDockerSaveArchivesAndListsARepeatedLayerOnce() throws IOException {
        byte[] config = config(diffIds(List.of(BASE, APP, BASE)), List.of("sh"), Map.of());
        var manifest = TestArchives.JSON.createArrayNode().addObject();
        manifest.put("Config", TestArchives.hex(config) + ".json");
        manifest.set("Layers", TestArchives.JSON.valueToTree(List.of("l1/layer.tar", "l2/layer.tar", "l3/layer.tar")));
        manifest.set("RepoTags", TestArchives.JSON.valueToTree(List.of("dup:1")));
        byte[] archive = tar(t -> t.file("manifest.json", new String(TestArchives.bytes(List.of(manifest)),
                        java.nio.charset.StandardCharsets.UTF_8))
                .file(TestArchives.hex(config) + ".json", config, 0644, 0, 0)
                .file("l1/layer.tar", BASE.blob(), 0644, 0, 0)
                .file("l2/layer.tar", APP.blob(), 0644, 0, 0)
                .symlink("l3", "l1")
                .hardlink("other/copy.tar", "l1/layer.tar"));

        Image image = store.load(TestArchives.write(tmp, "dup.tar", archive)).getFirst();

        assertThat(image.diffIds()).hasSize(3);
        List<Path> dirs = store.layerDirs(image);
        assertThat(dirs).hasSize(2);
        assertThat(Files.readString(dirs.getFirst().resolve("etc/os"))).as("BASE at its topmost place").isEqualTo("base");
    }

    @Test
    void storesWhiteoutsAsOverlayMarkers() throws IOException {
        Layer upper = new Layer(tar(t -> t.file("etc/.wh.os", "").file("bin/.wh..wh..opq", "")), Compression.GZIP);
        Image image = store.load(dockerArchive("wh.tar", List.of("wh"), List.of(BASE, upper))).getFirst();

        Path top = store.layerDirs(image).getFirst();
        assertThat((Integer) Files.getAttribute(top.resolve("etc/os"), "unix:mode") & 0170000).isEqualTo(LibC.S_IFCHR);
        assertThat(Files.getAttribute(top.resolve("etc/os"), "unix:rdev")).isEqualTo(0L);
        assertThat(LibC.lgetxattr(top.resolve("bin"), "trusted.overlay.opaque")).containsExactly('y');
    }

    @Test
    void sharesLayersAndRemovesOnlyUnreferencedOnes() {
        Image first = store.load(dockerArchive("a.tar", List.of("a:1", "a:2"), List.of(BASE, APP))).getFirst();
        Image second = store.load(ociArchive("b.tar", Map.of("org.opencontainers.image.ref.name", "b/b:1"),
                List.of(BASE, EXTRA))).getFirst();
        assertThat(layerDirCount()).isEqualTo(3);

        assertThat(store.remove("a:2")).as("one of two names").isTrue();
        assertThat(store.resolve("a:1")).isPresent();
        assertThat(layerDirCount()).isEqualTo(3);

        assertThat(store.remove("a:1")).isTrue();
        assertThat(store.resolve(first.id())).isEmpty();
        assertThat(layerDirCount()).as("APP freed, BASE still used").isEqualTo(2);
        assertThat(root.resolve("blobs/sha256").resolve(first.id().substring(7))).doesNotExist();
        assertThat(store.layerDirs(second)).hasSize(2);

        assertThat(store.remove(second.id().substring(7, 19))).as("by id prefix").isTrue();
        assertThat(store.list()).isEmpty();
        assertThat(TestArchives.tree(root.resolve("layers"))).isEmpty();
        assertThat(TestArchives.tree(root.resolve("blobs/sha256"))).isEmpty();
        assertThat(store.remove("a:1")).isFalse();
    }

    @Test
    void aNameMovesToTheNewestImageAndTheOldOneStaysById() {
        Image old = store.load(dockerArchive("old.tar", List.of("app:latest"), List.of(BASE))).getFirst();
        Image current = store.load(dockerArchive("new.tar", List.of("app:latest"), List.of(BASE, APP))).getFirst();

        assertThat(store.resolve("app")).contains(current);
        assertThat(store.resolve(old.id()).orElseThrow().names()).isEmpty();
        assertThat(store.list()).hasSize(2);
    }

    @Test
    void persistsAVersionedIndexAndUnpacksMissingLayersAgain() throws IOException {
        Image image = store.load(dockerArchive("p.tar", List.of("p"), List.of(BASE, APP))).getFirst();
        assertThat(TestArchives.JSON.readTree(root.resolve("index.json").toFile()).path("version").asInt()).isEqualTo(1);

        LocalImageStore reopened = new LocalImageStore(root);
        assertThat(reopened.resolve("p")).contains(image);
        Path top = reopened.layerDirs(image).getFirst();
        FileTrees.deleteRecursively(top);
        assertThat(reopened.layerDirs(image).getFirst()).isEqualTo(top);
        assertThat(Files.readString(top.resolve("app/run"))).isEqualTo("app");
    }

    @Test
    void concurrentLoadsOfOneArchiveStoreItOnce() throws Exception {
        Path archive = dockerArchive("c.tar", List.of("c"), List.of(BASE, APP, EXTRA));
        LocalImageStore other = new LocalImageStore(root);
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<Image>> a = pool.submit(() -> { start.await(); return store.load(archive); });
            Future<List<Image>> b = pool.submit(() -> { start.await(); return other.load(archive); });
            start.countDown();
            assertThat(a.get()).isEqualTo(b.get());
        }
        assertThat(store.list()).hasSize(1);
        assertThat(layerDirCount()).isEqualTo(3);
        assertThat(TestArchives.tree(root)).noneMatch(p -> p.contains(FileTrees.TEMP_PREFIX));
        assertThat(TestArchives.tree(root.resolve("tmp"))).isEmpty();
        assertThat(TestArchives.tree(root.resolve("blobs/sha256"))).hasSize(4);
    }

    private long layerDirCount() {
        try (var s = Files.list(root.resolve("layers"))) {
            return s.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
