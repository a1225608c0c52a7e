package dev.peapod.node.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@code httpGet} probes with kubelet's semantics ({@code pkg/probe/http/http.go},
 * {@code request.go}):
 * <ul>
 *   <li>200 ≤ status &lt; 400 is a success; anything else fails with
 *       "HTTP probe failed with statuscode: N"; a connection or protocol error fails with Go's
 *       message, e.g. {@code Get "http://10.88.0.5:80/": dial tcp 10.88.0.5:80: connect: connection refused}.</li>
 *   <li>Redirects are followed only to the same host name (any port or scheme); a redirect
 *       elsewhere is not followed and the probe succeeds with a warning ("Probe terminated
 *       redirects, Response body: …", kubelet's {@code ProbeWarning} event). As Go's client, at
 *       most 10 requests are made: the 10th redirect fails the probe ("stopped after 10
 *       redirects"). (The Kubernetes docs say 11 or more redirects count as a success; kubelet's
 *       code, which is followed here, turns Go's error into a failure.)</li>
 *   <li>{@code User-Agent: kube-probe/1.36} and {@code Accept: *}{@code /*} unless the spec sets them;
 *       an empty {@code Accept} from the spec removes it; a {@code Host} header replaces the request's
 *       host (kept through relative redirects only, as Go does).</li>
 *   <li>HTTPS without certificate verification; a new connection per request.</li>
 * </ul>
 * The raw socket client ({@link HttpExchange}) instead of {@code java.net.http} is deliberate:
 * {@code java.net.http} refuses to send a {@code Host} header unless a JVM-wide system property is
 * set before its first use, and it pools connections.
 *
 * <p>Contract: {@link #probe} blocks for at most about {@code timeout} (one deadline covers every
 * redirect), never throws, and is thread safe (the class holds no state).
 */
public final class HttpGetProber {
    /** kubelet's User-Agent is {@code kube-probe/<major>.<minor>} of its own version; Peapod matches Kubernetes 1.36. */
    public static final String USER_AGENT = "kube-probe/1.36";
    private static final int MAX_REQUESTS = 10;

    public ProbeResult probe(ProbeAction.HttpGet action, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String hostOverride = headerValue(action.headers(), "Host");
        List<ProbeAction.Header> headers = requestHeaders(action.headers());
        Target target = new Target(action.scheme(), action.host(), action.port(), action.path());
        String host = hostOverride != null ? hostOverride : target.hostPort();
        for (int requests = 1; ; requests++) {
            HttpExchange.Response response;
            try {
                response = HttpExchange.get(target.scheme, target.host, target.port, target.path, host, headers, deadline);
            } catch (IOException e) {
                return ProbeResult.failure("Get \"" + target.url() + "\": " + goError(e, target));
            }
            String location = response.header("location");
            if (!redirect(response.status()) || location == null || location.isEmpty()) return outcome(response);
            Target next;
            try {
                next = target.resolve(location);
            } catch (URISyntaxException | IllegalArgumentException e) {
                return ProbeResult.failure("Get \"" + target.url() + "\": failed to parse Location header \"" + location + "\": " + e.getMessage());
            }
            // Go's CheckRedirect in kubelet: another host name ends the chain with this 3xx response.
            if (!next.host.equalsIgnoreCase(action.host())) return outcome(response);
            if (requests >= MAX_REQUESTS) return ProbeResult.failure("Get \"" + next.url() + "\": stopped after 10 redirects");
            host = hostOverride != null && !isAbsolute(location) ? hostOverride : next.hostPort();
            target = next;
        }
    }

    private static ProbeResult outcome(HttpExchange.Response response) {
        int status = response.status();
        if (status >= 200 && status < 400) {
            if (status >= 300) return ProbeResult.warning("Probe terminated redirects, Response body: " + response.body());
            return ProbeResult.success(response.body());
        }
        return ProbeResult.failure("HTTP probe failed with statuscode: " + status);
    }

    private static boolean redirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** The headers kubelet sends besides Host ({@code request.go newProbeRequest}). */
    static List<ProbeAction.Header> requestHeaders(List<ProbeAction.Header> spec) {
        List<ProbeAction.Header> out = new ArrayList<>();
        if (headerValue(spec, "User-Agent") == null) out.add(new ProbeAction.Header("User-Agent", USER_AGENT));
        String accept = headerValue(spec, "Accept");
        if (accept == null) out.add(new ProbeAction.Header("Accept", "*/*"));
        for (var h : spec) {
            if (h.name().equalsIgnoreCase("Host")) continue;
            if (h.name().equalsIgnoreCase("Accept") && accept.isEmpty()) continue;
            out.add(h);
        }
        return out;
    }

    private static String headerValue(List<ProbeAction.Header> headers, String name) {
        for (var h : headers) if (h.name().equalsIgnoreCase(name)) return h.value();
        return null;
    }

    private static boolean isAbsolute(String location) {
        try {
            return new URI(location).isAbsolute();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Go's wording for the common failures, which users search for. */
    private static String goError(IOException e, Target t) {
        String dial = "dial tcp " + t.hostPort() + ": ";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return switch (e) {
            case HttpExchange.DeadlineException d -> "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
            case ConnectException c when message.toLowerCase(Locale.ROOT).contains("refused") -> dial + "connect: connection refused";
            case NoRouteToHostException n -> dial + "connect: no route to host";
            case UnknownHostException u -> "dial tcp: lookup " + t.host + ": no such host";
            default -> message;
        };
    }

    /** One request's destination. {@code path} is the request target (path and query) as sent. */
    private record Target(String scheme, String host, int port, String path) {
        String hostPort() {
            return ProbeAction.hostPort(host, port);
        }

        String url() {
            return scheme + "://" + hostPort() + path;
        }

        Target resolve(String location) throws URISyntaxException {
            URI next = new URI(url()).resolve(new URI(location.strip()));
            String scheme = next.getScheme() == null ? this.scheme : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new URISyntaxException(location, "unsupported protocol scheme");
            }
            String host = next.getHost() == null ? this.host : next.getHost();
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int port = next.getPort() > 0 ? next.getPort() : scheme.equals("https") ? 443 : 80;
            String path = next.getRawPath() == null || next.getRawPath().isEmpty() ? "/" : next.getRawPath();
            if (next.getRawQuery() != null) path += "?" + next.getRawQuery();
            return new Target(scheme, host, port, path);
        }
    }
}
