package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.peapod.node.probe.ProbeResult.Outcome;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link HttpGetProber} against a real HTTP server on 127.0.0.1. */
class HttpGetProberTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final HttpGetProber prober = new HttpGetProber();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, com.sun.net.httpserver.Headers> seen = new ConcurrentHashMap<>();
    private final AtomicInteger loops = new AtomicInteger();
    private HttpServer server;
    private HttpServer other;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", ex -> reply(ex, 200, "other port"));
        other.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        other.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        seen.put(path, ex.getRequestHeaders());
        switch (path) {
            case "/status" -> reply(ex, Integer.parseInt(ex.getRequestURI().getQuery()), "status body");
            case "/ok" -> reply(ex, 200, "ok");
            case "/same-host" -> redirect(ex, "/ok");
            case "/other-port" -> redirect(ex, "http://127.0.0.1:" + other.getAddress().getPort() + "/");
            case "/other-host" -> redirect(ex, "http://localhost:" + server.getAddress().getPort() + "/ok");
            case "/to-error" -> redirect(ex, "/status?500");
            case "/loop" -> {
                loops.incrementAndGet();
                redirect(ex, "/loop");
            }
            case "/big" -> reply(ex, 200, "x".repeat(100_000));
            case "/chunked" -> {
                ex.sendResponseHeaders(200, 0); // 0: chunked
                try (OutputStream out = ex.getResponseBody()) {
                    out.write("hel".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write("lo".getBytes(StandardCharsets.UTF_8));
                }
            }
            case "/slow" -> {
                try {
                    release.await(30, TimeUnit.SECONDS); // longer than any probe timeout here
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(ex, 200, "late");
            }
            default -> reply(ex, 404, "not found");
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        reply(ex, 302, "moved");
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (status != 204) out.write(bytes);
        }
    }

    private ProbeResult get(String path, ProbeAction.Header... headers) {
        return get(path, TIMEOUT, headers);
    }

    private ProbeResult get(String path, Duration timeout, ProbeAction.Header... headers) {
        return prober.probe(new ProbeAction.HttpGet("http", "127.0.0.1", server.getAddress().getPort(), path,
                List.of(headers)), timeout);
    }

    @ParameterizedTest(name = "status {0} -> {1}")
    @CsvSource({"200, SUCCESS", "204, SUCCESS", "299, SUCCESS", "304, WARNING", "399, WARNING",
            "400, FAILURE", "404, FAILURE", "500, FAILURE", "503, FAILURE"})
    void statusCodeDecides(int status, Outcome expected) {
        ProbeResult result = get("/status?" + status);

        assertThat(result.outcome()).isEqualTo(expected);
        if (expected == Outcome.FAILURE) assertThat(result.output()).isEqualTo("HTTP probe failed with statuscode: " + status);
    }

    @Test
    void successKeepsTheBodyAsOutput() {
        assertThat(get("/ok")).isEqualTo(ProbeResult.success("ok"));
    }

    @Test
    void redirectToTheSameHostIsFollowed() {
        assertThat(get("/same-host")).isEqualTo(ProbeResult.success("ok"));
    }

    @Test
    void redirectToTheSameHostNameOnAnotherPortIsFollowed() {
        assertThat(get("/other-port")).isEqualTo(ProbeResult.success("other port"));
    }

    @Test
    void redirectToAnotherHostIsNotFollowedAndSucceedsWithAWarning() {
        ProbeResult result = get("/other-host");

        assertThat(result).isEqualTo(ProbeResult.warning("Probe terminated redirects, Response body: moved"));
        assertThat(seen).doesNotContainKey("/ok");
    }

    @Test
    void redirectedRequestCanFail() {
        assertThat(get("/to-error")).isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 500"));
    }

    @Test
    void redirectLoopStopsAfterTenRequests() {
        ProbeResult result = get("/loop");

        assertThat(result.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(result.output()).endsWith("/loop\": stopped after 10 redirects");
        assertThat(loops).hasValue(10);
    }

    @Test
    void sendsKubeletsDefaultHeaders() {
        get("/ok");

        var headers = seen.get("/ok");
        assertThat(headers.getFirst("User-Agent")).isEqualTo("kube-probe/1.36");
        assertThat(headers.getFirst("Accept")).isEqualTo("*/*");
        assertThat(headers.getFirst("Host")).isEqualTo("127.0.0.1:" + server.getAddress().getPort());
        assertThat(headers.getFirst("Connection")).isEqualTo("close");
    }

    @Test
    void specHeadersAreSentAndOverrideTheDefaultsAndTheHost() {
        get("/ok", new ProbeAction.Header("X-Custom", "yes"), new ProbeAction.Header("user-agent", "mine"),
                new ProbeAction.Header("Host", "app.example"));

        var headers = seen.get("/ok");
        assertThat(headers.getFirst("X-Custom")).isEqualTo("yes");
        assertThat(headers.get("User-Agent")).containsExactly("mine");
        assertThat(headers.get("Host")).containsExactly("app.example");
    }

    @Test
    void anEmptyAcceptHeaderRemovesIt() {
        get("/ok", new ProbeAction.Header("Accept", ""));

        assertThat(seen.get("/ok").containsKey("Accept")).isFalse();
    }

    @Test
    void hostOverrideIsKeptThroughARelativeRedirect() {
        get("/same-host", new ProbeAction.Header("Host", "app.example"));

        assertThat(seen.get("/ok").getFirst("Host")).isEqualTo("app.example");
    }

    @Test
    void readsAtMostTenKibibytesOfBody() {
        ProbeResult result = get("/big");

        assertThat(result.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(result.output()).hasSize(10 * 1024);
    }

    @Test
    void decodesAChunkedBody() {
        assertThat(get("/chunked")).isEqualTo(ProbeResult.success("hello"));
    }

    @Test
    void aServerSlowerThanTheTimeoutFailsTheProbe() {
        ProbeResult result = get("/slow", Duration.ofMillis(300));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(result.output()).isEqualTo("Get \"http://127.0.0.1:" + server.getAddress().getPort()
                + "/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
    }

    @Test
    void aClosedPortFailsWithGosMessage() throws IOException {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        ProbeResult result = prober.probe(new ProbeAction.HttpGet("http", "127.0.0.1", port, "/healthz", List.of()), TIMEOUT);

        assertThat(result).isEqualTo(ProbeResult.failure("Get \"http://127.0.0.1:" + port
                + "/healthz\": dial tcp 127.0.0.1:" + port + ": connect: connection refused"));
    }

    @Test
    void pathKeepsItsQuery() {
        get("/status?201");

        assertThat(seen).containsKey("/status");
        assertThat(get("/status?201").outcome()).isEqualTo(Outcome.SUCCESS);
    }
}
