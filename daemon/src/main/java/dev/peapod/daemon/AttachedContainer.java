package dev.peapod.daemon;

import dev.peapod.apiserver.PodAttach;
import dev.peapod.apiserver.PodExec;
import dev.peapod.oci.ConmonAttach;
import dev.peapod.oci.OciRuntime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;

/**
 * {@code kubectl attach} on this node: one connection to the container's conmon
 * ({@link ConmonAttach}) as the API server's {@link PodExec.Running}. One platform thread reads
 * conmon's packets and hands each to the stdout or stderr stream its pipe byte names; the
 * session's pumps read those. A slow client slows that thread, which slows conmon (as with
 * CRI-O); the log is written by conmon before it sends.
 */
final class AttachedContainer implements PodExec.Running {
    private static final int PIPE = 64 * 1024;

    private final ConmonAttach conmon;
    private final OutputStream stdin;
    private final PipedInputStream stdout = new PipedInputStream(PIPE), stderr = new PipedInputStream(PIPE);
    private final Thread demux;

    /** The node's {@link PodAttach}: attaches through {@code oci}, sized at once if the container has a terminal. */
    static PodAttach through(OciRuntime oci) {
        return (c, stdin) -> {
            ConmonAttach conmon;
            try {
                conmon = oci.attach(c.containerId());
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (c.tty()) conmon.resize(c.width(), c.height());
            return new AttachedContainer(conmon, stdin);
        };
    }

    private AttachedContainer(ConmonAttach conmon, boolean withStdin) throws IOException {
        this.conmon = conmon;
        // Without stdin nothing reaches conmon, not even the half-close that would end a stdinOnce container's stdin.
        this.stdin = withStdin ? new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) throws IOException { conmon.write(b, off, len); }
            @Override public void close() { conmon.closeInput(); }
        } : OutputStream.nullOutputStream();
        var out = new PipedOutputStream(stdout);
        var err = new PipedOutputStream(stderr);
        this.demux = Thread.ofPlatform().daemon().name("attach-" + conmon.hashCode()).start(() -> {
            try (out; err) {
                for (ConmonAttach.Packet p; (p = conmon.read()) != null; ) {
                    try {
                        (p.pipe() == ConmonAttach.STDERR_PIPE ? err : out).write(p.data());
                    } catch (IOException readerGone) {
                        // the session stopped reading (its client went away): drop until detached
                    }
                }
            } catch (IOException e) {
                // the connection failed: the output ends here
            }
        });
    }

    @Override public OutputStream stdin() { return stdin; }

    @Override public InputStream stdout() { return stdout; }

    @Override public InputStream stderr() { return stderr; }

    /** Until the container's output ends (conmon closes the connection after the container) or {@link #kill}. */
    @Override
    public int waitFor() throws InterruptedException {
        demux.join();
        return 0; // kubelet sends Success when an attach ends, whatever the exit code
    }

    /** Detaches; the container runs on. */
    @Override
    public void kill() {
        conmon.close();
    }

    @Override
    public void resize(int width, int height) {
        conmon.resize(width, height);
    }
}
