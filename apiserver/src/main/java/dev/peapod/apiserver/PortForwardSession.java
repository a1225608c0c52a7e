package dev.peapod.apiserver;

import dev.peapod.apiserver.spdy.SpdyFrame;
import dev.peapod.apiserver.spdy.SpdySession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One {@code kubectl port-forward} connection, as kubelet serves it
 * (pkg/kubelet/cri/streaming/portforward/httpstream.go): for each connection accepted on its local
 * port, kubectl opens two SPDY streams with the headers {@code streamType} ({@code error}, then
 * {@code data}), {@code port} and {@code requestID}; once both of a request id are there, the data
 * stream is joined to a new TCP connection to {@code localhost:port} in the pod. A failure (nothing
 * listens there) is written as text to the error stream, which kubectl prints. Either side's end
 * half-closes the other (the client's FIN shuts the socket's output; the pod's EOF is a FIN on the
 * data stream, then the error stream ends too, which tells kubectl the request is over). When the
 * connection ends every socket is closed.
 */
final class PortForwardSession implements SpdySession.Handler {
    /** kubelet's streamCreationTimeout default: the two streams of a request must both come by then. */
    static final long PAIR_TIMEOUT_SECONDS = 30;
    static final String PROTOCOL = "portforward.k8s.io";
    private static final System.Logger LOG = System.getLogger("peapod.portforward");

    private final Reply.PortForward target;
    private final Map<String, Pair> pairs = new HashMap<>();
    private final Set<SocketChannel> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    PortForwardSession(Reply.PortForward target) {
        this.target = target;
    }

    /** The two streams of one forwarded connection. */
    private static final class Pair {
        final String requestId;
        final CountDownLatch complete = new CountDownLatch(2);
        volatile SpdySession.Stream data, error;

        Pair(String requestId) { this.requestId = requestId; }
    }

    @Override
    public boolean opened(SpdySession.Stream stream) {
        String type = stream.header("streamtype");
        String requestId = stream.header("requestid");
        if (requestId == null || !("data".equals(type) || "error".equals(type)) || port(stream) < 0) return false;
        Pair pair;
        boolean first;
        synchronized (pairs) {
            pair = pairs.get(requestId);
            first = pair == null;
            if (first) pairs.put(requestId, pair = new Pair(requestId));
            if ("data".equals(type) ? pair.data != null : pair.error != null) return false; // a second one of a kind
            if ("data".equals(type)) pair.data = stream; else pair.error = stream;
        }
        pair.complete.countDown();
        if (first) {
            Pair p = pair;
            Thread.ofVirtual().name("portforward-" + target.podName() + "-" + requestId).start(() -> forward(p));
        }
        return true;
    }

    /** The {@code port} header as a TCP port, or -1. */
    static int port(SpdySession.Stream stream) {
        try {
            int port = Integer.parseInt(stream.header("port"));
            return port > 0 && port < 65536 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void forward(Pair pair) {
        try {
            if (!pair.complete.await(PAIR_TIMEOUT_SECONDS, TimeUnit.SECONDS) || pair.data == null || pair.error == null) {
                if (pair.data != null) pair.data.reset(SpdyFrame.CANCEL);
                if (pair.error != null) pair.error.reset(SpdyFrame.CANCEL);
                return;
            }
            int port = port(pair.data);
            SocketChannel socket;
            try {
                String container = target.runningContainer().get();
                if (container == null) throw new IOException("pod has no running container");
                socket = target.node().connect(target.podUid(), container, port);
            } catch (IOException | RuntimeException e) {
                String message = "error forwarding port " + port + " to pod " + target.podName() + ", uid " + target.podUid() + ": "
                        + (e.getMessage() == null ? e.toString() : e.getMessage());
                byte[] text = message.getBytes(StandardCharsets.UTF_8);
                try {
                    pair.error.write(text, 0, text.length);
                } catch (IOException gone) {
                    // the client went away
                }
                return;
            }
            sockets.add(socket);
            if (closed) closeQuietly(socket);
            try {
                join(pair, socket);
            } finally {
                sockets.remove(socket);
                closeQuietly(socket);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (pair.data != null) pair.data.closeWrite();
            if (pair.error != null) pair.error.closeWrite();
            synchronized (pairs) {
                pairs.remove(pair.requestId);
            }
        }
    }

    /** Copies both ways until both have ended (or the socket is closed under them). */
    private static void join(Pair pair, SocketChannel socket) throws InterruptedException {
        SpdySession.Stream data = pair.data;
        Thread up = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[32 * 1024];
            try (InputStream in = data.input()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) socket.write(b);
                }
                socket.shutdownOutput(); // the client's FIN: the pod's server reads EOF
            } catch (IOException e) {
                // the socket was closed
            }
        });
        ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
        try {
            while (socket.read(buf) >= 0) {
                buf.flip();
                data.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
        } catch (IOException e) {
            // the socket failed, or the stream is gone
        }
        // The pod's side ended: FIN on the data stream, and on the error stream (nothing went wrong): kubectl then
        // closes the local connection, which ends its side of the data stream too.
        data.closeWrite();
        pair.error.closeWrite();
        up.join();
    }

    @Override
    public void closed() {
        closed = true;
        for (SocketChannel s : sockets) closeQuietly(s);
        synchronized (pairs) {
            // Half pairs wait no longer: their other stream will never come.
            for (Pair p : pairs.values()) {
                while (p.complete.getCount() > 0) p.complete.countDown();
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "port-forward to " + target.podName() + " ended");
    }

    private static void closeQuietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed anyway
        }
    }
}
