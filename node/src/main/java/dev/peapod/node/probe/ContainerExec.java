package dev.peapod.node.probe;

import dev.peapod.oci.OciRuntime;

import java.time.Duration;
import java.util.List;

/**
 * Runs a command inside a running container: the seam {@link ExecProber} probes through (CRI's
 * ExecSync). Tests pass a fake; {@link #of} adapts the OCI runtime.
 *
 * <p>Contract: blocking; thread safe; returns within about {@code timeout}: a command that outlives
 * it is killed and reported with {@link Result#timedOut()}. A non-zero exit is a normal result.
 * Throws (any {@link RuntimeException}) only if the command could not be run at all: the container
 * is gone, the runtime failed.
 */
@FunctionalInterface
public interface ContainerExec {

    Result exec(String containerId, List<String> argv, Duration timeout);

    /**
     * @param exitCode the command's exit status (meaningless if timed out)
     * @param output   stdout followed by stderr, as kubelet's CRI exec returns them for probes
     * @param timedOut the command outlived the timeout and was killed
     */
    record Result(int exitCode, String output, boolean timedOut) {
        public Result {
            output = output == null ? "" : output;
        }
    }

    /** Through {@code <runtime> exec} ({@link OciRuntime#exec}): one runtime process per run. */
    static ContainerExec of(OciRuntime oci) {
        return (id, argv, timeout) -> {
            var r = oci.exec(id, argv, timeout);
            return new Result(r.exitCode(), r.stdout() + r.stderr(), r.timedOut());
        };
    }
}
