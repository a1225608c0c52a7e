package dev.peapod.node.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One volume mount of the container, resolved by the node to a host path (volume directory,
 * subPath, projected files...). Becomes a bind mount.
 *
 * @param destination the volumeMount's {@code mountPath}
 * @param source      the host path
 * @param readOnly    the volumeMount's {@code readOnly}
 * @param idmappable  whether the source may become an idmapped mount in a {@code hostUsers: false}
 *                    pod: not an image volume, whose overlayfs cannot be idmapped (its files then
 *                    show as the overflow user, readable as their mode allows)
 */
public record ResolvedMount(String destination, Path source, boolean readOnly, boolean idmappable) {
    public ResolvedMount {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(source, "source");
    }

    /** A mount that may be idmapped. */
    public ResolvedMount(String destination, Path source, boolean readOnly) {
        this(destination, source, readOnly, true);
    }
}
