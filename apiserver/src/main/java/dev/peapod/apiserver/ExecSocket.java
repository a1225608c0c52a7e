package dev.peapod.apiserver;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Jetty WebSocket endpoint of one {@code kubectl exec}: adapts Jetty's session to
 * {@link ExecSession.Socket} (blocking, one message at a time) and runs the session on a virtual
 * thread once the socket is open. kubectl's pings (every 5 s) are answered by Jetty. Public only
 * because Jetty calls its methods reflectively.
 */
public final class ExecSocket implements Session.Listener.AutoDemanding {
    private final Reply.Exec exec;
    private final String protocol;
    private final ReentrantLock writing = new ReentrantLock();
    private volatile ExecSession session;

    ExecSocket(Reply.Exec exec, String protocol) {
        this.exec = exec;
        this.protocol = protocol;
    }

    @Override
    public void onWebSocketOpen(Session ws) {
        var socket = new ExecSession.Socket() {
            @Override
            public void send(ByteBuffer message) throws IOException {
                sendBinary(ws, writing, message);
            }

            @Override
            public void close() {
                writing.lock();
                try {
                    ws.close(StatusCode.NORMAL, null, Callback.NOOP);
                } finally {
                    writing.unlock();
                }
            }
        };
        session = new ExecSession(exec.node(), exec.command(), exec.streams(), protocol, socket);
        Thread.ofVirtual().name("exec-" + exec.command().container()).start(session::run);
    }

    /** Sends one binary message and waits until it is written; {@code writing} keeps messages whole and in order. */
    static void sendBinary(Session ws, ReentrantLock writing, ByteBuffer message) throws IOException {
        writing.lock();
        try {
            var done = new Callback.Completable();
            ws.sendBinary(message, done);
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            writing.unlock();
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        // Blocks while the command does not read its stdin: backpressure to kubectl.
        session.received(payload);
        callback.succeed();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (session != null) session.clientClosed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        if (session != null) session.clientClosed();
    }
}
