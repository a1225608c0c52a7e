package dev.peapod.apiserver;

import dev.peapod.apiserver.spdy.SpdySession;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SPDY tunnelled in a WebSocket, as kube-apiserver serves {@code pods/portforward} to kubectl 1.31+
 * (KEP-4006; subprotocol {@code SPDY/3.1+portforward.k8s.io}; client-go
 * tools/portforward/tunneling_connection.go): the bytes of the SPDY connection travel as the
 * payloads of binary messages, split anywhere, with nothing added. This endpoint turns the messages
 * back into a byte stream for a {@link SpdySession}, which runs on a virtual thread once the socket
 * is open; what the session writes goes out as one binary message per write. Public only because
 * Jetty calls its methods reflectively.
 */
public final class SpdyTunnelSocket implements Session.Listener.AutoDemanding {
    static final String PORT_FORWARD_PROTOCOL = "SPDY/3.1+" + PortForwardSession.PROTOCOL;
    /** Unread message bytes kept before Jetty is made to wait (it then stops reading the socket). */
    private static final int BUFFER = 1 << 20;

    private final SpdySession.Handler handler;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuffer> messages = new ArrayDeque<>();
    private int buffered;
    private boolean ended;
    private final ReentrantLock writing = new ReentrantLock();

    SpdyTunnelSocket(SpdySession.Handler handler) {
        this.handler = handler;
    }

    @Override
    public void onWebSocketOpen(Session ws) {
        ws.setIdleTimeout(SpdyUpgrade.IDLE);
        // A message is whatever one write of the client carried: up to a whole SPDY frame (kubectl's are 32 KiB at most).
        ws.setMaxBinaryMessageSize(dev.peapod.apiserver.spdy.SpdyCodec.MAX_DATA + 8L);
        var transport = new SpdySession.Transport() {
            @Override
            public int read(byte[] buf) throws IOException {
                lock.lock();
                try {
                    while (messages.isEmpty() && !ended) changed.await();
                    ByteBuffer m = messages.peek();
                    if (m == null) return -1;
                    int n = Math.min(buf.length, m.remaining());
                    m.get(buf, 0, n);
                    buffered -= n;
                    if (!m.hasRemaining()) messages.poll();
                    changed.signalAll();
                    return n;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted");
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void write(byte[] bytes) throws IOException {
                ExecSocket.sendBinary(ws, writing, ByteBuffer.wrap(bytes));
            }

            @Override
            public void close() {
                ended();
                ws.close(StatusCode.NORMAL, null, Callback.NOOP);
            }
        };
        var session = new SpdySession(transport, handler);
        Thread.ofVirtual().name("spdy-tunnel").start(session::run);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
        lock.lock();
        try {
            // Backpressure: while the session has much unread, this (Jetty's) thread waits, and no more is read.
            while (buffered > BUFFER && !ended) changed.await();
            if (!ended && copy.hasRemaining()) {
                messages.add(copy);
                buffered += copy.remaining();
                changed.signalAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        ended();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        ended();
    }

    private void ended() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
