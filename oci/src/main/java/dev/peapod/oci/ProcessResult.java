package dev.peapod.oci;

/**
 * What a finished process left behind.
 *
 * @param exitCode the exit status, or 128 + signal number if a signal ended it
 * @param stdout   everything it wrote to stdout (UTF-8)
 * @param stderr   everything it wrote to stderr (UTF-8)
 */
public record ProcessResult(int exitCode, String stdout, String stderr) {
    public boolean succeeded() { return exitCode == 0; }

    /** stderr if it says anything, otherwise stdout, otherwise the exit code: the best error cause. */
    public String cause() {
        if (!stderr.isBlank()) {
            return stderr.strip();
        }
        return stdout.isBlank() ? "exit status " + exitCode : stdout.strip();
    }
}
