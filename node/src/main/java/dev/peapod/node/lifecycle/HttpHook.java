package dev.peapod.node.lifecycle;

import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code httpGet} lifecycle action: kubelet's {@code runHTTPHandler} with
 * {@code httpprobe.NewRequestForHTTPGetAction} and its client. The request goes to
 * {@code scheme://host:port/path} (host defaults to the pod IP, a named port is looked up in the
 * container's ports), with the action's headers, {@code User-Agent: kube-lifecycle/1.36} and
 * {@code Accept: *}{@code /*} unless overridden. Any response counts as success; only a transport
 * error fails the hook. Redirects are followed to the same host name only, at most 10
 * ({@code httpprobe.RedirectChecker(false)}); a redirect elsewhere ends the request, successfully.
 * An HTTPS request answered in plain HTTP is retried over HTTP without {@code Authorization}, and
 * success then carries kubelet's {@code LifecycleHTTPFallback} warning.
 */
final class HttpHook {
    static final String USER_AGENT = "kube-lifecycle/1.36";
    static final int MAX_REDIRECTS = 10;
    static final String FALLBACK_REASON = "LifecycleHTTPFallback";
    /** Headers the JDK client will not send (it writes them itself), other than Host. */
    private static final Set<String> UNSENDABLE = Set.of("connection", "content-length", "expect", "upgrade");
    private static final String HOST_HEADER_PROPERTY = "jdk.httpclient.allowRestrictedHeaders";

    static {
        // Must run before the JDK client's classes read it; see HookRunner.hostHeaderAllowed().
        if (System.getProperty(HOST_HEADER_PROPERTY) == null) System.setProperty(HOST_HEADER_PROPERTY, "host");
    }

    /**
     * Fixed once the JDK client has read the property, so it is looked up once, on first use (a
     * holder: loading the JDK's HTTP client classes is not for the start path of every pod).
     */
    private static final class HostHeader {
        static final boolean ALLOWED = probeHostHeader();
    }

    private final java.util.function.Supplier<HttpClient> client;
    private final InstantSource clock;

    HttpHook(java.util.function.Supplier<HttpClient> client, InstantSource clock) {
        this.client = client;
        this.clock = clock;
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .sslContext(InsecureTls.context())
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    static boolean hostHeaderAllowed() {
        return HostHeader.ALLOWED;
    }

    private static boolean probeHostHeader() {
        try {
            HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Host", "example");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** How one request (with its redirects) went. */
    private sealed interface Outcome {
        record Ok() implements Outcome {}
        record Error(String text, boolean httpAnswerToHttps) implements Outcome {}
        record Timeout() implements Outcome {}
    }

    HookResult run(HookRunner.Target target, HTTPGetAction action, Duration timeout) {
        String path = action.getPath() == null ? "" : action.getPath();
        String prefix = "HTTP lifecycle hook (" + path + ") " + target.where();
        if (!timeout.isPositive()) return HookRunner.timedOut(prefix, timeout);
        String host = action.getHost() == null || action.getHost().isEmpty() ? target.podIp() : action.getHost();
        if (host == null || host.isEmpty()) {
            return new HookResult.Failed(prefix + " failed - error: failed to find networking container: the pod has no IP");
        }
        String scheme = action.getScheme() == null || action.getScheme().isEmpty() ? "http" : action.getScheme().toLowerCase(Locale.ROOT);
        URI uri;
        try {
            uri = HookUris.of(scheme, host, HookUris.resolve(action.getPort(), target.container()), path);
        } catch (IllegalArgumentException e) {
            return new HookResult.Failed(prefix + " failed - error: " + e.getMessage());
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return new HookResult.Failed(prefix + " failed - error: Get " + GoText.quote(uri.toString())
                    + ": unsupported protocol scheme " + GoText.quote(scheme));
        }
        List<HTTPHeader> headers = action.getHttpHeaders() == null ? List.of() : action.getHttpHeaders();
        Instant deadline = clock.instant().plus(timeout);
        Outcome outcome = fetch(uri, headers, deadline);
        if (outcome instanceof Outcome.Error e && e.httpAnswerToHttps() && scheme.equals("https")) {
            var plain = HookUris.withScheme(uri, "http");
            var withoutAuth = headers.stream().filter(h -> !"authorization".equalsIgnoreCase(h.getName())).toList();
            if (fetch(plain, withoutAuth, deadline) instanceof Outcome.Ok) {
                return new HookResult.Succeeded(Optional.of(new HookResult.Warning(FALLBACK_REASON,
                        "request to HTTPS lifecycle hook " + uri.getRawAuthority() + " got HTTP response, retry with HTTP succeeded")));
            }
        }
        return switch (outcome) {
            case Outcome.Ok ok -> HookResult.succeeded();
            case Outcome.Error e -> new HookResult.Failed(prefix + " failed - error: " + e.text());
            case Outcome.Timeout t -> HookRunner.timedOut(prefix, timeout);
        };
    }

    /** One GET and the redirects Go's client would follow under kubelet's redirect checker. */
    private Outcome fetch(URI first, List<HTTPHeader> headers, Instant deadline) {
        URI current = first;
        boolean keepHost = true; // Go keeps a custom Host header only through relative redirects
        String referer = null;
        for (int made = 1; ; made++) {
            HttpRequest request;
            try {
                request = request(current, headers, keepHost, referer, deadline);
            } catch (IllegalArgumentException e) {
                return new Outcome.Error("Get " + GoText.quote(current.toString()) + ": net/http: " + e.getMessage(), false);
            }
            HttpResponse<?> response;
            try {
                response = send(request, deadline);
            } catch (TimeoutException e) {
                return new Outcome.Timeout();
            } catch (IOException e) {
                return new Outcome.Error("Get " + GoText.quote(current.toString()) + ": " + describe(e, current), isHttpAnswer(e));
            }
            var location = response.headers().firstValue("Location");
            if (!isFollowed(response.statusCode()) || location.isEmpty()) return new Outcome.Ok();
            URI next;
            try {
                next = current.resolve(HookUris.lenient(location.get()));
            } catch (IllegalArgumentException e) {
                return new Outcome.Error("Get " + GoText.quote(current.toString()) + ": failed to parse Location header "
                        + GoText.quote(location.get()) + ": " + e.getMessage(), false);
            }
            if (next.getHost() == null || !next.getHost().equalsIgnoreCase(first.getHost())) return new Outcome.Ok();
            if (made >= MAX_REDIRECTS) {
                return new Outcome.Error("Get " + GoText.quote(location.get()) + ": stopped after 10 redirects", false);
            }
            keepHost &= !URI.create(HookUris.lenient(location.get())).isAbsolute();
            // Go sets Referer to the previous URL, except from https to http.
            referer = current.getScheme().equals("https") && next.getScheme().equals("http") ? null : current.toString();
            current = next;
        }
    }

    private static boolean isFollowed(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private HttpRequest request(URI uri, List<HTTPHeader> headers, boolean keepHost, String referer, Instant deadline) {
        var b = HttpRequest.newBuilder(uri).GET().timeout(remaining(deadline));
        List<String> accept = new ArrayList<>();
        boolean userAgent = false;
        for (HTTPHeader h : headers) {
            String name = h.getName() == null ? "" : h.getName();
            String value = h.getValue() == null ? "" : h.getValue();
            String lower = name.toLowerCase(Locale.ROOT);
            userAgent |= lower.equals("user-agent");
            if (lower.equals("accept")) accept.add(value);
            else if (lower.equals("host")) {
                if (keepHost && HostHeader.ALLOWED) b.setHeader("Host", value);
            } else if (!UNSENDABLE.contains(lower) && !(referer != null && lower.equals("referer"))) b.header(name, value);
        }
        // newProbeRequest: Accept defaults to */*; an Accept whose first value is empty removes it.
        if (accept.isEmpty()) b.header("Accept", "*/*");
        else if (!accept.getFirst().isEmpty()) accept.forEach(v -> b.header("Accept", v));
        if (!userAgent) b.header("User-Agent", USER_AGENT);
        if (referer != null) b.header("Referer", referer);
        return b.build();
    }

    private HttpResponse<?> send(HttpRequest request, Instant deadline) throws TimeoutException, IOException {
        Duration left = remaining(deadline);
        var future = client.get().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        try {
            var response = future.get(left.toMillis(), TimeUnit.MILLISECONDS);
            // Only the status line and headers matter; closing the body drops the connection
            // instead of reading a body that may never end.
            response.body().close();
            return response;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted before the request finished");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) throw new TimeoutException(cause.getMessage());
            if (cause instanceof IOException io) throw io;
            throw new IOException(cause == null ? "request failed" : String.valueOf(cause.getMessage()), cause);
        }
    }

    private Duration remaining(Instant deadline) {
        Duration d = Duration.between(clock.instant(), deadline);
        return d.toMillis() < 1 ? Duration.ofMillis(1) : d;
    }

    /** Go's text for the common transport errors, so messages read like kubelet's. */
    private static String describe(IOException e, URI uri) {
        String message = firstMessage(e);
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            String what = message == null ? "connection refused" : message.toLowerCase(Locale.ROOT);
            return "dial tcp " + uri.getRawAuthority() + ": connect: " + what;
        }
        if (isHttpAnswer(e)) return "http: server gave HTTP response to HTTPS client";
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static String firstMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) return c.getMessage();
        }
        return null;
    }

    /** The JDK's TLS engine reports a plain-HTTP answer as "Unsupported or unrecognized SSL message". */
    private static boolean isHttpAnswer(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException && c.getMessage() != null && c.getMessage().contains("nrecognized SSL message")) return true;
        }
        return false;
    }
}
