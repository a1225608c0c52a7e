package dev.peapod.image;

import java.nio.file.Path;
import java.util.List;
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

    /** Unpacked layer directories for overlayfs, topmost first (overlayfs lowerdir order). Unpacks lazily if needed. */
    List<Path> layerDirs(Image image);
}
