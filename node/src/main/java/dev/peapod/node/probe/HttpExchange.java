package dev.peapod.node.probe;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 GET on a new connection that is closed afterwards, as kubelet's probe transport does
 * ({@code DisableKeepAlives: true}: a probe must see whether the server still accepts connections,
 * not reuse one it accepted long ago). Reads the status, the headers and at most
 * {@link ProbeResult#MAX_OUTPUT} bytes of the body, then closes
 * (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#http-probes:
 * "the kubelet stops reading the response body after 10KiB").
 *
 * <p>Every blocking step is bounded by one deadline ({@link System#nanoTime()} based): connect,
 * TLS handshake and each read get the time that is left.
 */
final class HttpExchange {
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    record Response(int status, Map<String, String> headers, String body) {
        /** The first value of a header, by lower-case name, or null. */
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Thrown when the deadline passes; kept apart from other I/O failures for the probe's message. */
    static final class DeadlineException extends IOException {
        DeadlineException() {
            super("deadline exceeded");
        }
    }

    private HttpExchange() {}

    /**
     * @param headers every header line to send except Host, in order
     * @param host    the Host header value
     */
    static Response get(String scheme, String address, int port, String target, String host,
                        List<ProbeAction.Header> headers, long deadline) throws IOException {
        try (Socket socket = connect(scheme, address, port, deadline)) {
            OutputStream out = socket.getOutputStream();
            out.write(request(target, host, headers));
            out.flush();
            var in = new BufferedInputStream(new DeadlineInput(socket, deadline), 8192);
            return read(in);
        } catch (SocketTimeoutException e) {
            throw new DeadlineException();
        }
    }

    private static Socket connect(String scheme, String address, int port, long deadline) throws IOException {
        Socket plain = new Socket();
        try {
            // kubelet's probe dialer sets SO_LINGER 1 s (pkg/probe/dialer_others.go): with a probe
            // every second per container, closed sockets must not pile up waiting to flush.
            plain.setSoLinger(true, 1);
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(address, port), remainingMillis(deadline));
            if (!scheme.equals("https")) return plain;
            // The host name (not an IP literal) goes out as SNI, as Go does from the URL host.
            SSLSocket tls = (SSLSocket) Tls.CONTEXT.getSocketFactory().createSocket(plain, address, port, true);
            tls.setSoTimeout(remainingMillis(deadline));
            tls.startHandshake();
            return tls;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static byte[] request(String target, String host, List<ProbeAction.Header> headers) {
        var sb = new StringBuilder(256).append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        for (var h : headers) sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
        sb.append("Connection: close\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Response read(InputStream in) throws IOException {
        while (true) {
            String statusLine = line(in, new int[] {MAX_HEADER_BYTES});
            if (statusLine == null) throw new EOFException("EOF");
            int status = status(statusLine);
            Map<String, String> headers = headers(in);
            // Interim responses (100 Continue, 103 Early Hints) precede the real one (RFC 9110 §15.2).
            if (status >= 100 && status < 200 && status != 101) continue;
            boolean noBody = status < 200 || status == 204 || status == 304;
            return new Response(status, headers, noBody ? "" : body(in, headers));
        }
    }

    private static int status(String line) throws IOException {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("malformed HTTP response \"" + truncate(line) + "\"");
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("malformed HTTP status code \"" + truncate(parts[1]) + "\"");
        }
    }

    private static Map<String, String> headers(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int[] budget = {MAX_HEADER_BYTES};
        String line;
        while ((line = line(in, budget)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IOException("malformed MIME header line: " + truncate(line));
            headers.putIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        if (line == null) throw new EOFException("unexpected EOF");
        return headers;
    }

    private static String body(InputStream in, Map<String, String> headers) throws IOException {
        var out = new ByteArrayOutputStream();
        String encoding = headers.getOrDefault("transfer-encoding", "");
        if (encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            chunked(in, out);
        } else {
            long length = contentLength(headers.get("content-length"));
            copy(in, out, length < 0 ? ProbeResult.MAX_OUTPUT : Math.min(length, ProbeResult.MAX_OUTPUT));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void chunked(InputStream in, ByteArrayOutputStream out) throws IOException {
        while (out.size() < ProbeResult.MAX_OUTPUT) {
            String sizeLine = line(in, new int[] {1024});
            if (sizeLine == null) return;
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunked encoding");
            }
            if (size == 0) return;
            long want = Math.min(size, ProbeResult.MAX_OUTPUT - out.size());
            copy(in, out, want);
            if (want < size) return; // the limit is reached; the rest is never read
            line(in, new int[] {2});
        }
    }

    /** Copies up to {@code max} bytes; a body that ends early (connection closed) is what it is. */
    private static void copy(InputStream in, ByteArrayOutputStream out, long max) throws IOException {
        byte[] buf = new byte[4096];
        long left = max;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) return;
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static long contentLength(String value) {
        if (value == null) return -1;
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A CRLF- (or LF-) terminated line in ISO-8859-1, or null at EOF before any byte. */
    private static String line(InputStream in, int[] budget) throws IOException {
        var sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (--budget[0] < 0) throw new IOException("HTTP response headers too long");
            if (c == '\n') {
                int end = sb.length();
                if (end > 0 && sb.charAt(end - 1) == '\r') sb.setLength(end - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static String truncate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    static int remainingMillis(long deadline) throws DeadlineException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) throw new DeadlineException();
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** Gives each read the time left before the deadline, so that a slow, dripping server cannot stretch a probe. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return in.read(b, off, len);
        }
    }

    /**
     * TLS without certificate or host name verification, as kubelet probes
     * ({@code pkg/probe/http/http.go New}: {@code InsecureSkipVerify: true}): pods serve
     * self-signed certificates for IPs that no CA vouches for. An {@link X509ExtendedTrustManager}
     * is used on purpose: JSSE wraps a plain {@code X509TrustManager} in one that checks the host
     * name anyway.
     */
    private static final class Tls {
        static final SSLContext CONTEXT = context();

        private static SSLContext context() {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
                return ctx;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("failed to create TLS context for probes: " + e.getMessage(), e);
            }
        }
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
