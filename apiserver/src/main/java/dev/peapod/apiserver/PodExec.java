package dev.peapod.apiserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The node's side of {@code pods/{name}/exec}: the narrow interface the API server has to running
 * a command in a container (the daemon implements it with the OCI runtime's {@code exec}).
 * Contract: thread safe; {@link #start} returns once the command runs, its streams are then read
 * and written concurrently by the caller.
 */
public interface PodExec {
    /**
     * @param containerId the runtime's id of the running container (its status containerID without the scheme)
     * @param argv        the command, never empty
     * @param tty         on a new terminal ({@code kubectl exec -t}): its output is stdout, there is no stderr
     * @param width       the terminal's columns when the command starts (0: not known)
     * @param height      its rows (0: not known)
     */
    record Command(String podUid, String container, String containerId, List<String> argv, boolean tty, int width, int height) {
        Command withSize(int w, int h) { return new Command(podUid, container, containerId, argv, tty, w, h); }
    }

    /** A command that runs: its three streams, its end. */
    interface Running {
        OutputStream stdin();

        InputStream stdout();

        InputStream stderr();

        /** Blocks until the command has ended; its exit code. */
        int waitFor() throws InterruptedException;

        /** Ends it now if it still runs (the client went away), and releases what it holds (a terminal); also called after its end. */
        void kill();

        /** The terminal's new size (only with a tty). */
        default void resize(int width, int height) {}

        static Running of(Process p) {
            return new Running() {
                @Override public OutputStream stdin() { return p.getOutputStream(); }
                @Override public InputStream stdout() { return p.getInputStream(); }
                @Override public InputStream stderr() { return p.getErrorStream(); }
                @Override public int waitFor() throws InterruptedException { return p.waitFor(); }
                @Override public void kill() { p.descendants().forEach(ProcessHandle::destroyForcibly); p.destroyForcibly(); }
            };
        }
    }

    /** Starts {@code command}; throws if it cannot run at all (its message goes to the client). */
    Running start(Command command) throws IOException;

    PodExec NONE = c -> { throw new IOException("exec is not available on this node"); };
}
