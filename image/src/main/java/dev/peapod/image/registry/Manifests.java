package dev.peapod.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peapod.image.registry.RegistryException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a tag or digest to an image manifest (OCI image-spec manifest.md, Docker image
 * manifest v2 schema 2), following an image index / manifest list to the entry for linux and this
 * host's architecture (image-spec image-index.md {@code platform}). Every document is bounded
 * ({@link RegistryPuller#MAX_MANIFEST}) and checked against the digest it was asked for; a tag's
 * manifest against the {@code Docker-Content-Digest} the registry sends with it.
 */
final class Manifests {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);
    private static final Set<String> CONFIGS = Set.of(
            "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json");
    /** Layer types whose content is a tar, plain, gzip or zstd (the store sniffs which). */
    private static final Set<String> LAYERS = Set.of(
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.docker.image.rootfs.diff.tar",
            "application/vnd.docker.image.rootfs.diff.tar.gzip");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEPTH = 2;

    /** A content descriptor (image-spec descriptor.md). */
    record Descriptor(String mediaType, String digest, long size) {}

    /** A manifest's config and layers. */
    record Image(Descriptor config, List<Descriptor> layers) {}

    /**
     * @param digests   the digests followed, the index's first, the manifest's last
     * @param documents the index and manifest bytes by digest, to keep in the store
     */
    record Resolved(List<String> digests, Map<String, byte[]> documents, Image image) {}

    private final RegistryClient client;

    Manifests(RegistryClient client) {
        this.client = client;
    }

    /** @param label the reference as users wrote it, for messages */
    Resolved resolve(String tagOrDigest, boolean isDigest, String label) {
        Map<String, byte[]> docs = new LinkedHashMap<>();
        List<String> digests = new ArrayList<>();
        String wanted = tagOrDigest;
        boolean verify = isDigest;
        for (int depth = 0; depth <= MAX_DEPTH; depth++) {
            Fetched f = fetch(wanted, verify, depth == 0 ? "manifest \"" + label + "\"" : "manifest " + wanted);
            docs.put(f.digest(), f.bytes());
            digests.add(f.digest());
            JsonNode doc = parse(f);
            String type = doc.path("mediaType").asText(f.contentType());
            if (doc.path("schemaVersion").asInt(0) == 1 || type.contains("distribution.manifest.v1")) {
                throw new RegistryException(Kind.PROTOCOL, "manifest " + f.digest()
                        + " is Docker schema 1, which is deprecated and not supported");
            }
            if (type.equals(OCI_INDEX) || type.equals(DOCKER_LIST) || (!doc.has("config") && doc.has("manifests"))) {
                wanted = platformEntry(doc, f.digest());
                verify = true;
                continue;
            }
            return new Resolved(digests, docs, image(doc, f.digest()));
        }
        throw new RegistryException(Kind.REFUSED, "image indexes of " + label + " nest too deeply");
    }

    private record Fetched(String digest, byte[] bytes, String contentType) {}

    private Fetched fetch(String reference, boolean verify, String what) {
        HttpResponse<InputStream> r = client.get("manifests/" + reference, ACCEPT, what);
        byte[] bytes;
        try (InputStream in = r.body()) {
            bytes = in.readNBytes(RegistryPuller.MAX_MANIFEST + 1);
        } catch (IOException e) {
            throw new RegistryException(Kind.NETWORK, "failed to fetch " + what + ": network: " + e.getMessage(), e);
        }
        if (bytes.length > RegistryPuller.MAX_MANIFEST) {
            throw new RegistryException(Kind.REFUSED, "failed to fetch " + what + ": refused: the manifest is larger than "
                    + (RegistryPuller.MAX_MANIFEST >> 20) + " MiB");
        }
        String actual = sha256(bytes);
        String expected = verify ? reference : r.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (expected != null && expected.startsWith("sha256:") && !expected.equals(actual)) {
            throw new RegistryException(Kind.DIGEST_MISMATCH, "failed to fetch " + what + ": digest mismatch: expected "
                    + expected + ", content is " + actual);
        }
        if (verify && !reference.startsWith("sha256:")) {
            throw new RegistryException(Kind.PROTOCOL, "failed to fetch " + what + ": unsupported digest algorithm");
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        int semi = type.indexOf(';');
        return new Fetched(actual, bytes, (semi < 0 ? type : type.substring(0, semi)).strip());
    }

    /** A small blob (a config), read whole; its size and digest must be the descriptor's. */
    byte[] blob(Descriptor d, int max, String what) {
        if (d.size() > max) {
            throw new RegistryException(Kind.REFUSED, "failed to fetch " + what + ": refused: " + d.size()
                    + " bytes is more than the " + max + " allowed");
        }
        HttpResponse<InputStream> r = client.get("blobs/" + d.digest(), null, what);
        byte[] bytes;
        try (InputStream in = r.body()) {
            bytes = in.readNBytes((int) d.size() + 1);
        } catch (IOException e) {
            throw new RegistryException(Kind.NETWORK, "failed to fetch " + what + ": network: " + e.getMessage(), e);
        }
        if (bytes.length != d.size()) {
            throw new RegistryException(Kind.DIGEST_MISMATCH, "failed to fetch " + what + ": size mismatch: expected "
                    + d.size() + " bytes, got " + (bytes.length > d.size() ? "more" : bytes.length));
        }
        String actual = sha256(bytes);
        if (!actual.equals(d.digest())) {
            throw new RegistryException(Kind.DIGEST_MISMATCH, "failed to fetch " + what + ": digest mismatch: expected "
                    + d.digest() + ", content is " + actual);
        }
        return bytes;
    }

    private static JsonNode parse(Fetched f) {
        try {
            JsonNode doc = JSON.readTree(f.bytes());
            if (doc == null || !doc.isObject()) {
                throw new RegistryException(Kind.PROTOCOL, "manifest " + f.digest() + " is not a JSON object");
            }
            return doc;
        } catch (IOException e) {
            throw new RegistryException(Kind.PROTOCOL, "manifest " + f.digest() + " is not valid JSON: "
                    + e.getMessage(), e);
        }
    }

    private static String platformEntry(JsonNode index, String digest) {
        String arch = hostArchitecture();
        List<String> seen = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            String os = p.path("os").asText("");
            String a = p.path("architecture").asText("");
            seen.add(os + "/" + a);
            if (os.equals("linux") && a.equals(arch)) {
                return descriptor(m, digest).digest();
            }
        }
        throw new RegistryException(Kind.NOT_FOUND, "image index " + digest + " has no manifest for linux/" + arch
                + " (it has " + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")");
    }

    private static Image image(JsonNode doc, String digest) {
        Descriptor config = descriptor(doc.path("config"), digest);
        if (config.mediaType() != null && !CONFIGS.contains(config.mediaType())) {
            throw new RegistryException(Kind.PROTOCOL, "manifest " + digest + " is not a container image (config media type "
                    + config.mediaType() + ")");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : doc.path("layers")) {
            Descriptor d = descriptor(l, digest);
            if (!LAYERS.contains(d.mediaType())) {
                throw new RegistryException(Kind.PROTOCOL, "manifest " + digest + ": unsupported layer media type \""
                        + d.mediaType() + "\"");
            }
            layers.add(d);
        }
        return new Image(config, List.copyOf(layers));
    }

    private static Descriptor descriptor(JsonNode d, String manifest) {
        String digest = d.path("digest").asText("");
        if (!digest.matches("sha256:[a-f0-9]{64}")) {
            throw new RegistryException(Kind.PROTOCOL, "manifest " + manifest + ": descriptor digest \"" + digest
                    + "\" is not a sha256 digest");
        }
        if (!d.path("size").isIntegralNumber() || d.path("size").asLong() < 0) {
            throw new RegistryException(Kind.PROTOCOL, "manifest " + manifest + ": descriptor " + digest + " has no size");
        }
        return new Descriptor(d.path("mediaType").asText(null), digest, d.path("size").asLong());
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hostArchitecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case String other -> other;
        };
    }
}
