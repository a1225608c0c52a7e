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
 */
public record ResolvedMount(String destination, Path source, boolean readOnly) {
    public ResolvedMount {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(source, "source");
    }
}
