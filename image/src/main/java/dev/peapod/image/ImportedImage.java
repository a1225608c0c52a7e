package dev.peapod.image;

import java.util.List;

/**
 * What an {@link ImageImport} records when it commits: an image as a registry described it.
 *
 * @param name       normalised name without digest ({@code docker.io/library/busybox:latest}), or null
 *                   (pulled by digest only: known by id and digest)
 * @param digests    the digests it was pulled by: the image index's (if any) and the manifest's
 * @param config     the config's digest, the image id
 * @param diffIds    the config's diff_ids, base layer first
 * @param layerBlobs the manifest's layer digests, in the same order
 */
record ImportedImage(String name, List<String> digests, String config, List<String> diffIds, List<String> layerBlobs) {
    ImportedImage {
        digests = List.copyOf(digests);
        diffIds = List.copyOf(diffIds);
        layerBlobs = List.copyOf(layerBlobs);
    }
}
