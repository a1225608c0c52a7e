package dev.peapod.image;

import java.util.List;

/**
 * What {@code image inspect} shows of a stored image beyond {@link Image}.
 *
 * @param image      the image
 * @param digests    manifest digests it was stored with ({@code sha256:...}; empty for a
 *                   {@code docker save} archive, which carries no manifest blob)
 * @param configJson the image config exactly as stored (OCI image-spec config.md)
 */
public record ImageDetails(Image image, List<String> digests, String configJson) {
    public ImageDetails {
        digests = List.copyOf(digests);
    }
}
