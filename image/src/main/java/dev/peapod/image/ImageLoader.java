package dev.peapod.image;

import dev.peapod.image.ArchiveImage.BlobRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stores the images of one staged archive: manifest and config blobs, layer blobs, unpacked
 * layers. Every blob and layer directory it creates is registered for {@link #rollback} as soon as
 * it exists, so a failed load leaves the store as it found it (containerd sandbox_run.go's
 * cleanup-on-error habit). Runs under the store lock; it edits {@code index.layers()} in memory
 * and leaves writing the index to the caller.
 */
final class ImageLoader {
    private final BlobStore blobs;
    private final LayerStore layers;
    private final StoreIndex.Data index;
    private final List<Path> created = new ArrayList<>();

    ImageLoader(BlobStore blobs, LayerStore layers, StoreIndex.Data index) {
        this.blobs = blobs;
        this.layers = layers;
        this.index = index;
    }

    /** Reads the archive's format and stores each image; returns index entries for them. */
    List<StoreIndex.Entry> load(StagedArchive archive, String baseName) {
        try {
            List<ArchiveImage> found;
            if (archive.has(DockerSaveReader.MANIFEST)) {
                found = DockerSaveReader.read(archive);
            } else if (archive.has(OciLayoutReader.INDEX)) {
                found = OciLayoutReader.read(archive, baseName);
            } else {
                throw archive.error("neither " + DockerSaveReader.MANIFEST + " (docker save) nor "
                        + OciLayoutReader.INDEX + " (OCI image layout) found", null);
            }
            List<StoreIndex.Entry> entries = new ArrayList<>();
            for (ArchiveImage image : found) {
                entries.add(store(archive, image));
            }
            return entries;
        } catch (IOException e) {
            throw archive.error(e.getMessage(), e);
        }
    }

    private StoreIndex.Entry store(StagedArchive archive, ArchiveImage image) throws IOException {
        Set<String> digests = new LinkedHashSet<>();
        if (image.manifest() != null) {
            digests.add(put(archive, image.manifest()));
        }
        String id = put(archive, image.config());
        ImageConfigs.Parsed parsed = ImageConfigs.parse(Files.readAllBytes(blobs.path(id)), id);
        if (parsed.diffIds().size() != image.layers().size()) {
            throw archive.error("image " + id + ": the config lists " + parsed.diffIds().size()
                    + " diff_ids but there are " + image.layers().size() + " layers", null);
        }
        for (int i = 0; i < image.layers().size(); i++) {
            layer(archive, image.layers().get(i), parsed.diffIds().get(i));
        }
        Set<String> names = new LinkedHashSet<>();
        for (ImageReference ref : image.names()) {
            if (ref.digest() != null) {
                digests.add(ref.digest());
            }
            if (ref.tag() != null) {
                names.add(ref.withoutDigest().toString());
            }
        }
        return new StoreIndex.Entry(id, List.copyOf(names), List.copyOf(digests), parsed.diffIds(), parsed.config());
    }

    /** Layers already unpacked (by this or another image) are shared, not unpacked again. */
    private void layer(StagedArchive archive, BlobRef ref, String diffId) throws IOException {
        if (index.layers().containsKey(diffId) && layers.has(diffId)) {
            return;
        }
        String blob = put(archive, ref);
        long size = layers.unpack(blobs.path(blob), diffId);
        created.add(layers.path(diffId));
        index.layers().put(diffId, new StoreIndex.Layer(blob, size));
    }

    private String put(StagedArchive archive, BlobRef ref) throws IOException {
        try (InputStream in = archive.open(ref.entry())) {
            BlobStore.Stored stored = blobs.put(in, ref.digest(), ref.size(), "\"" + ref.entry() + "\"");
            if (stored.created()) {
                created.add(blobs.path(stored.digest()));
            }
            return stored.digest();
        }
    }

    /** Deletes every blob and layer this loader created, newest first. */
    void rollback() {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Path p = created.get(i);
                if (Files.isDirectory(p)) {
                    FileTrees.deleteDirectoryAtomically(p);
                } else {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // the next writer's garbage collection removes what is left
            }
        }
        created.clear();
    }
}
