package dev.peapod.apiserver;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The HTTPS front of {@link ApiHandler} on Jetty's core API (no servlets): TLS with the
 * {@link Pki} serving certificate, HTTP/1.1, and every request on its own virtual thread
 * (Jetty's {@code QueuedThreadPool} with a virtual-thread executor), so handlers, watches
 * included, simply block.
 */
public final class ApiServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private ApiServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** Starts listening on {@code address:port} (port 0: any free port). */
    public static ApiServer start(ApiHandler handler, Pki pki, String address, int port) throws Exception {
        var threads = new QueuedThreadPool();
        threads.setName("apiserver");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        var server = new Server(threads);
        char[] password = "peapod".toCharArray(); // protects nothing: the key store lives only in memory
        var tls = new BearerTokenTls(); // requests no client certificate: bearer tokens only
        tls.setKeyStore(pki.keyStore(password));
        tls.setKeyStorePassword(new String(password));
        var http = new HttpConfiguration();
        var secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // clients connect by IP (127.0.0.1), which sends no SNI
        http.addCustomizer(secure);
        http.setSendServerVersion(false);
        var connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost(address);
        connector.setPort(port);
        server.addConnector(connector);
        // WebSocket upgrades (exec, attach, port-forward, watches) are made from the core handler itself.
        server.setHandler(new JettyAdapter(handler, ServerWebSocketContainer.ensure(server)));
        server.start();
        // Every write computes managedFields with server-side apply's schema, read from the OpenAPI document on first
        // use (~0.1-0.2 s): load it now, beside the first requests, rather than inside the first write's response.
        Thread.ofVirtual().name("apply-schema").start(ApplySchema::served);
        return new ApiServer(server, connector);
    }

    public int port() { return connector.getLocalPort(); }

    @Override
    public void close() throws Exception { server.stop(); }

    /** Translates Jetty requests into {@link ApiRequest}s and writes the {@link Reply}. */
    private static final class JettyAdapter extends Handler.Abstract {
        private final ApiHandler handler;
        private final ServerWebSocketContainer websockets;

        JettyAdapter(ApiHandler handler, ServerWebSocketContainer websockets) {
            this.handler = handler;
            this.websockets = websockets;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            try {
                Map<String, String> query = new HashMap<>();
                Fields fields = Request.extractQueryParameters(request);
                Map<String, List<String>> lists = new HashMap<>();
                for (Fields.Field f : fields) {
                    query.put(f.getName(), f.getValue());
                    lists.put(f.getName(), new ArrayList<>(f.getValues()));
                }
                byte[] body;
                try (var in = Content.Source.asInputStream(request)) {
                    body = in.readAllBytes();
                }
                var headers = request.getHeaders();
                var req = new ApiRequest(request.getMethod(), request.getHttpURI().getDecodedPath(), query,
                        headers.get(HttpHeader.ACCEPT), headers.get(HttpHeader.CONTENT_TYPE), headers.get(HttpHeader.AUTHORIZATION), "", lists,
                        headers.get(HttpHeader.USER_AGENT));
                Reply reply = handler.handle(req, body);
                switch (reply) {
                    case Reply.Document d -> {
                        response.setStatus(d.status());
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        // RFC 7234 warn-code 299 with agent "-", as kube-apiserver sends them (k8s.io/apiserver warning).
                        for (String w : d.warnings()) {
                            response.getHeaders().add("Warning", "299 - \"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
                        }
                        byte[] json = Json.write(d.body()).getBytes(StandardCharsets.UTF_8);
                        if (ResponseCompression.wanted(headers.get(HttpHeader.ACCEPT_ENCODING), json.length)) {
                            response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
                            response.getHeaders().add(HttpHeader.VARY, "Accept-Encoding");
                            json = ResponseCompression.gzip(json);
                        }
                        response.write(true, java.nio.ByteBuffer.wrap(json), callback);
                    }
                    case Reply.Bytes b -> {
                        response.setStatus(b.status());
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, b.contentType());
                        b.headers().forEach(response.getHeaders()::put);
                        response.write(true, java.nio.ByteBuffer.wrap(b.body()), callback);
                    }
                    case Reply.Exec e -> upgrade(e, request, response, callback);
                    case Reply.PortForward p -> portForward(p, request, response, callback);
                    case Reply.Text t -> {
                        response.setStatus(200);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                        try (OutputStream out = Content.Sink.asOutputStream(response)) {
                            out.flush();
                            t.writer().write(out);
                        } catch (IOException e) {
                            // the client went away
                        }
                        callback.succeeded();
                    }
                    case Reply.Stream s -> {
                        if (isWebSocket(request)
                                && websockets.upgrade((rq, rs, cb) -> new WatchSocket(s.writer()), request, response, callback)) {
                            break; // a watch over a WebSocket: WatchSocket streams the events
                        }
                        response.setStatus(200);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        try (OutputStream out = Content.Sink.asOutputStream(response)) {
                            out.flush(); // headers now: a client waits for them before it reads events
                            s.writer().write(event -> {
                                out.write((Json.write(event) + "\n").getBytes(StandardCharsets.UTF_8));
                                out.flush();
                            });
                        } catch (IOException e) {
                            // the client went away: the watch is over
                        }
                        callback.succeeded();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                callback.failed(e);
            } catch (Throwable t) {
                System.getLogger("peapod.apiserver").log(System.Logger.Level.ERROR, "request failed: " + t, t);
                callback.failed(t);
            }
            return true;
        }

        /** Whether the request asks to become a WebSocket ({@code Upgrade: websocket}). */
        private static boolean isWebSocket(Request request) {
            return "websocket".equalsIgnoreCase(request.getHeaders().get(HttpHeader.UPGRADE));
        }

        /**
         * Port-forward: a WebSocket offering {@code SPDY/3.1+portforward.k8s.io} tunnels SPDY (kubectl 1.31+);
         * otherwise a plain upgrade to SPDY/3.1 (kubectl's fallback, or {@code KUBECTL_PORT_FORWARD_WEBSOCKETS=false}).
         */
        private void portForward(Reply.PortForward target, Request request, Response response, Callback callback) {
            boolean websocket = isWebSocket(request);
            boolean tunnel = request.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, true).stream()
                    .anyMatch(p -> p.trim().equals(SpdyTunnelSocket.PORT_FORWARD_PROTOCOL));
            if (websocket && tunnel && websockets.upgrade((rq, rs, cb) -> {
                rs.setAcceptedSubProtocol(SpdyTunnelSocket.PORT_FORWARD_PROTOCOL);
                return new SpdyTunnelSocket(new PortForwardSession(target));
            }, request, response, callback)) {
                return;
            }
            SpdyUpgrade.upgrade(request, response, callback, java.util.List.of(PortForwardSession.PROTOCOL),
                    protocol -> new PortForwardSession(target));
        }

        /**
         * A WebSocket offering {@code v5.channel.k8s.io} or {@code v4.channel.k8s.io} becomes an
         * exec (or attach) session. SPDY ({@code Upgrade: SPDY/3.1}, kubectl's fallback when the
         * WebSocket upgrade fails, and the only protocol of clients before 1.30) runs the same session
         * on SPDY streams ({@link ExecSpdySession}); anything else is refused with a Status.
         */
        private void upgrade(Reply.Exec exec, Request request, Response response, Callback callback) {
            var protocol = ExecChannels.negotiate(request.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, true));
            boolean websocket = isWebSocket(request);
            if (websocket && protocol.isPresent() && websockets.upgrade((rq, rs, cb) -> {
                rs.setAcceptedSubProtocol(protocol.get());
                return new ExecSocket(exec, protocol.get());
            }, request, response, callback)) {
                return;
            }
            if (SpdyUpgrade.requested(request)) { // kubectl's fallback, or KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false
                SpdyUpgrade.upgrade(request, response, callback, ExecChannels.SUPPORTED, p -> new ExecSpdySession(exec));
                return;
            }
            var refused = ApiException.badRequest("peapod serve runs exec and attach over a WebSocket with subprotocol "
                    + String.join(" or ", ExecChannels.SUPPORTED) + " (kubectl 1.30 or later) or over SPDY/3.1");
            response.setStatus(refused.code);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(response, true, Json.write(refused.status()), callback);
        }
    }
}
