package dev.peapod.node.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * Runs {@code exec} probes as kubelet does ({@code pkg/probe/exec/exec.go}): exit status 0 is a
 * success, anything else a failure, and the command's output (stdout then stderr, at most 10 KiB)
 * is the probe's output, which the {@code Unhealthy} event shows. A command that outlives
 * {@code timeoutSeconds} is killed and fails with {@code command "…" timed out} (KEP-1972,
 * ExecProbeTimeout, GA 1.20). A command that cannot be run at all (container gone, runtime error)
 * is a prober error: not counted, as in kubelet.
 *
 * <p>Better than kubelet: a failing command that printed nothing gets
 * {@code command "…" exited with code N} as its output, so that the event says something.
 *
 * <p>Contract: {@link #probe} blocks for about {@code timeout} at most (as long as the
 * {@link ContainerExec} keeps its contract), never throws, and is thread safe.
 */
public final class ExecProber {
    private final ContainerExec exec;

    public ExecProber(ContainerExec exec) {
        this.exec = Objects.requireNonNull(exec, "exec");
    }

    public ProbeResult probe(String containerId, ProbeAction.Exec action, Duration timeout) {
        String command = String.join(" ", action.command());
        ContainerExec.Result result;
        try {
            result = exec.exec(containerId, action.command(), timeout);
        } catch (RuntimeException e) {
            return ProbeResult.error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (result.timedOut()) return ProbeResult.failure("command \"" + command + "\" timed out");
        if (result.exitCode() == 0) return ProbeResult.success(result.output());
        if (result.output().isBlank()) {
            return ProbeResult.failure("command \"" + command + "\" exited with code " + result.exitCode());
        }
        return ProbeResult.failure(result.output());
    }
}
