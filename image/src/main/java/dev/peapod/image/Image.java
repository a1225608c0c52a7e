package dev.peapod.image;

import java.util.List;

/**
 * A stored image.
 *
 * @param id       the config digest ({@code sha256:...}), Kubernetes' imageID
 * @param names    normalised references that point at it ({@code docker.io/library/busybox:latest})
 * @param config   what runs
 * @param diffIds  uncompressed layer digests, base layer first
 * @param size     unpacked size in bytes
 */
public record Image(String id, List<String> names, ImageConfig config, List<String> diffIds, long size) {}
