package dev.peapod.e2e;

import static dev.peapod.e2e.RestartAndTerminationE2eTest.waitingReason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.image.Image;
import dev.peapod.image.ImagePuller.Credentials;
import dev.peapod.image.LocalImageStore;
import dev.peapod.image.PullProgress;
import dev.peapod.image.registry.RegistriesConf;
import dev.peapod.image.registry.RegistryException;
import dev.peapod.image.registry.RegistryException.Kind;
import dev.peapod.image.registry.RegistryPuller;
import dev.peapod.testing.LocalRegistry;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a real registry: Debian's docker-registry on 127.0.0.1 with TLS (a CA made for the
 * test, trusted through a certs.d directory) and htpasswd basic auth, images pushed by skopeo.
 * The client tests use a private store; the pod tests run real pods whose image exists only in the
 * registry, with the credentials from an imagePullSecret.
 */
class RegistryE2eTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path tmp;
    static LocalRegistry registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = LocalRegistry.start(tmp.resolve("registry"));
        registry.push("oci-archive:" + Harness.testImage(), "peapod/busybox:1.0", false);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
    }

    static RegistryPuller puller(LocalImageStore store, List<Path> certsDirs) {
        return new RegistryPuller(store, new RegistryPuller.Options(RegistriesConf.EMPTY, certsDirs, List.of(), true, 6));
    }

    static Credentials creds(String password) {
        return new Credentials(registry.host(), LocalRegistry.USER, password);
    }

    @Test
    void pullsOverTlsWithBasicAuth(@TempDir Path dir) throws Exception {
        var store = new LocalImageStore(dir);
        Image image = puller(store, List.of(registry.certsDir()))
                .pull(registry.host() + "/peapod/busybox:1.0", List.of(creds(LocalRegistry.PASSWORD)), PullProgress.NONE);
        assertThat(image.names()).containsExactly(registry.host() + "/peapod/busybox:1.0");
        assertThat(image.config().cmd()).containsExactly("sh");
        assertThat(store.layerDirs(image).getFirst().resolve("bin/busybox")).isRegularFile();
        // Same id as the archive the image was pushed from: the same config, byte for byte.
        var loaded = new LocalImageStore(dir.resolve("loaded")).load(Harness.testImage()).getFirst();
        assertThat(image.id()).isEqualTo(loaded.id());
    }

    @Test
    void wrongPasswordIsUnauthorized(@TempDir Path dir) {
        assertThatThrownBy(() -> puller(new LocalImageStore(dir), List.of(registry.certsDir()))
                .pull(registry.host() + "/peapod/busybox:1.0", List.of(creds("wrong")), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED))
                .hasMessageContaining("unauthorized");
    }

    @Test
    void unknownCaIsATlsError(@TempDir Path dir) {
        assertThatThrownBy(() -> puller(new LocalImageStore(dir), List.of())
                .pull(registry.host() + "/peapod/busybox:1.0", List.of(creds(LocalRegistry.PASSWORD)), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TLS))
                .hasMessageContaining("TLS");
    }

    @Test
    void picksThisPlatformFromAMultiPlatformIndex(@TempDir Path dir) throws Exception {
        Path layout = dir.resolve("layout");
        OciLayout.write(layout, "multi", List.of("arm64", "amd64", "s390x"));
        registry.push("oci:" + layout + ":multi", "peapod/multi:1", true);
        var store = new LocalImageStore(dir.resolve("store"));
        Image image = puller(store, List.of(registry.certsDir()))
                .pull(registry.host() + "/peapod/multi:1", List.of(creds(LocalRegistry.PASSWORD)), PullProgress.NONE);
        String arch = System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
        assertThat(store.layerDirs(image).getFirst().resolve("arch")).hasContent(arch);
    }

    @Test
    void corruptedBlobIsADigestMismatchAndNothingIsStored(@TempDir Path dir) throws Exception {
        Path layout = dir.resolve("layout");
        String layer = OciLayout.write(layout, "one", List.of("amd64".equals(hostArch()) ? "amd64" : "arm64")).getFirst();
        registry.push("oci:" + layout + ":one", "peapod/corrupt:1", true);
        Path data = registry.blobData(layer);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x55; // same size, other content: the registry serves it as is
        Files.write(data, bytes);
        var store = new LocalImageStore(dir.resolve("store"));
        assertThatThrownBy(() -> puller(store, List.of(registry.certsDir()))
                .pull(registry.host() + "/peapod/corrupt:1", List.of(creds(LocalRegistry.PASSWORD)), PullProgress.NONE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.DIGEST_MISMATCH))
                .hasMessageContaining("mismatch");
        assertThat(store.list()).isEmpty();
        try (var files = Files.list(store.root().resolve("layers"))) {
            assertThat(files.toList()).isEmpty();
        }
        try (var files = Files.list(store.root().resolve("tmp"))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    // ---- pods ----

    static String pullSecret() {
        String auth = Base64.getEncoder().encodeToString((LocalRegistry.USER + ":" + LocalRegistry.PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        String json = "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}";
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: regcred}
                type: kubernetes.io/dockerconfigjson
                data:
                  .dockerconfigjson: %s
                """.formatted(Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
    }

    Harness harness() {
        return new Harness(Harness.defaultConfig().withBackoff(Duration.ofMillis(500), Duration.ofSeconds(2)),
                Harness.configSource(pullSecret()), parts -> parts.withPuller(new RegistryPuller(
                        (LocalImageStore) parts.images(),
                        new RegistryPuller.Options(RegistriesConf.EMPTY, List.of(registry.certsDir()), List.of(), true, 6))));
    }

    @Test
    void podRunsAnImageOnlyTheRegistryHasWithItsPullSecret() throws Exception {
        String image = registry.host() + "/peapod/busybox:1.0";
        try (var h = harness()) {
            try {
                Pod pod = h.run("""
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: pulled}
                        spec:
                          restartPolicy: Never
                          imagePullSecrets: [{name: regcred}]
                          containers:
                          - {name: app, image: "%s", imagePullPolicy: Always, command: ["echo", "from the registry"]}
                        """.formatted(image));
                Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
                assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
                assertThat(h.logs(pod, "app")).containsExactly("from the registry");
                String uid = pod.getMetadata().getUid();
                assertThat(h.listener.events(uid, "Pulling")).singleElement()
                        .satisfies(e -> assertThat(e.message()).isEqualTo("Pulling image \"" + image + "\""));
                assertThat(h.listener.events(uid, "Pulled")).singleElement()
                        .satisfies(e -> assertThat(e.message()).startsWith("Successfully pulled image \"" + image + "\" in ")
                                .contains("including waiting). Image size: "));
            } finally {
                h.engine.images().remove(image);
            }
        }
    }

    @Test
    void withoutThePullSecretThePullIsUnauthorizedAndBacksOff() throws Exception {
        String image = registry.host() + "/peapod/busybox:1.0";
        try (var h = harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: no-secret}
                    spec:
                      containers:
                      - {name: app, image: "%s"}
                    """.formatted(image));
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingReason(h.latest(pod)).equals("ErrImagePull"));
            assertThat(h.latest(pod).getStatus().getContainerStatuses().getFirst().getState().getWaiting().getMessage())
                    .contains("unauthorized");
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingReason(h.latest(pod)).equals("ImagePullBackOff"));
            Pod never = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: never}
                    spec:
                      imagePullSecrets: [{name: regcred}]
                      containers:
                      - {name: app, image: "%s", imagePullPolicy: Never}
                    """.formatted(image));
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingReason(h.latest(never)).equals("ErrImageNeverPull"));
            assertThat(h.engine.images().resolve(image)).isEmpty();
        }
    }

    static String hostArch() {
        return System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
    }

    /** Writes an OCI image layout whose tag names an index of one tiny image per architecture. */
    static final class OciLayout {
        /** @return the layer digests, in {@code arches} order */
        static List<String> write(Path dir, String tag, List<String> arches) throws IOException {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2)
                    .put("mediaType", "application/vnd.oci.image.index.v1+json");
            var manifests = index.putArray("manifests");
            var layers = new java.util.ArrayList<String>();
            for (String arch : arches) {
                byte[] tar = tar("arch", arch);
                byte[] gz = gzip(tar);
                ObjectNode config = JSON.createObjectNode().put("architecture", arch).put("os", "linux");
                config.putObject("config").putArray("Cmd").add("sh");
                config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(sha256(tar));
                ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                        .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
                manifest.set("config", blob(dir, "application/vnd.oci.image.config.v1+json", JSON.writeValueAsBytes(config)));
                ObjectNode layer = blob(dir, "application/vnd.oci.image.layer.v1.tar+gzip", gz);
                layers.add(layer.get("digest").asText());
                manifest.putArray("layers").add(layer);
                ObjectNode d = blob(dir, "application/vnd.oci.image.manifest.v1+json", JSON.writeValueAsBytes(manifest));
                d.putObject("platform").put("architecture", arch).put("os", "linux");
                manifests.add(d);
            }
            ObjectNode top = JSON.createObjectNode().put("schemaVersion", 2);
            ObjectNode d = blob(dir, "application/vnd.oci.image.index.v1+json", JSON.writeValueAsBytes(index));
            d.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
            top.putArray("manifests").add(d);
            Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(top));
            return layers;
        }

        private static ObjectNode blob(Path dir, String mediaType, byte[] content) throws IOException {
            String digest = sha256(content);
            Files.write(dir.resolve("blobs/sha256").resolve(digest.substring(7)), content);
            return JSON.createObjectNode().put("mediaType", mediaType).put("digest", digest).put("size", content.length);
        }

        private static byte[] tar(String name, String content) throws IOException {
            var bytes = new ByteArrayOutputStream();
            try (var out = new TarArchiveOutputStream(bytes)) {
                byte[] c = content.getBytes(StandardCharsets.UTF_8);
                var e = new TarArchiveEntry(name);
                e.setSize(c.length);
                out.putArchiveEntry(e);
                out.write(c);
                out.closeArchiveEntry();
            }
            return bytes.toByteArray();
        }

        private static byte[] gzip(byte[] in) throws IOException {
            var bytes = new ByteArrayOutputStream();
            try (var out = new GZIPOutputStream(bytes)) {
                out.write(in);
            }
            return bytes.toByteArray();
        }

        static String sha256(byte[] content) {
            try {
                return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
