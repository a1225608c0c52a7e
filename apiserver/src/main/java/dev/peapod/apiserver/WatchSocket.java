package dev.peapod.apiserver;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

import java.io.IOException;
import java.util.concurrent.ExecutionException;

/**
 * A watch over a WebSocket, as kube-apiserver serves one when the watch request asks for the upgrade
 * (k8s.io/apiserver's watch handler: each event one text message, the same JSON as a line of the
 * chunked stream). fabric8's Java client watches this way by default; kubectl uses the chunked stream.
 * The watch's writer runs on a virtual thread; the client closing the socket interrupts it. Public only
 * because Jetty calls its methods reflectively.
 */
public final class WatchSocket implements Session.Listener.AutoDemanding {
    private final Reply.Writer writer;
    private volatile Thread thread;

    WatchSocket(Reply.Writer writer) {
        this.writer = writer;
    }

    @Override
    public void onWebSocketOpen(Session ws) {
        thread = Thread.ofVirtual().name("watch-ws").start(() -> {
            try {
                writer.write(event -> {
                    var sent = new Callback.Completable();
                    ws.sendText(Json.write(event), sent);
                    try {
                        sent.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("watch interrupted", e);
                    } catch (ExecutionException e) {
                        throw new IOException(e.getCause());
                    }
                });
                ws.close(StatusCode.NORMAL, null, Callback.NOOP); // the watch ended (timeoutSeconds, 410)
            } catch (InterruptedException | IOException e) {
                // the client went away
            }
        });
    }

    @Override
    public void onWebSocketText(String message) {
        // Clients send nothing on a watch; ignore what they do send.
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        stop();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        stop();
    }

    private void stop() {
        Thread t = thread;
        if (t != null) t.interrupt();
    }
}
