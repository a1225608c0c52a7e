package dev.peapod.apiserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One {@code kubectl exec} over the channel protocol ({@link ExecChannels}), independent of the
 * WebSocket library: {@link #run} starts the command and streams its stdout and stderr as they
 * come (one message per read, never buffered to the end), then sends the exit status on the error
 * channel and closes; {@link #received} feeds the client's messages (stdin, close signal, resize).
 * Contract: {@link #run} once, on its own thread; {@link #received} from one thread at a time.
 */
final class ExecSession {
    /** The WebSocket as the session needs it. {@link #send} blocks until written; thread safe. */
    interface Socket {
        void send(ByteBuffer message) throws IOException;

        /** Normal closure (1000): kubectl then sees EOF on every stream. */
        void close();
    }

    /** Which streams the client asked for (query {@code stdin}, {@code stdout}, {@code stderr}). */
    record Streams(boolean stdin, boolean stdout, boolean stderr) {}

    private final PodExec node;
    private final PodExec.Command command;
    private final Streams streams;
    private final String protocol;
    private final Socket socket;
    private volatile PodExec.Running running;
    private volatile boolean clientGone;
    /** A terminal's first size: kubectl sends it at once; the command starts with it. */
    private final java.util.concurrent.CountDownLatch sized = new java.util.concurrent.CountDownLatch(1);
    private volatile int[] initialSize;
    /** What the client sent before the command ran; guarded by itself, which also orders it before later input. */
    private final java.util.List<ExecChannels.Incoming> pending = new java.util.ArrayList<>();

    ExecSession(PodExec node, PodExec.Command command, Streams streams, String protocol, Socket socket) {
        this.node = node;
        this.command = command;
        this.streams = streams;
        this.protocol = protocol;
        this.socket = socket;
    }

    /** Runs the command to its end; always ends with a Status on the error channel and a close. */
    void run() {
        try {
            PodExec.Running r;
            PodExec.Command c = command;
            if (c.tty()) {
                // Without this the command may ask its terminal's size before the first resize arrives.
                sized.await(3, java.util.concurrent.TimeUnit.SECONDS);
                int[] size = initialSize;
                if (size != null) c = c.withSize(size[0], size[1]);
            }
            try {
                r = node.start(c);
            } catch (IOException | RuntimeException e) {
                sendStatus(ExecChannels.failure(e.getMessage() == null ? e.toString() : e.getMessage()));
                return;
            }
            if (!streams.stdin()) closeQuietly(r.stdin());
            // Output first: early stdin may fill the pipe and wait for a command that waits for its output to be read.
            Thread out = pump(r.stdout(), streams.stdout() ? ExecChannels.STDOUT : -1);
            Thread err = pump(r.stderr(), streams.stderr() ? ExecChannels.STDERR : -1);
            synchronized (pending) {
                for (var early : pending) handle(r, early);
                pending.clear();
                running = r;
            }
            if (clientGone) r.kill();
            int code = r.waitFor();
            out.join();
            err.join();
            sendStatus(ExecChannels.exitStatus(code, command.argv()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (running != null) running.kill();
        } finally {
            if (running != null) running.kill();
            socket.close();
        }
    }

    /**
     * A message from the client. kubectl sends stdin (and a terminal's size) at once: what comes
     * before the command runs is kept for it; the first size is the one it starts with.
     */
    void received(ByteBuffer message) {
        var incoming = ExecChannels.parse(message, protocol);
        PodExec.Running r = running;
        if (r == null) {
            synchronized (pending) {
                r = running;
                if (r == null) {
                    if (initialSize == null && incoming instanceof ExecChannels.Incoming.Data(int channel, byte[] data)
                            && channel == ExecChannels.RESIZE) {
                        initialSize = ExecChannels.size(data);
                        sized.countDown();
                    } else {
                        pending.add(incoming);
                    }
                    return;
                }
            }
        }
        handle(r, incoming);
    }

    private void handle(PodExec.Running r, ExecChannels.Incoming incoming) {
        switch (incoming) {
            case ExecChannels.Incoming.Data(int channel, byte[] data) when channel == ExecChannels.STDIN -> {
                if (!streams.stdin()) return;
                try {
                    r.stdin().write(data);
                    r.stdin().flush();
                } catch (IOException e) {
                    // the command closed its stdin: what comes after has no reader, as with a pipe
                }
            }
            case ExecChannels.Incoming.Close(int channel) when channel == ExecChannels.STDIN -> {
                if (!command.tty()) closeQuietly(r.stdin()); // a terminal stays open
            }
            case ExecChannels.Incoming.Data(int channel, byte[] data) when channel == ExecChannels.RESIZE -> {
                var size = ExecChannels.size(data);
                if (command.tty() && size != null) r.resize(size[0], size[1]);
            }
            default -> { } // unknown channels: nothing to do
        }
    }

    /** The client closed the WebSocket or it failed: the command is killed, as kubelet does when the stream ends. */
    void clientClosed() {
        clientGone = true;
        sized.countDown();
        PodExec.Running r = running;
        if (r != null) r.kill();
    }

    /** Copies {@code in} to {@code channel} (-1: read and drop, so the command never blocks on a full pipe). */
    private Thread pump(InputStream in, int channel) {
        // Platform threads: a terminal is read with blocking downcalls, which would pin a carrier.
        return Thread.ofPlatform().daemon().name("exec-" + channel).start(() -> {
            byte[] buf = new byte[32 * 1024];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (channel >= 0 && n > 0 && !clientGone) socket.send(ExecChannels.frame(channel, buf, 0, n));
                }
            } catch (IOException e) {
                // the client went away (or the command's end closed the pipe)
            }
        });
    }

    private void sendStatus(com.fasterxml.jackson.databind.JsonNode status) {
        byte[] json = Json.write(status).getBytes(StandardCharsets.UTF_8);
        try {
            if (!clientGone) socket.send(ExecChannels.frame(ExecChannels.ERROR, json, 0, json.length));
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
