package dev.peapod.oci;

import java.nio.file.Path;

/**
 * What {@link OciRuntime#create} needs.
 *
 * @param id        container id (unique on the host; also the runtime's id)
 * @param bundle    bundle directory holding {@code config.json} (rootfs already mounted)
 * @param logPath   the CRI-format log file conmon writes ({@code <RFC3339Nano> stdout|stderr F|P <line>})
 * @param stdin     the container's {@code stdin}: its stdin stays open for {@code kubectl attach -i}
 * @param stdinOnce the container's {@code stdinOnce}: stdin is closed when the first attach that used it ends
 * @param tty       the container's {@code tty}: it runs on a terminal (its config.json says {@code terminal: true})
 */
public record CreateRequest(String id, Path bundle, Path logPath, boolean stdin, boolean stdinOnce, boolean tty) {
    /** No stdin to keep, no terminal. */
    public CreateRequest(String id, Path bundle, Path logPath, boolean stdin) {
        this(id, bundle, logPath, stdin, false, false);
    }
}
