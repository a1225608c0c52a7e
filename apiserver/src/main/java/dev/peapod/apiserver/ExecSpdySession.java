package dev.peapod.apiserver;

import dev.peapod.apiserver.spdy.SpdySession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code kubectl exec} over SPDY, as kubelet serves it (pkg/kubelet/cri/streaming/remotecommand/
 * httpstream.go, protocols {@code v4.channel.k8s.io} and {@code v5.channel.k8s.io}, which are the
 * same over SPDY): the client opens one stream per channel, header {@code streamType} =
 * {@code error}, {@code stdin}, {@code stdout}, {@code stderr} (not with a terminal) or
 * {@code resize} (with a terminal: a sequence of JSON {@code {"Width":…,"Height":…}}). Once the
 * expected ones are there, the same {@link ExecSession} as for WebSockets runs, this class
 * translating its channel messages to and from the streams: stdin's FIN is the close signal of
 * stdin; at the end the output and error streams get their FIN and the connection closes once the
 * client has read them.
 */
final class ExecSpdySession implements SpdySession.Handler {
    /** kubelet's streamCreationTimeout default. */
    static final Duration STREAMS_TIMEOUT = Duration.ofSeconds(30);
    /** How long the client may take to read the end and close the connection itself. */
    static final Duration LINGER = Duration.ofSeconds(10);

    private final Reply.Exec exec;
    private final Map<String, SpdySession.Stream> streams = new ConcurrentHashMap<>();
    private final java.util.Set<String> expected = new java.util.HashSet<>();
    private final ReentrantLock receiving = new ReentrantLock();
    private volatile ExecSession session;
    private volatile SpdySession connection;
    private volatile boolean started;

    ExecSpdySession(Reply.Exec exec) {
        this.exec = exec;
        expected.add("error");
        if (exec.streams().stdin()) expected.add("stdin");
        if (exec.streams().stdout()) expected.add("stdout");
        if (exec.streams().stderr() && !exec.command().tty()) expected.add("stderr");
        if (exec.command().tty()) expected.add("resize");
    }

    @Override
    public boolean opened(SpdySession.Stream stream) {
        String type = stream.header("streamtype");
        if (type == null || !expected.contains(type) || streams.putIfAbsent(type, stream) != null) return false;
        if (connection == null) {
            connection = stream.session();
            // kubelet gives up on a client that does not open all its streams in time.
            Thread.ofVirtual().name("exec-spdy-wait").start(this::timeout);
        }
        if (streams.keySet().containsAll(expected)) start();
        return true;
    }

    private void timeout() {
        try {
            if (!connection.awaitEnd(STREAMS_TIMEOUT) && !started) connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void start() {
        if (started) return;
        started = true;
        var socket = new ExecSession.Socket() {
            @Override
            public void send(ByteBuffer message) throws IOException {
                int channel = message.get() & 0xff;
                SpdySession.Stream s = streams.get(switch (channel) {
                    case ExecChannels.STDOUT -> "stdout";
                    case ExecChannels.STDERR -> "stderr";
                    case ExecChannels.ERROR -> "error";
                    default -> "none";
                });
                if (s == null) return;
                byte[] data = new byte[message.remaining()];
                message.get(data);
                s.write(data, 0, data.length);
            }

            @Override
            public void close() {
                for (String t : new String[]{"stdout", "stderr", "error"}) {
                    SpdySession.Stream s = streams.get(t);
                    if (s != null) s.closeWrite();
                }
                // kubectl ends once it read every stream and then closes the connection; closing it first could cut
                // off what it has not read yet.
                Thread.ofVirtual().name("exec-spdy-linger").start(() -> {
                    try {
                        if (!connection.awaitEnd(LINGER)) connection.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        connection.close();
                    }
                });
            }
        };
        // v5's close signal stands for stdin's FIN, so the session is told the v5 way.
        session = new ExecSession(exec.node(), exec.command(), exec.streams(), ExecChannels.V5, socket);
        Thread.ofVirtual().name("exec-spdy-" + exec.command().container()).start(session::run);
        SpdySession.Stream stdin = streams.get("stdin");
        if (stdin != null) Thread.ofVirtual().name("exec-spdy-stdin").start(() -> stdin(stdin.input()));
        SpdySession.Stream resize = streams.get("resize");
        if (resize != null) Thread.ofVirtual().name("exec-spdy-resize").start(() -> resize(resize.input()));
    }

    private void stdin(InputStream in) {
        byte[] buf = new byte[32 * 1024];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (n > 0) deliver(ExecChannels.frame(ExecChannels.STDIN, buf, 0, n));
            }
        } catch (IOException e) {
            // the connection ended
        }
        deliver(ByteBuffer.wrap(new byte[]{(byte) ExecChannels.CLOSE, ExecChannels.STDIN}));
    }

    /** The resize stream: JSON objects one after the other (client-go writes them with a json.Encoder). */
    private void resize(InputStream in) {
        try (in; var sizes = Json.MAPPER.readerFor(com.fasterxml.jackson.databind.JsonNode.class).readValues(in)) {
            while (sizes.hasNextValue()) {
                byte[] json = Json.MAPPER.writeValueAsBytes(sizes.nextValue());
                deliver(ExecChannels.frame(ExecChannels.RESIZE, json, 0, json.length));
            }
        } catch (IOException | RuntimeException e) {
            // the connection ended, or the client sent something that is no size: no more resizing
        }
    }

    /** {@link ExecSession#received} is for one thread at a time; stdin and resize come on two. */
    private void deliver(ByteBuffer message) {
        receiving.lock();
        try {
            session.received(message);
        } finally {
            receiving.unlock();
        }
    }

    @Override
    public void closed() {
        ExecSession s = session;
        if (s != null) s.clientClosed();
    }
}
