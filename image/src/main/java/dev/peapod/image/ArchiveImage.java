package dev.peapod.image;

import java.util.List;

/**
 * One image as an archive describes it, before anything is stored.
 *
 * @param names    normalised names to give it (may be empty: the image is then known by id only)
 * @param manifest the OCI/Docker manifest, or null (docker save archives carry none)
 * @param config   the image config
 * @param layers   layer blobs, base layer first
 */
record ArchiveImage(List<ImageReference> names, BlobRef manifest, BlobRef config, List<BlobRef> layers) {
    ArchiveImage {
        names = List.copyOf(names);
        layers = List.copyOf(layers);
    }

    /**
     * A blob inside the archive.
     *
     * @param entry     archive entry name
     * @param digest    digest it must have, or null when the archive does not say
     * @param size      size it must have, or -1 when the archive does not say
     * @param mediaType media type, or null
     */
    record BlobRef(String entry, String digest, long size, String mediaType) {}
}
