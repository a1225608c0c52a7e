package dev.peapod.image;

import java.util.List;

/**
 * The parts of an OCI/Docker image config that run a container. Lists are never null (empty when
 * absent); strings may be null when the image does not set them.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env,
                          String workingDir, String user, String stopSignal) {
    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
