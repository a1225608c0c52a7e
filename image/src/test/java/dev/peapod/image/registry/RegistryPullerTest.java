package dev.peapod.image.registry;

import static dev.peapod.image.registry.FakeRegistry.Layer;
import static dev.peapod.image.registry.FakeRegistry.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.image.Image;
import dev.peapod.image.ImagePuller.Credentials;
import dev.peapod.image.LocalImageStore;
import dev.peapod.image.PullProgress;
import dev.peapod.image.registry.RegistryException.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryPullerTest {
    @TempDir Path dir;
    FakeRegistry registry;
    LocalImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        registry = new FakeRegistry();
        store = new LocalImageStore(dir.resolve("images"));
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    RegistryPuller puller(List<Credentials> creds) {
        return new RegistryPuller(store, new RegistryPuller.Options(RegistriesConf.EMPTY, List.of(registry.certsDir()),
                creds, true, 4));
    }

    String ref(String repoTag) {
        return registry.host() + "/" + repoTag;
    }

    private List<Layer> twoLayers() {
        return List.of(Layer.gzip(tar("bin/sh", "shell", "etc/os-release", "fake")), Layer.plain(tar("app/hello", "hi")));
    }

    @Test
    void pullsAnImageAndUnpacksItsLayers() throws IOException {
        List<Layer> layers = twoLayers();
        String manifest = registry.image("test", "1.0", layers, m -> { });
        Image image = puller(List.of()).pull(ref("test:1.0"), List.of(), PullProgress.NONE);

        assertThat(image.names()).containsExactly(registry.host() + "/test:1.0");
        assertThat(store.resolve(ref("test:1.0"))).isPresent();
        assertThat(store.resolve(ref("test@" + manifest))).isPresent();
        List<Path> dirs = store.layerDirs(image);
        assertThat(Files.readString(dirs.get(0).resolve("app/hello"))).isEqualTo("hi");
        assertThat(Files.readString(dirs.get(1).resolve("bin/sh"))).isEqualTo("shell");
        assertThat(importLeftovers()).isEmpty();
    }

    @Test
    void aLayerAlreadyStoredIsNotFetchedAgain() {
        List<Layer> layers = twoLayers();
        registry.image("test", "1.0", layers, m -> { });
        registry.image("test", "2.0", List.of(layers.get(0), Layer.plain(tar("app/v2", "two"))), m -> { });
        RegistryPuller puller = puller(List.of());
        puller.pull(ref("test:1.0"), List.of(), PullProgress.NONE);
        puller.pull(ref("test:2.0"), List.of(), PullProgress.NONE);
        puller.pull(ref("test:1.0"), List.of(), PullProgress.NONE);

        assertThat(registry.blobGets(FakeRegistry.sha256(layers.get(0).blob()))).isEqualTo(1);
        assertThat(registry.blobGets(FakeRegistry.sha256(layers.get(1).blob()))).isEqualTo(1);
    }

    @Test
    void closeEndsTheHttpClientsThreadsAndALaterPullMakesNewOnes() throws Exception {
        registry.image("test", "1.0", twoLayers(), m -> { });
        Set<Thread> before = selectorThreads();
        RegistryPuller puller = puller(List.of());
        puller.pull(ref("test:1.0"), List.of(), PullProgress.NONE);
        Set<Thread> mine = selectorThreads();
        mine.removeAll(before);
        assertThat(mine).as("the puller's HttpClient selector threads").isNotEmpty();

        puller.close();
        for (Thread t : mine) {
            t.join(5000);
            assertThat(t.isAlive()).as(t.getName() + " after close").isFalse();
        }
        store.remove(ref("test:1.0"));
        assertThat(puller.pull(ref("test:1.0"), List.of(), PullProgress.NONE).names())
                .containsExactly(registry.host() + "/test:1.0");
        puller.close();
    }

    private static Set<Thread> selectorThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().endsWith("-SelectorManager")) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void concurrentPullsOfOneImageShareOneDownload() throws Exception {
        Layer layer = Layer.gzip(tar("big", "x".repeat(100_000)));
        registry.image("test", "1.0", List.of(layer), m -> { });
        String digest = FakeRegistry.sha256(layer.blob());
        CountDownLatch release = new CountDownLatch(1);
        registry.override("/v2/test/blobs/" + digest, ex -> {
            registry.blobGets.computeIfAbsent(digest, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
            await(release);
            FakeRegistry.send(ex, 200, "application/octet-stream", layer.blob());
        });
        RegistryPuller puller = puller(List.of());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Image>> pulls = Stream.generate(() -> pool.submit(
                    () -> puller.pull(ref("test:1.0"), List.of(), PullProgress.NONE))).limit(4).toList();
            Thread.sleep(300); // let all four reach the registry or the in-flight pull
            release.countDown();
            for (Future<Image> f : pulls) {
                assertThat(f.get(30, TimeUnit.SECONDS).names()).containsExactly(registry.host() + "/test:1.0");
            }
        }
        assertThat(registry.blobGets(digest)).isEqualTo(1);
    }

    @Test
    void pickedFromAnIndexForThisHostsPlatform() {
        String amd64 = registry.image("test", null, List.of(Layer.plain(tar("arch", "amd64"))), m -> { });
        String arm64 = registry.image("test", null, List.of(Layer.plain(tar("arch", "arm64"))), m -> { });
        ObjectNode index = FakeRegistry.JSON.createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", Manifests.OCI_INDEX);
        ArrayNode ms = index.putArray("manifests");
        ms.add(platform(arm64, "arm64"));
        ms.add(platform(amd64, "amd64"));
        String indexDigest = registry.putManifest("test", "multi", Manifests.OCI_INDEX, FakeRegistry.bytes(index));

        Image image = puller(List.of()).pull(ref("test:multi"), List.of(), PullProgress.NONE);
        String want = Manifests.hostArchitecture();
        assertThat(store.layerDirs(image).getFirst().resolve("arch")).hasContent(want);
        assertThat(store.resolve(ref("test@" + indexDigest))).isPresent();
    }

    private ObjectNode platform(String digest, String arch) {
        ObjectNode d = FakeRegistry.descriptor(Manifests.OCI_MANIFEST, digest, 100);
        d.putObject("platform").put("os", "linux").put("architecture", arch);
        return d;
    }

    @Test
    void bearerTokenFlowWithCredentials() {
        registry.image("test", "1.0", twoLayers(), m -> { });
        registry.bearerAuth("alice", "s3cret");
        Image image = puller(List.of()).pull(ref("test:1.0"),
                List.of(new Credentials(registry.host(), "alice", "s3cret")), PullProgress.NONE);
        assertThat(image.names()).hasSize(1);
        // One token for the pull: later requests reuse it.
        assertThat(registry.tokenRequests.get()).isEqualTo(1);
    }

    @Test
    void bearerTokenFlowWithWrongCredentialsSaysUnauthorized() {
        registry.image("test", "1.0", twoLayers(), m -> { });
        registry.bearerAuth("alice", "s3cret");
        assertThatThrownBy(() -> puller(List.of(new Credentials(registry.host(), "alice", "wrong")))
                .pull(ref("test:1.0"), List.of(), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED))
                .hasMessageContaining("unauthorized").hasMessageContaining("alice");
    }

    @Test
    void basicAuthTriesEachCredentialInTurn() {
        registry.image("test", "1.0", twoLayers(), m -> { });
        registry.basicAuth("bob", "pw");
        Image image = puller(List.of(new Credentials(registry.host(), "bob", "pw")))
                .pull(ref("test:1.0"), List.of(new Credentials(registry.host(), "bob", "old"),
                        new Credentials("other.example", "x", "y")), PullProgress.NONE);
        assertThat(image.names()).hasSize(1);
    }

    @Test
    void basicAuthWithoutCredentialsSaysSo() {
        registry.image("test", "1.0", twoLayers(), m -> { });
        registry.basicAuth("bob", "pw");
        assertThatThrownBy(() -> puller(List.of()).pull(ref("test:1.0"), List.of(), PullProgress.NONE))
                .hasMessageContaining("unauthorized").hasMessageContaining("none is configured for " + registry.host());
    }

    @Test
    void unknownManifestIsNotFound() {
        assertThatThrownBy(() -> puller(List.of()).pull(ref("test:nope"), List.of(), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND))
                .hasMessageContaining("not found: MANIFEST_UNKNOWN: manifest unknown");
    }

    @Test
    void unreachableRegistryIsANetworkError() {
        registry.close();
        assertThatThrownBy(() -> puller(List.of()).pull(ref("test:1.0"), List.of(), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NETWORK))
                .hasMessageContaining("network");
    }

    // ---- hostile registries: refused, nothing stored ----

    @Test
    void layerWithWrongDigestIsRefused() {
        Layer good = Layer.gzip(tar("a", "good"));
        registry.image("test", "1.0", List.of(good), m -> { });
        registry.override("/v2/test/blobs/" + FakeRegistry.sha256(good.blob()),
                ex -> FakeRegistry.send(ex, 200, "application/octet-stream", Layer.gzip(tar("a", "evil")).blob()));
        assertRefused(Kind.DIGEST_MISMATCH, "mismatch");
    }

    @Test
    void manifestNotMatchingItsDigestIsRefused() {
        String digest = registry.image("test", "1.0", twoLayers(), m -> { });
        registry.override("/v2/test/manifests/" + digest,
                ex -> FakeRegistry.send(ex, 200, Manifests.OCI_MANIFEST, "{\"schemaVersion\":2}".getBytes()));
        assertThatThrownBy(() -> puller(List.of()).pull(ref("test@" + digest), List.of(), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.DIGEST_MISMATCH))
                .hasMessageContaining("digest mismatch");
        assertNothingStored();
    }

    @Test
    void hugeManifestIsRefused() {
        byte[] huge = new byte[RegistryPuller.MAX_MANIFEST + 10];
        java.util.Arrays.fill(huge, (byte) ' ');
        registry.override("/v2/test/manifests/1.0", ex -> FakeRegistry.send(ex, 200, Manifests.OCI_MANIFEST, huge));
        assertRefused(Kind.REFUSED, "larger than 4 MiB");
    }

    @Test
    void endlessLayerStreamIsCutOffAtTheDescriptorSize() {
        Layer good = Layer.plain(tar("a", "good"));
        registry.image("test", "1.0", List.of(good), m -> { });
        registry.override("/v2/test/blobs/" + FakeRegistry.sha256(good.blob()), ex -> {
            ex.sendResponseHeaders(200, 0); // chunked, never ends on its own
            try (OutputStream out = ex.getResponseBody()) {
                out.write(good.blob());
                byte[] zeros = new byte[64 << 10];
                for (int i = 0; i < 16 * 1024; i++) { // up to 1 GiB: the client must stop long before
                    out.write(zeros);
                }
            } catch (IOException e) {
                // the client hung up: expected
            }
        });
        assertRefused(Kind.DIGEST_MISMATCH, "sent more than");
    }

    @Test
    void redirectLoopIsRefused() {
        registry.override("/v2/test/manifests/1.0", ex -> {
            ex.getResponseHeaders().add("Location", "/v2/test/manifests/1.0");
            ex.sendResponseHeaders(302, -1);
        });
        assertRefused(Kind.REFUSED, "redirects");
    }

    @Test
    void layerEntryEscapingItsDirectoryIsRefused() {
        registry.image("test", "1.0", List.of(Layer.gzip(tar("../../etc/evil", "x"))), m -> { });
        assertRefused(Kind.REFUSED, "escapes");
        assertThat(dir.resolve("etc/evil")).doesNotExist();
    }

    private void assertRefused(Kind kind, String message) {
        assertThatThrownBy(() -> puller(List.of()).pull(ref("test:1.0"), List.of(), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .hasMessageContaining(message);
        assertNothingStored();
    }

    private void assertNothingStored() {
        assertThat(store.list()).isEmpty();
        try (var blobs = Files.list(store.root().resolve("blobs/sha256")); var layers = Files.list(store.root().resolve("layers"))) {
            assertThat(blobs.toList()).isEmpty();
            assertThat(layers.toList()).isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(importLeftovers()).isEmpty();
    }

    private List<Path> importLeftovers() {
        try (var tmp = Files.list(store.root().resolve("tmp"))) {
            return tmp.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void mirrorsAreTriedFirst() throws IOException {
        try (FakeRegistry mirror = new FakeRegistry()) {
            List<Layer> layers = twoLayers();
            mirror.image("test", "1.0", layers, m -> { });
            RegistriesConf conf = RegistriesConf.parse("""
                    [[registry]]
                    location = "%s"
                    [[registry.mirror]]
                    location = "%s"
                    """.formatted(registry.host(), mirror.host()));
            RegistryPuller p = new RegistryPuller(store, new RegistryPuller.Options(conf,
                    List.of(registry.certsDir(), mirror.certsDir()), List.of(), true, 4));
            Image image = p.pull(ref("test:1.0"), List.of(), PullProgress.NONE);
            assertThat(image.names()).containsExactly(registry.host() + "/test:1.0");
            assertThat(mirror.blobGets(FakeRegistry.sha256(layers.get(0).blob()))).isEqualTo(1);
        }
    }

    @Test
    void withoutTheRegistrysCaTheCertificateIsRefused() {
        registry.image("test", "1.0", twoLayers(), m -> { });
        assertThatThrownBy(() -> new RegistryPuller(store, new RegistryPuller.Options(RegistriesConf.EMPTY, List.of(),
                List.of(), true, 4)).pull(ref("test:1.0"), List.of(), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TLS))
                .hasMessageContaining("TLS");
    }

    @Test
    void insecureRegistryOverPlainHttp() throws IOException {
        try (FakeRegistry plain = new FakeRegistry(false)) {
            plain.image("test", "1.0", twoLayers(), m -> { });
            RegistryPuller p = new RegistryPuller(store, new RegistryPuller.Options(plain.conf(), List.of(), List.of(), true, 4));
            Image image = p.pull(plain.host() + "/test:1.0", List.of(), PullProgress.NONE);
            assertThat(image.names()).containsExactly(plain.host() + "/test:1.0");
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
