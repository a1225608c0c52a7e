package dev.peapod.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.image.ArchiveImage.BlobRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads an OCI image layout (image-spec image-layout.md): {@code oci-layout}, {@code index.json}
 * whose manifests name images through annotations, and content in {@code blobs/sha256/<hex>}.
 * Nested indexes (multi-platform images) resolve to the manifest for this host's platform.
 */
final class OciLayoutReader {
    static final String LAYOUT = "oci-layout";
    static final String INDEX = "index.json";
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** Written by containerd's and Docker 25's exporters next to a tag-only ref.name. */
    private static final String CONTAINERD_NAME = "io.containerd.image.name";

    private static final Set<String> MANIFESTS = Set.of(
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Set<String> INDEXES = Set.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final Set<String> CONFIGS = Set.of(
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.docker.container.image.v1+json");
    /** Layer types whose content is a tar (compression is detected from the bytes). */
    private static final Set<String> LAYERS = Set.of(
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
            "application/vnd.docker.image.rootfs.diff.tar",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");

    private final StagedArchive archive;
    private final String baseName;

    private OciLayoutReader(StagedArchive archive, String baseName) {
        this.archive = archive;
        this.baseName = baseName;
    }

    /**
     * @param baseName repository for tag-only {@code ref.name} annotations (containerd's
     *                 {@code ctr import --base-name}); null leaves such images unnamed
     */
    static List<ArchiveImage> read(StagedArchive archive, String baseName) throws IOException {
        return new OciLayoutReader(archive, baseName).read();
    }

    private List<ArchiveImage> read() throws IOException {
        if (!DockerSaveReader.parse(archive, LAYOUT).path("imageLayoutVersion").isTextual()) {
            throw archive.error(LAYOUT + " has no imageLayoutVersion", null);
        }
        JsonNode index = DockerSaveReader.parse(archive, INDEX);
        List<ArchiveImage> images = new ArrayList<>();
        for (JsonNode descriptor : index.path("manifests")) {
            BlobRef manifest = platformManifest(descriptor(descriptor), 0);
            images.add(image(names(descriptor.path("annotations")), manifest));
        }
        if (images.isEmpty()) {
            throw archive.error(INDEX + " lists no manifests", null);
        }
        return images;
    }

    private ArchiveImage image(List<ImageReference> names, BlobRef manifestRef) throws IOException {
        JsonNode manifest = verified(manifestRef);
        BlobRef config = descriptor(manifest.path("config"));
        if (config.mediaType() != null && !CONFIGS.contains(config.mediaType())) {
            throw archive.error("manifest " + manifestRef.digest() + " is not a container image (config media type "
                    + config.mediaType() + ")", null);
        }
        List<BlobRef> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            BlobRef layer = descriptor(l);
            if (!LAYERS.contains(layer.mediaType())) {
                throw archive.error("manifest " + manifestRef.digest() + ": unsupported layer media type \""
                        + layer.mediaType() + "\"", null);
            }
            layers.add(layer);
        }
        return new ArchiveImage(names, manifestRef, config, layers);
    }

    /** Follows image indexes down to the manifest for this platform. */
    private BlobRef platformManifest(BlobRef ref, int depth) throws IOException {
        if (depth > 4) {
            throw archive.error("image indexes nest too deeply", null);
        }
        JsonNode doc = ref.mediaType() == null || INDEXES.contains(ref.mediaType())
                ? verified(ref) : null;
        boolean isIndex = ref.mediaType() == null ? doc.has("manifests") : INDEXES.contains(ref.mediaType());
        if (!isIndex) {
            if (ref.mediaType() != null && !MANIFESTS.contains(ref.mediaType())) {
                throw archive.error("unsupported manifest media type \"" + ref.mediaType() + "\"", null);
            }
            return ref;
        }
        List<JsonNode> candidates = new ArrayList<>();
        doc.path("manifests").forEach(candidates::add);
        for (JsonNode m : candidates) {
            JsonNode platform = m.path("platform");
            if (candidates.size() == 1 || (platform.path("os").asText("").equals("linux")
                    && platform.path("architecture").asText("").equals(hostArchitecture()))) {
                return platformManifest(descriptor(m), depth + 1);
            }
        }
        throw archive.error("image index " + ref.digest() + " has no manifest for linux/" + hostArchitecture(), null);
    }

    /** Names from annotations, following containerd's import: a ref.name with "/", ":" or "@" is a full reference. */
    private List<ImageReference> names(JsonNode annotations) {
        String full = annotations.path(CONTAINERD_NAME).asText(null);
        String ref = annotations.path(REF_NAME).asText(null);
        if (full == null && ref != null) {
            if (ref.contains("/") || ref.contains(":") || ref.contains("@")) {
                full = ref;
            } else if (baseName != null) {
                full = baseName + ":" + ref;
            }
        }
        if (full == null) {
            return List.of();
        }
        try {
            return List.of(ImageReference.parse(full));
        } catch (ImageException e) {
            throw archive.error(INDEX + ": image name: " + e.getMessage(), e);
        }
    }

    /** A JSON blob whose content is checked against its descriptor before anything in it is trusted. */
    private JsonNode verified(BlobRef ref) throws IOException {
        byte[] content = archive.readDocument(ref.entry());
        String actual = Digests.of(content);
        if (!actual.equals(ref.digest())) {
            throw archive.error("entry \"" + ref.entry() + "\": digest mismatch: expected " + ref.digest()
                    + ", content is " + actual, null);
        }
        return DockerSaveReader.parse(archive, ref.entry(), content);
    }

    private BlobRef descriptor(JsonNode d) {
        String digest = d.path("digest").asText("");
        if (!Digests.isSha256(digest)) {
            throw archive.error("descriptor digest \"" + digest + "\" is not a sha256 digest", null);
        }
        long size = d.path("size").isIntegralNumber() ? d.path("size").asLong() : -1;
        return new BlobRef("blobs/sha256/" + Digests.hex(digest), digest, size, d.path("mediaType").asText(null));
    }

    static String hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case String other -> other;
        };
    }
}
