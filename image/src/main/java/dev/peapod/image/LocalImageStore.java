package dev.peapod.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link Images} store on local disk, rooted at a directory such as
 * {@code /var/lib/peapod/images}:
 *
 * <pre>
 * blobs/sha256/&lt;hex&gt;   content-addressed blobs (manifests, configs, layer tars), verified on write
 * layers/&lt;diffid hex&gt;/  unpacked layers, overlayfs lower directories shared by all images
 * index.json            images by id with names, manifest digests, diff_ids, config (versioned)
 * used/&lt;config hex&gt;     last use of each image, as the file's mtime (see UsageMarks)
 * tmp/                  staging of archives being loaded
 * lock                  lock file for writers
 * </pre>
 *
 * <p>Writers ({@link #load}, {@link #remove}, a lazy unpack in {@link #layerDirs}) hold the store
 * lock, in-process and across processes, for the whole operation; readers ({@link #resolve},
 * {@link #list}) read the atomically replaced {@code index.json} without it. Every temp file and
 * directory starts with {@code .tmp-}; a writer removes leftovers of crashed writers first.
 * Removing an image in use by a container is the caller's business to prevent.
 */
public final class LocalImageStore implements Images {
    private final Path root;
    private final Path indexFile;
    private final Path tmpDir;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final StoreLock lock;
    private final UsageMarks usage;

    /** Opens (creating if needed) the store at {@code root}. */
    public LocalImageStore(Path root) {
        Objects.requireNonNull(root, "root");
        try {
            Files.createDirectories(root.resolve("blobs").resolve("sha256"));
            Files.createDirectories(root.resolve("layers"));
            Files.createDirectories(root.resolve("tmp"));
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new ImageException("failed to open image store " + root + ": " + e.getMessage(), e);
        }
        this.indexFile = this.root.resolve("index.json");
        this.tmpDir = this.root.resolve("tmp");
        this.blobs = new BlobStore(this.root.resolve("blobs").resolve("sha256"));
        this.layers = new LayerStore(this.root.resolve("layers"));
        this.lock = new StoreLock(this.root);
        this.usage = new UsageMarks(this.root.resolve("used"));
    }

    public Path root() {
        return root;
    }

    @Override
    public List<Image> load(Path archive) {
        return load(archive, null);
    }

    /**
     * Loads an archive; {@code baseName} names images whose OCI {@code ref.name} annotation is only
     * a tag ({@code baseName:tag}, containerd's {@code ctr import --base-name}). Without it such
     * images are stored unnamed, reachable by id.
     */
    public List<Image> load(Path archive, String baseName) {
        Objects.requireNonNull(archive, "archive");
        if (baseName != null) {
            ImageReference.parse(baseName); // fail early on a bad base name
        }
        try (StoreLock.Held _ = lock.acquire()) {
            StoreIndex.Data index = prepareWrite();
            ImageLoader loader = new ImageLoader(blobs, layers, index);
            try (StagedArchive staged = StagedArchive.stage(archive, FileTrees.tempSibling(tmpDir))) {
                List<StoreIndex.Entry> loaded = loader.load(staged, baseName);
                loaded.forEach(entry -> merge(index, entry));
                StoreIndex.write(indexFile, index);
                // A loaded image counts as used now: garbage collection spares fresh images first.
                loaded.forEach(entry -> usage.mark(entry.id(), Instant.now()));
                return loaded.stream().map(e -> toImage(index, find(index, e.id()))).toList();
            } catch (RuntimeException e) {
                loader.rollback();
                throw e;
            }
        }
    }

    /**
     * Starts an import of content fetched from elsewhere (a registry pull): blobs and unpacked
     * layers are staged in a private directory and enter the store only at
     * {@link ImageImport#commit}. Close it when done; an import never committed leaves nothing.
     */
    public ImageImport beginImport() {
        return ImageImport.open(this, tmpDir);
    }

    /** Whether the layer {@code diffId} is stored and unpacked (an import need not fetch it). */
    boolean hasLayer(String diffId) {
        return layers.has(diffId) && StoreIndex.read(indexFile).layers().containsKey(diffId);
    }

    boolean hasBlob(String digest) {
        return blobs.has(digest);
    }

    Path blobPath(String digest) {
        return blobs.path(digest);
    }

    /**
     * Under the store lock: moves an import's staged blobs and layers into place and records the
     * image; on a failure what was moved is removed again.
     *
     * @param layerSizes unpacked size of each staged layer, by diff_id
     */
    Image commitImport(ImportedImage imported, java.util.Map<String, java.nio.file.Path> stagedBlobs,
                       java.util.Map<String, java.nio.file.Path> stagedLayers, java.util.Map<String, Long> layerSizes) {
        try (StoreLock.Held _ = lock.acquire()) {
            StoreIndex.Data index = prepareWrite();
            List<Path> created = new ArrayList<>();
            try {
                for (var e : stagedBlobs.entrySet()) {
                    if (blobs.adopt(e.getValue(), e.getKey())) {
                        created.add(blobs.path(e.getKey()));
                    }
                }
                ImageConfigs.Parsed parsed = ImageConfigs.parse(Files.readAllBytes(blobs.path(imported.config())),
                        imported.config());
                if (!parsed.diffIds().equals(imported.diffIds())) {
                    throw new ImageException("failed to store image " + imported.config()
                            + ": the layers pulled do not match the config's diff_ids");
                }
                for (int i = 0; i < parsed.diffIds().size(); i++) {
                    String diffId = parsed.diffIds().get(i);
                    Path staged = stagedLayers.get(diffId);
                    if (staged != null && layers.adopt(staged, diffId)) {
                        created.add(layers.path(diffId));
                    }
                    if (!index.layers().containsKey(diffId) && staged != null) {
                        index.layers().put(diffId, new StoreIndex.Layer(imported.layerBlobs().get(i), layerSizes.get(diffId)));
                    }
                    if (!index.layers().containsKey(diffId) || !layers.has(diffId)) {
                        throw new ImageException("failed to store image " + imported.config() + ": layer " + diffId
                                + " was removed from the store while the image was pulled; pull again");
                    }
                }
                List<String> names = imported.name() == null ? List.of() : List.of(imported.name());
                merge(index, new StoreIndex.Entry(imported.config(), names, imported.digests(),
                        parsed.diffIds(), parsed.config()));
                StoreIndex.write(indexFile, index);
                return toImage(index, find(index, imported.config()));
            } catch (IOException | RuntimeException e) {
                for (Path p : created.reversed()) {
                    try {
                        FileTrees.deleteRecursively(p);
                    } catch (IOException ignored) {
                        // the next writer's garbage collection removes what is left
                    }
                }
                if (e instanceof ImageException ie) {
                    throw ie;
                }
                throw new ImageException("failed to store image " + imported.config() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Adds an entry, or its names to the image with the same id; a name moves off any other image (docker load). */
    private static void merge(StoreIndex.Data index, StoreIndex.Entry entry) {
        List<StoreIndex.Entry> images = index.images();
        for (int i = 0; i < images.size(); i++) {
            StoreIndex.Entry other = images.get(i);
            if (!other.id().equals(entry.id())) {
                List<String> kept = new ArrayList<>(other.names());
                if (kept.removeAll(entry.names())) {
                    images.set(i, new StoreIndex.Entry(other.id(), kept, other.digests(), other.diffIds(), other.config()));
                }
            }
        }
        StoreIndex.Entry existing = find(index, entry.id());
        if (existing == null) {
            images.add(entry);
            return;
        }
        Set<String> names = new LinkedHashSet<>(existing.names());
        names.addAll(entry.names());
        Set<String> digests = new LinkedHashSet<>(existing.digests());
        digests.addAll(entry.digests());
        images.set(images.indexOf(existing), new StoreIndex.Entry(entry.id(), List.copyOf(names),
                List.copyOf(digests), entry.diffIds(), entry.config()));
    }

    @Override
    public Optional<Image> resolve(String reference) {
        StoreIndex.Data index = StoreIndex.read(indexFile);
        return Lookup.find(index, reference).map(m -> toImage(index, m.entry()));
    }

    @Override
    public List<Image> list() {
        StoreIndex.Data index = StoreIndex.read(indexFile);
        return index.images().stream().map(e -> toImage(index, e)).toList();
    }

    /**
     * Removes a name; when the image has no name left, or when it is addressed by id or digest
     * (CRI RemoveImage takes an image id and removes the image whatever its tags), removes the
     * image, then every layer and blob no remaining image uses.
     */
    @Override
    public boolean remove(String reference) {
        try (StoreLock.Held _ = lock.acquire()) {
            StoreIndex.Data index = prepareWrite();
            Optional<Lookup.Match> match = Lookup.find(index, reference);
            if (match.isEmpty()) {
                return false;
            }
            StoreIndex.Entry entry = match.get().entry();
            List<String> names = new ArrayList<>(entry.names());
            int at = index.images().indexOf(entry);
            if (match.get().name() != null && names.size() > 1) {
                names.remove(match.get().name());
                index.images().set(at, new StoreIndex.Entry(entry.id(), names, entry.digests(), entry.diffIds(),
                        entry.config()));
            } else {
                index.images().remove(at);
                index.layers().keySet().retainAll(usedLayers(index));
            }
            StoreIndex.write(indexFile, index);
            collectGarbage(index);
            return true;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A layer that occurs twice (old Docker builds repeat the empty layer) is listed once, at
     * its topmost position: overlayfs refuses a lowerdir given twice ("overlapping lowerdir
     * path"), and the lower copy can add nothing the upper copy does not already show.
     */
    @Override
    public List<Path> layerDirs(Image image) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String diffId : image.diffIds().reversed()) {
            if (!layers.has(diffId)) {
                unpackAgain(diffId);
            }
            dirs.add(layers.path(diffId));
        }
        return List.copyOf(dirs);
    }

    /** A layer directory went missing (deleted by hand, or a crash): unpack it from its blob. */
    private void unpackAgain(String diffId) {
        try (StoreLock.Held _ = lock.acquire()) {
            if (layers.has(diffId)) {
                return;
            }
            StoreIndex.Data index = StoreIndex.read(indexFile);
            StoreIndex.Layer layer = index.layers().get(diffId);
            if (layer == null || !blobs.has(layer.blob())) {
                throw new ImageException("failed to unpack layer " + diffId + ": it is not in the image store");
            }
            layers.unpack(blobs.path(layer.blob()), diffId);
        }
    }

    /** Under the lock: removes leftovers of crashed writers and returns the current index. */
    private StoreIndex.Data prepareWrite() {
        try {
            FileTrees.deleteTempLeftovers(tmpDir);
            FileTrees.deleteTempLeftovers(root.resolve("layers"));
            FileTrees.deleteTempLeftovers(root.resolve("blobs").resolve("sha256"));
            StoreIndex.Data index = StoreIndex.read(indexFile);
            collectGarbage(index);
            return index;
        } catch (IOException e) {
            throw new ImageException("failed to clean image store " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ImageDetails> inspect(String reference) {
        StoreIndex.Data index = StoreIndex.read(indexFile);
        Optional<Lookup.Match> match = Lookup.find(index, reference);
        if (match.isEmpty()) {
            return Optional.empty();
        }
        StoreIndex.Entry entry = match.get().entry();
        try {
            String config = Files.readString(blobs.path(entry.id()), StandardCharsets.UTF_8);
            return Optional.of(new ImageDetails(toImage(index, entry), entry.digests(), config));
        } catch (IOException e) {
            throw new ImageException("failed to read the config of image " + entry.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long removeImages(Collection<String> ids) {
        try (StoreLock.Held _ = lock.acquire()) {
            StoreIndex.Data index = prepareWrite();
            Map<String, Long> layerSizes = new HashMap<>();
            index.layers().forEach((diffId, layer) -> layerSizes.put(diffId, layer.size()));
            if (!index.images().removeIf(e -> ids.contains(e.id()))) {
                return 0;
            }
            index.layers().keySet().retainAll(usedLayers(index));
            StoreIndex.write(indexFile, index);
            return collectGarbage(index, layerSizes);
        }
    }

    @Override
    public void markUsed(String imageId, Instant at) {
        usage.mark(imageId, at);
    }

    /** {@inheritDoc} An image without a mark (stored by an older Peapod) counts from when its config blob was written. */
    @Override
    public Map<String, Instant> lastUsed() {
        Map<String, Instant> marks = usage.read();
        Map<String, Instant> out = new HashMap<>();
        for (StoreIndex.Entry e : StoreIndex.read(indexFile).images()) {
            Instant at = marks.get(e.id());
            if (at == null) {
                try {
                    at = Files.getLastModifiedTime(blobs.path(e.id())).toInstant();
                } catch (IOException ex) {
                    at = Instant.EPOCH;
                }
            }
            out.put(e.id(), at);
        }
        return out;
    }

    /** Deletes layer directories and blobs that no image in {@code index} uses. */
    private void collectGarbage(StoreIndex.Data index) {
        collectGarbage(index, Map.of());
    }

    /**
     * Deletes layer directories, blobs and usage marks that no image in {@code index} uses; returns
     * the bytes freed: the blobs' sizes plus the unpacked sizes in {@code layerSizes} (by diff id).
     */
    private long collectGarbage(StoreIndex.Data index, Map<String, Long> layerSizes) {
        long freed = 0;
        Set<String> usedLayers = usedLayers(index);
        Set<String> usedBlobs = new HashSet<>();
        for (StoreIndex.Entry e : index.images()) {
            usedBlobs.add(e.id());
            usedBlobs.addAll(e.digests());
        }
        for (String diffId : usedLayers) {
            StoreIndex.Layer layer = index.layers().get(diffId);
            if (layer != null) {
                usedBlobs.add(layer.blob());
            }
        }
        try {
            for (String diffId : layers.diffIds()) {
                if (!usedLayers.contains(diffId)) {
                    layers.delete(diffId);
                    freed += layerSizes.getOrDefault(diffId, 0L);
                }
            }
            for (String digest : blobs.digests()) {
                if (!usedBlobs.contains(digest)) {
                    freed += Files.size(blobs.path(digest));
                    blobs.delete(digest);
                }
            }
            Set<String> ids = new HashSet<>();
            index.images().forEach(e -> ids.add(e.id()));
            usage.retain(ids);
        } catch (IOException e) {
            throw new ImageException("failed to remove unused layers in " + root + ": " + e.getMessage(), e);
        }
        return freed;
    }

    private static Set<String> usedLayers(StoreIndex.Data index) {
        Set<String> used = new HashSet<>();
        index.images().forEach(e -> used.addAll(e.diffIds()));
        used.retainAll(index.layers().keySet());
        return used;
    }

    private static StoreIndex.Entry find(StoreIndex.Data index, String id) {
        return index.images().stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    private static Image toImage(StoreIndex.Data index, StoreIndex.Entry e) {
        long size = 0;
        for (String diffId : e.diffIds()) {
            StoreIndex.Layer layer = index.layers().get(diffId);
            size += layer == null ? 0 : layer.size();
        }
        return new Image(e.id(), e.names(), e.config(), e.diffIds(), size);
    }
}
