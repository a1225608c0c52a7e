package dev.peapod.oci;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One OCI runtime (crun or runc) driven through conmon. Knows nothing about Pods: it takes a
 * bundle directory whose {@code config.json} is already written and reports what happened.
 *
 * <p>Contract: every method is one external action (one process) and is thread safe; failures
 * throw {@link OciException} carrying the runtime's (or conmon's) stderr. Methods block until the
 * action completes. {@link #delete} and {@link #kill} of an unknown container are no-ops, so that
 * rollback and teardown are idempotent.
 */
public interface OciRuntime {

    /**
     * Starts conmon, which runs {@code <runtime> create}; returns once the container exists
     * (created, not yet started) with its init pid. conmon keeps running detached from the JVM, so
     * the container survives a crash of Peapod.
     */
    CreatedContainer create(CreateRequest request);

    /** {@code <runtime> start}: runs the process of a created container. */
    void start(String id);

    /** {@code <runtime> kill id SIGNAL}; {@code all} signals every process of the container. */
    void kill(String id, String signal, boolean all);

    /** {@code <runtime> delete [--force]}; removes the container's runtime state and its cgroup. */
    void delete(String id, boolean force);

    /** {@code <runtime> state}: empty if the runtime does not know the container. */
    Optional<ContainerState> state(String id);

    /** The exit code conmon wrote for the container, if it has exited. Reads a file; cheap. */
    OptionalInt exitCode(String id);

    /** Directory where conmon writes one exit file per container (named by id). */
    Path exitDir();

    /** Which runtime binary this is ("crun" or "runc"). */
    String name();

    /**
     * {@code <runtime> exec}: runs {@code argv} in the running container {@code id} with the
     * container's own process settings (user, environment, working directory, capabilities, as CRI's
     * ExecSync does) and waits for it. Blocks for at most about {@code timeout}: a command that
     * outlives it is killed and reported with {@link ExecResult#timedOut()}. A non-zero exit is a
     * normal result.
     *
     * @throws OciException if the command could not be run at all (unknown container, runtime failure)
     */
    default ExecResult exec(String id, List<String> argv, Duration timeout) {
        throw new UnsupportedOperationException("failed to exec in container " + id + ": " + name() + " runtime does not support exec");
    }

    /**
     * {@code <runtime> exec} with its streams attached (CRI's Exec, what {@code kubectl exec}
     * needs): starts {@code argv} in the running container {@code id}, with the same process
     * settings as {@link #exec}, and returns at once. The caller streams stdin, stdout and stderr
     * through the returned process and takes the command's exit code from it (the runtime exits
     * with it; a runtime failure shows as its message on stderr and a non-zero exit, as with
     * {@code crun exec} run by hand). No terminal.
     *
     * @throws OciException if the runtime could not be started
     */
    default Process startExec(String id, List<String> argv) {
        throw new UnsupportedOperationException("failed to exec in container " + id + ": " + name() + " runtime does not support exec");
    }

    /**
     * {@link #startExec} on a new terminal ({@code exec --tty}, {@code kubectl exec -t}): the
     * command's input and output go through the returned console; its process exits with the
     * command's exit code.
     *
     * @throws OciException if the runtime could not be started or sent no terminal
     */
    default ConsoleExec startExecTty(String id, List<String> argv, int width, int height) {
        throw new UnsupportedOperationException("failed to exec in container " + id + ": " + name() + " runtime does not support exec");
    }

    /**
     * Attaches to the streams of the running container {@code id} ({@code kubectl attach}, CRI's
     * Attach): its output from now on, and its stdin if it was created with one. Closing the
     * returned connection detaches; the container keeps running.
     *
     * @throws OciException if the container has no attach endpoint (unknown, or its monitor is gone)
     */
    default ConmonAttach attach(String id) {
        throw new UnsupportedOperationException("failed to attach to container " + id + ": " + name() + " runtime does not support attach");
    }

    /**
     * What {@link #exec} observed.
     *
     * @param exitCode the command's exit status (the runtime's own if it failed inside the container); -1 if timed out
     * @param stdout   what it wrote to stdout (UTF-8)
     * @param stderr   what it (or the runtime) wrote to stderr (UTF-8)
     * @param timedOut the command outlived the timeout and was killed
     */
    record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut) {
        public static ExecResult timeout() {
            return new ExecResult(-1, "", "", true);
        }
    }
}
