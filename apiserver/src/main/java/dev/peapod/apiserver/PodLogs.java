package dev.peapod.apiserver;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;

/**
 * The node's side of {@code GET …/pods/{name}/log}: the narrow interface the API server has to the
 * node's container logs (the daemon implements it over the CRI log files conmon writes).
 * Contract: thread safe; {@link #write} blocks while it follows.
 */
public interface PodLogs {
    /**
     * The query of {@code kubectl logs} (PodLogOptions).
     *
     * @param tailLines  the last lines only, or null for all
     * @param since      lines logged at or after this time only, or null
     * @param limitBytes stop after this many bytes, or null
     */
    record Options(boolean previous, boolean follow, boolean timestamps, Integer tailLines, Instant since, Long limitBytes) {}

    /** Whether the current attempt of {@code container} (or, with {@code previous}, the one before it) has a log. */
    boolean has(String podUid, String container, boolean previous);

    /**
     * Writes the log of the current attempt of {@code container} (or, with {@code previous}, the one
     * before it) in kubectl's form: each line's content, preceded by its RFC 3339 timestamp with
     * {@code timestamps}. Following goes on until the attempt has ended and its log is drained.
     * Writes nothing when there is no such attempt.
     */
    void write(String podUid, String container, Options options, OutputStream out) throws IOException, InterruptedException;

    PodLogs NONE = new PodLogs() {
        @Override public boolean has(String podUid, String container, boolean previous) { return false; }
        @Override public void write(String podUid, String container, Options options, OutputStream out) {}
    };
}
