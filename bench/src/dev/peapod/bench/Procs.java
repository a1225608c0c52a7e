package dev.peapod.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Child processes with their output in a file (no pipe to drain, so nothing can block the timing). */
final class Procs {
    private Procs() {}

    /** A finished command: exit code, combined stdout and stderr, wall time from start to exit. */
    record Result(List<String> command, int exit, String output, long nanos) {
        boolean ok() { return exit == 0; }

        Result requireOk() {
            if (!ok()) throw new IllegalStateException("failed to run " + String.join(" ", command) + " (exit " + exit + "): " + output.strip());
            return this;
        }
    }

    /**
     * Runs {@code command} to completion. Timed from just before the fork to the exit seen by
     * {@code waitFor}. An interrupt (Ctrl-C) does not abandon the child: it is waited for (up to
     * the timeout) so that the caller can clean up after it, and the interrupt is kept.
     */
    static Result run(Duration timeout, String... command) {
        Path out = null;
        try {
            out = Files.createTempFile("peapod-bench-", ".out");
            var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            long t0 = System.nanoTime();
            Process p = pb.start();
            boolean interrupted = false;
            boolean done;
            while (true) {
                try {
                    done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            long nanos = System.nanoTime() - t0;
            if (interrupted) Thread.currentThread().interrupt();
            if (!done) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("failed to run " + String.join(" ", command) + ": no exit after " + timeout.toSeconds() + " s; output: " + Files.readString(out).strip());
            }
            return new Result(List.of(command), p.exitValue(), Files.readString(out), nanos);
        } catch (IOException e) {
            throw new IllegalStateException("failed to run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("failed to run " + String.join(" ", command) + ": interrupted", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file; nothing to do
                }
            }
        }
    }
}
