package dev.peapod.node.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain-HTTP server on 127.0.0.1 that answers a TLS ClientHello the way Go's net/http server
 * does ({@code 400 Bad Request}, "Client sent an HTTP request to an HTTPS server"), so that an
 * HTTPS client sees an HTTP answer. The JDK's HttpServer instead waits for a request line that
 * never comes. Ordinary requests get 200, or a closed
 * connection and no answer after {@link #hangUpOnHttp()}.
 */
final class PlainServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger tlsHellos = new AtomicInteger();
    private volatile boolean hangUp;

    PlainServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(this::accept);
    }

    int port() { return socket.getLocalPort(); }

    List<String> requests() { return requests; }

    int tlsHellos() { return tlsHellos.get(); }

    void hangUpOnHttp() { hangUp = true; }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int first = in.read();
            if (first == 0x16) { // TLS handshake record
                tlsHellos.incrementAndGet();
                out.write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            var head = new StringBuilder().append((char) first);
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) return;
                head.append((char) c);
            }
            requests.add(head.toString());
            if (hangUp) return;
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
