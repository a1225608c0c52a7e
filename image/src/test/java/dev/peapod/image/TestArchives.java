package dev.peapod.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Small in-memory tars, layers and image archives for tests. */
final class TestArchives {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant MTIME = Instant.parse("2020-02-02T02:02:02Z");

    private TestArchives() {}

    /** Builds a tar; entry names are written exactly as given (absolute and {@code ..} included). */
    static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

        Tar() {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        Tar file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
        }

        Tar file(String name, byte[] content, int mode, int uid, int gid) {
            TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
            e.setMode(mode);
            e.setIds(uid, gid);
            e.setSize(content.length);
            return put(e, content);
        }

        Tar dir(String name, int mode) {
            TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
            e.setMode(mode);
            return put(e, null);
        }

        Tar symlink(String name, String target) {
            TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(target);
            e.setMode(0777);
            return put(e, null);
        }

        Tar hardlink(String name, String target) {
            TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
            e.setLinkName(target);
            return put(e, null);
        }

        Tar fifo(String name) {
            TarArchiveEntry e = entry(name, TarConstants.LF_FIFO);
            e.setMode(0640);
            return put(e, null);
        }

        Tar device(String name, byte type, int major, int minor) {
            TarArchiveEntry e = entry(name, type);
            e.setDevMajor(major);
            e.setDevMinor(minor);
            e.setMode(0600);
            return put(e, null);
        }

        private static TarArchiveEntry entry(String name, byte type) {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setModTime(FileTime.from(MTIME));
            return e;
        }

        private Tar put(TarArchiveEntry e, byte[] content) {
            try {
                out.putArchiveEntry(e);
                if (content != null) {
                    out.write(content);
                }
                out.closeArchiveEntry();
                return this;
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        byte[] build() {
            try {
                out.finish();
                out.close();
                return bytes.toByteArray();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    static byte[] tar(Consumer<Tar> body) {
        Tar t = new Tar();
        body.accept(t);
        return t.build();
    }

    static byte[] gzip(byte[] in) {
        return compress(in, GZIPOutputStream::new);
    }

    static byte[] zstd(byte[] in) {
        return compress(in, ZstdOutputStream::new);
    }

    private interface Wrap {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    private static byte[] compress(byte[] in, Wrap wrap) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream out = wrap.wrap(bytes)) {
                out.write(in);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] content) {
        return Digests.of(content);
    }

    static String hex(byte[] content) {
        return sha256(content).substring("sha256:".length());
    }

    /** One layer of a test image: the uncompressed tar and how it is stored in the archive. */
    record Layer(byte[] tar, Compression compression) {
        byte[] blob() {
            return switch (compression) {
                case NONE -> tar;
                case GZIP -> gzip(tar);
                case ZSTD -> zstd(tar);
            };
        }

        String mediaType() {
            return switch (compression) {
                case NONE -> "application/vnd.oci.image.layer.v1.tar";
                case GZIP -> "application/vnd.oci.image.layer.v1.tar+gzip";
                case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
            };
        }
    }

    /** An image config JSON: Cmd, Env and the given diff_ids. */
    static byte[] config(List<String> diffIds, List<String> cmd, Map<String, Object> extra) {
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", "amd64").put("os", "linux");
        ObjectNode config = root.putObject("config");
        config.set("Cmd", JSON.valueToTree(cmd));
        config.set("Env", JSON.valueToTree(List.of("PATH=/bin")));
        extra.forEach((k, v) -> config.set(k, JSON.valueToTree(v)));
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.set("diff_ids", JSON.valueToTree(diffIds));
        return bytes(root);
    }

    static List<String> diffIds(List<Layer> layers) {
        return layers.stream().map(l -> sha256(l.tar())).toList();
    }

    static byte[] bytes(Object json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A docker-save archive: manifest.json, {@code <hex>.json} config, {@code <n>/layer.tar} layers. */
    static byte[] dockerSave(List<String> repoTags, byte[] config, List<Layer> layers) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode item = manifest.addObject();
        item.put("Config", hex(config) + ".json");
        item.set("RepoTags", JSON.valueToTree(repoTags));
        ArrayNode layerNames = item.putArray("Layers");
        files.put(hex(config) + ".json", config);
        for (int i = 0; i < layers.size(); i++) {
            String name = "layer" + i + "/layer.tar";
            layerNames.add(name);
            files.put(name, layers.get(i).blob());
        }
        files.put("manifest.json", bytes(manifest));
        return tar(t -> files.forEach((name, content) -> t.file(name, content, 0644, 0, 0)));
    }

    /** An OCI image layout with one manifest, annotated with {@code annotations}. */
    static byte[] ociLayout(Map<String, String> annotations, byte[] config, List<Layer> layers) {
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", config));
        blobs.put(hex(config), config);
        ArrayNode ls = manifest.putArray("layers");
        for (Layer l : layers) {
            byte[] blob = l.blob();
            ls.add(descriptor(l.mediaType(), blob));
            blobs.put(hex(blob), blob);
        }
        byte[] manifestBytes = bytes(manifest);
        blobs.put(hex(manifestBytes), manifestBytes);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        ObjectNode d = descriptor("application/vnd.oci.image.manifest.v1+json", manifestBytes);
        if (!annotations.isEmpty()) {
            d.set("annotations", JSON.valueToTree(annotations));
        }
        index.putArray("manifests").add(d);
        return tar(t -> {
            t.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
            t.file("index.json", new String(bytes(index), StandardCharsets.UTF_8));
            t.dir("blobs", 0755).dir("blobs/sha256", 0755);
            blobs.forEach((h, content) -> t.file("blobs/sha256/" + h, content, 0644, 0, 0));
        });
    }

    static ObjectNode descriptor(String mediaType, byte[] content) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType).put("digest", sha256(content)).put("size", content.length);
        return d;
    }

    /** A copy of {@code archive} (regular files and directories only) with one file's content replaced. */
    static byte[] replaceEntry(byte[] archive, String name, byte[] content) {
        return rewrite(archive, name, content, t -> { });
    }

    /** A copy of {@code archive} with entries added at the end. */
    static byte[] appendEntries(byte[] archive, Consumer<Tar> extra) {
        return rewrite(archive, null, null, extra);
    }

    private static byte[] rewrite(byte[] archive, String replace, byte[] replacement, Consumer<Tar> extra) {
        Tar out = new Tar();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.io.ByteArrayInputStream(archive))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isDirectory()) {
                    out.dir(e.getName(), e.getMode());
                } else {
                    byte[] content = e.getName().equals(replace) ? replacement : in.readAllBytes();
                    out.file(e.getName(), content, e.getMode(), 0, 0);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        extra.accept(out);
        return out.build();
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every path under {@code root} (relative), for before/after comparisons. */
    static List<String> tree(Path root) {
        try (var walk = Files.walk(root)) {
            List<String> out = new ArrayList<>();
            walk.filter(p -> !p.equals(root)).forEach(p -> out.add(root.relativize(p).toString()));
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
