package dev.peapod.oci;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The seam through which Peapod runs short-lived tools (crun, runc, modprobe, CNI plugins).
 *
 * <p>Contract: {@link #run} blocks until the process has exited and both of its output streams
 * are drained; it is safe to call from many threads at once. A non-zero exit is a normal result,
 * not an exception. If the process outlives {@code timeout} it is killed (with its descendants)
 * and {@link OciException} is thrown; so is a failure to start it. The environment is exactly
 * {@code env} (nothing is inherited), so runs are reproducible.
 */
public interface ProcessRunner {

    /**
     * @param argv    program (absolute path, or found on the JVM's own PATH) and arguments
     * @param env     the complete environment of the process
     * @param stdin   bytes to feed on stdin, then EOF; {@code null} for /dev/null
     * @param timeout how long the process may run
     */
    ProcessResult run(List<String> argv, Map<String, String> env, byte[] stdin, Duration timeout);

    /** {@link #run} with an empty environment and no stdin. */
    default ProcessResult run(List<String> argv, Duration timeout) {
        return run(argv, Map.of(), null, timeout);
    }
}
