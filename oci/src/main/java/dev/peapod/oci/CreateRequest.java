package dev.peapod.oci;

import java.nio.file.Path;

/**
 * What {@link OciRuntime#create} needs.
 *
 * @param id        container id (unique on the host; also the runtime's id)
 * @param bundle    bundle directory holding {@code config.json} (rootfs already mounted)
 * @param logPath   the CRI-format log file conmon writes ({@code <RFC3339Nano> stdout|stderr F|P <line>})
 * @param stdin     keep an attach socket with stdin open (kubectl attach -i comes later)
 */
public record CreateRequest(String id, Path bundle, Path logPath, boolean stdin) {}
