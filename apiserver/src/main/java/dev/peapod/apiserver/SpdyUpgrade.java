package dev.peapod.apiserver;

import dev.peapod.apiserver.spdy.SpdySession;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The plain HTTP upgrade to SPDY/3.1, as kubelet answers it (k8s.io/apimachinery
 * util/httpstream: {@code Handshake} negotiates {@code X-Stream-Protocol-Version}, then
 * spdy's {@code ResponseUpgrader} answers {@code 101 Switching Protocols} with
 * {@code Connection: Upgrade} and {@code Upgrade: SPDY/3.1}), on Jetty: the 101 response names a
 * new connection ({@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}) that takes over the TLS end
 * point once the response is written; a {@link SpdySession} then runs on a virtual thread, reading
 * and writing the end point blocking.
 */
final class SpdyUpgrade {
    static final String HEADER_PROTOCOL = "X-Stream-Protocol-Version";
    /** kubelet's default streaming idle timeout (--streaming-connection-idle-timeout). */
    static final Duration IDLE = Duration.ofHours(4);

    private SpdyUpgrade() {}

    /** Whether the request asks for {@code Upgrade: SPDY/3.1}. */
    static boolean requested(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("spdy/3.1");
    }

    /**
     * The protocol to answer for the client's {@code X-Stream-Protocol-Version} values (first of the
     * client's that is served), "" if the client offered none (old clients: no negotiation), empty if none fits.
     */
    static Optional<String> negotiate(List<String> offered, List<String> served) {
        if (offered.isEmpty()) return Optional.of("");
        return offered.stream().map(String::trim).filter(served::contains).findFirst();
    }

    /**
     * Answers the upgrade and runs the session the handler factory makes for the negotiated
     * protocol; or answers 400 (not an upgrade) or 403 (no common protocol), as kubelet does.
     */
    static void upgrade(Request request, Response response, Callback callback, List<String> served,
                        Function<String, SpdySession.Handler> handlers) {
        var headers = request.getHeaders();
        String connection = headers.get(HttpHeader.CONNECTION);
        if (!requested(request) || connection == null || !connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
            refuse(response, callback, ApiException.badRequest("unable to upgrade: missing upgrade headers in request"));
            return;
        }
        var offered = headers.getValuesList(HEADER_PROTOCOL).stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(","))).map(String::trim).filter(s -> !s.isEmpty()).toList();
        var protocol = negotiate(offered, served);
        if (protocol.isEmpty()) {
            response.getHeaders().put("X-Accepted-Stream-Protocol-Versions", String.join(",", served));
            refuse(response, callback, new ApiException(403, "Forbidden", "unable to upgrade: unable to negotiate protocol: client supports "
                    + offered + ", server accepts " + served, null));
            return;
        }
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        var upgraded = new EndPointConnection(endPoint, request.getConnectionMetaData().getConnector().getExecutor(),
                handlers.apply(protocol.get()));
        response.setStatus(101);
        response.getHeaders().put(HttpHeader.CONNECTION, "Upgrade");
        response.getHeaders().put(HttpHeader.UPGRADE, "SPDY/3.1");
        if (!protocol.get().isEmpty()) response.getHeaders().put(HEADER_PROTOCOL, protocol.get());
        request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, upgraded);
        response.write(true, null, callback);
    }

    static void refuse(Response response, Callback callback, ApiException e) {
        response.setStatus(e.code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, Json.write(e.status()), callback);
    }

    /** The connection after the upgrade: no callbacks of its own, a virtual thread reads and writes it blocking. */
    private static final class EndPointConnection extends AbstractConnection implements Connection.UpgradeTo {
        private final SpdySession.Handler handler;
        /** Bytes the HTTP parser had read past the request (none from kubectl, which waits for the 101). */
        private volatile ByteBuffer early;

        EndPointConnection(EndPoint endPoint, java.util.concurrent.Executor executor, SpdySession.Handler handler) {
            super(endPoint, executor);
            this.handler = handler;
        }

        @Override
        public void onUpgradeTo(ByteBuffer buffer) {
            if (BufferUtil.hasContent(buffer)) early = BufferUtil.copy(buffer);
        }

        @Override
        public void onOpen() {
            super.onOpen();
            getEndPoint().setIdleTimeout(IDLE.toMillis());
            var session = new SpdySession(new Transport(getEndPoint(), early), handler);
            Thread.ofVirtual().name("spdy-" + getEndPoint().getRemoteSocketAddress()).start(session::run);
        }

        @Override
        public void onFillable() {
            // never asked for: the session's thread fills the end point itself
        }
    }

    /** Blocking reads and writes on a Jetty end point (the session's thread is virtual, so waiting is cheap). */
    private static final class Transport implements SpdySession.Transport {
        private final EndPoint endPoint;
        private final ByteBuffer in = BufferUtil.allocate(64 * 1024);
        private ByteBuffer early;

        Transport(EndPoint endPoint, ByteBuffer early) {
            this.endPoint = endPoint;
            this.early = early;
        }

        @Override
        public int read(byte[] buf) throws IOException {
            if (early != null && early.hasRemaining()) {
                int n = Math.min(buf.length, early.remaining());
                early.get(buf, 0, n);
                return n;
            }
            while (true) {
                BufferUtil.clear(in);
                int n = endPoint.fill(in);
                if (n < 0) return -1;
                if (n > 0) {
                    n = Math.min(n, buf.length);
                    in.get(buf, 0, n);
                    return n;
                }
                var ready = new Callback.Completable();
                endPoint.fillInterested(ready);
                await(ready);
            }
        }

        @Override
        public void write(byte[] bytes) throws IOException {
            var done = new Callback.Completable();
            endPoint.write(done, ByteBuffer.wrap(bytes));
            await(done);
        }

        private static void await(Callback.Completable c) throws IOException {
            try {
                c.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        @Override
        public void close() {
            endPoint.close();
        }
    }
}
