package dev.peapod.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Small OCI image-layout archives built by the tests (tar(1) for the layers and the archive): an
 * image with several layers whose files are given per layer, named by an
 * {@code org.opencontainers.image.ref.name} annotation.
 */
final class TestImages {
    private TestImages() {}

    /**
     * Writes {@code out}: an image named {@code name} whose layers, base first, hold the given files
     * (path → content); uncompressed layers. A null {@code name} stores the image unnamed (dangling).
     */
    static Path build(Path out, String name, List<Map<String, String>> layers) throws Exception {
        Path work = Files.createTempDirectory("peapod-e2e-image");
        try {
            Path blobs = Files.createDirectories(work.resolve("layout/blobs/sha256"));
            var diffIds = new ArrayList<String>();
            var layerDescriptors = new ArrayList<String>();
            int i = 0;
            for (Map<String, String> files : layers) {
                Path dir = Files.createDirectories(work.resolve("layer" + i));
                for (var f : files.entrySet()) {
                    Path p = dir.resolve(f.getKey());
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, f.getValue());
                }
                Path tar = work.resolve("layer" + i + ".tar");
                run("tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0",
                        "-C", dir.toString(), "-cf", tar.toString(), ".");
                byte[] bytes = Files.readAllBytes(tar);
                String digest = put(blobs, bytes);
                diffIds.add("\"" + digest + "\"");
                layerDescriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar", digest, bytes.length));
                i++;
            }
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-02T03:04:05Z\","
                    + "\"config\":{\"Labels\":{\"test\":\"peapod\"}},"
                    + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}")
                    .getBytes(StandardCharsets.UTF_8);
            String configDigest = put(blobs, config);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                    + ",\"layers\":[" + String.join(",", layerDescriptors) + "]}").getBytes(StandardCharsets.UTF_8);
            String manifestDigest = put(blobs, manifest);
            Files.writeString(work.resolve("layout/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Files.writeString(work.resolve("layout/index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
                    + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest
                    + "\",\"size\":" + manifest.length + (name == null ? "" : ",\"annotations\":{"
                    + "\"org.opencontainers.image.ref.name\":\"" + name + "\"}") + "}]}");
            run("tar", "-C", work.resolve("layout").toString(), "-cf", out.toString(), ".");
            return out;
        } finally {
            run("rm", "-rf", work.toString());
        }
    }

    private static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    private static String put(Path blobs, byte[] bytes) throws IOException, NoSuchAlgorithmException {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.write(blobs.resolve(hex), bytes);
        return "sha256:" + hex;
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        var p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", argv) + " failed: " + output);
    }
}
