package dev.peapod.oci;

import java.nio.file.Path;
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
}
