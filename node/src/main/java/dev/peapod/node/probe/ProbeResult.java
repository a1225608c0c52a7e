package dev.peapod.node.probe;

import java.util.Objects;

/**
 * What one run of a probe found. {@link Outcome#WARNING} counts as a success (kubelet
 * {@code prober.go}: {@code probe.Warning} becomes {@code results.Success} plus a
 * {@code ProbeWarning} event); {@link Outcome#ERROR} means the probe could not be run at all and is
 * not counted toward either threshold (kubelet {@code worker.go}: "Prober error, throw away the
 * result").
 *
 * @param outcome what happened
 * @param output  what the probe said: the response body or command output on success, the reason on
 *                failure; at most {@link #MAX_OUTPUT} characters; never null
 */
public record ProbeResult(Outcome outcome, String output) {

    /** kubelet reads at most 10 KiB of a response body or command output ({@code maxReadLength}). */
    public static final int MAX_OUTPUT = 10 * 1024;

    public enum Outcome { SUCCESS, WARNING, FAILURE, ERROR }

    public ProbeResult {
        Objects.requireNonNull(outcome, "outcome");
        output = output == null ? "" : output.length() > MAX_OUTPUT ? output.substring(0, MAX_OUTPUT) : output;
    }

    public static ProbeResult success(String output) { return new ProbeResult(Outcome.SUCCESS, output); }

    public static ProbeResult warning(String output) { return new ProbeResult(Outcome.WARNING, output); }

    public static ProbeResult failure(String output) { return new ProbeResult(Outcome.FAILURE, output); }

    public static ProbeResult error(String output) { return new ProbeResult(Outcome.ERROR, output); }

    /** Whether the run counts as a success (a warning does). */
    public boolean success() {
        return outcome == Outcome.SUCCESS || outcome == Outcome.WARNING;
    }

    /** Whether the run counts at all: an errored probe is thrown away. */
    public boolean counted() {
        return outcome != Outcome.ERROR;
    }
}
