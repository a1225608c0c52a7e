package dev.peapod.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.image.ArchiveImage.BlobRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code docker save} archive: {@code manifest.json} lists, per image, {@code Config},
 * {@code RepoTags} and {@code Layers} (moby image/tarexport). Layers are tars, possibly
 * compressed; their digests are not given (except where Docker 25+ names them
 * {@code blobs/sha256/<hex>}), so their diff_ids are what is verified.
 */
final class DockerSaveReader {
    static final String MANIFEST = "manifest.json";
    private static final Pattern BLOB_NAME = Pattern.compile("(?:\\./)?blobs/sha256/([a-f0-9]{64})");
    private static final Pattern CONFIG_NAME = Pattern.compile("(?:\\./)?([a-f0-9]{64})\\.json");

    private DockerSaveReader() {}

    static List<ArchiveImage> read(StagedArchive archive) throws IOException {
        JsonNode manifest = parse(archive, MANIFEST);
        if (!manifest.isArray()) {
            throw archive.error(MANIFEST + " is not a list", null);
        }
        List<ArchiveImage> images = new ArrayList<>();
        for (JsonNode item : manifest) {
            String config = item.path("Config").asText("");
            if (config.isEmpty() || !item.path("Layers").isArray()) {
                throw archive.error(MANIFEST + ": an image lacks Config or Layers", null);
            }
            List<BlobRef> layers = new ArrayList<>();
            for (JsonNode layer : item.path("Layers")) {
                layers.add(new BlobRef(layer.asText(), digestFromName(layer.asText(), BLOB_NAME), -1, null));
            }
            String configDigest = digestFromName(config, BLOB_NAME);
            if (configDigest == null) {
                configDigest = digestFromName(config, CONFIG_NAME);
            }
            images.add(new ArchiveImage(names(archive, item.path("RepoTags")), null,
                    new BlobRef(config, configDigest, -1, null), layers));
        }
        return images;
    }

    private static List<ImageReference> names(StagedArchive archive, JsonNode repoTags) {
        List<ImageReference> names = new ArrayList<>();
        for (JsonNode tag : repoTags) {
            try {
                names.add(ImageReference.parse(tag.asText()));
            } catch (ImageException e) {
                throw archive.error(MANIFEST + ": RepoTags: " + e.getMessage(), e);
            }
        }
        return names;
    }

    /** The digest a file name promises (Docker names configs and newer layers by their sha256), or null. */
    private static String digestFromName(String entry, Pattern pattern) {
        Matcher m = pattern.matcher(entry);
        return m.matches() ? "sha256:" + m.group(1) : null;
    }

    static JsonNode parse(StagedArchive archive, String entry) throws IOException {
        return parse(archive, entry, archive.readDocument(entry));
    }

    static JsonNode parse(StagedArchive archive, String entry, byte[] content) throws IOException {
        try {
            JsonNode node = ImageConfigs.JSON.readTree(content);
            if (node == null) {
                throw archive.error(entry + " is empty", null);
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw archive.error(entry + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
