package dev.peapod.image;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local image store: content-addressed blobs (sha256, verified on write), images indexed by
 * normalised reference, layers unpacked once into read-only directories shared by every container.
 *
 * <p>Contract: thread safe and safe across processes sharing one root (a CLI command may run
 * while a daemon uses the store): writes go to temp files and are renamed into place; nothing is
 * half-written after a failure. Methods throw {@link ImageException}.
 */
public interface Images {
    /** Loads a {@code docker save} or OCI image-layout archive (tar, optionally gzip). */
    List<Image> load(Path archive);

    /** Resolves a reference (normalised like Docker: {@code busybox} = {@code docker.io/library/busybox:latest}) or an image id. */
    Optional<Image> resolve(String reference);

    List<Image> list();

    /** Removes the name; removes the image and unreferenced layers when no name is left. Returns whether anything was removed. */
    boolean remove(String reference);

    /** The image with its manifest digests and stored config, for {@code image inspect}. */
    Optional<ImageDetails> inspect(String reference);

    /**
     * Removes images by id whatever their names (CRI RemoveImage; prune and garbage collection),
     * then every layer and blob no remaining image uses. Ids not in the store are skipped.
     * Returns the bytes freed on disk (unpacked layers and blobs).
     */
    long removeImages(Collection<String> ids);

    /** Records that a container or image volume used the image at {@code at} (image garbage collection picks the least recently used first). */
    void markUsed(String imageId, Instant at);

    /** When each stored image was last used (or stored, if never used), by id. */
    Map<String, Instant> lastUsed();

    /** Unpacked layer directories for overlayfs, topmost first (overlayfs lowerdir order). Unpacks lazily if needed. */
    List<Path> layerDirs(Image image);
}
