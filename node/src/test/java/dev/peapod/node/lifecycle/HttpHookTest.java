package dev.peapod.node.lifecycle;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.peapod.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import static dev.peapod.node.lifecycle.HookFixtures.POD_REF;
import static dev.peapod.node.lifecycle.HookFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * httpGet hooks against a real HTTP server on 127.0.0.1: the request kubelet would send, what
 * counts as failure (only transport errors), redirects, the HTTPS-to-HTTP fallback and TLS
 * without verification.
 */
class HttpHookTest {
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final String WHERE = "for Container \"app\" in Pod " + POD_REF;
    private static final HttpClient CLIENT = HookRunner.defaultHttpClient();

    /** One request the server saw. */
    record Seen(String pathAndQuery, Map<String, List<String>> headers) {
        String header(String name) {
            var v = headers.get(name);
            return v == null ? null : String.join(",", v);
        }
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        var uri = ex.getRequestURI();
        seen.add(new Seen(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), Map.copyOf(ex.getRequestHeaders())));
        String path = uri.getPath();
        switch (path) {
            case "/a" -> redirect(ex, 302, "/b");
            case "/b" -> redirect(ex, 301, "http://127.0.0.1:" + port + "/c");
            case "/elsewhere" -> redirect(ex, 307, "http://localhost:" + port + "/c");
            case "/loop" -> redirect(ex, 302, "/loop");
            case "/error" -> respond(ex, 500);
            case "/hang" -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                respond(ex, 200);
            }
            default -> respond(ex, 200);
        }
    }

    private static void redirect(HttpExchange ex, int status, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        respond(ex, status);
    }

    private static void respond(HttpExchange ex, int status) throws IOException {
        byte[] body = "body".getBytes();
        ex.sendResponseHeaders(status, body.length);
        try (var out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static HookRunner runner() {
        return new HookRunner((id, argv, t) -> { throw new AssertionError("no exec"); }, CLIENT, d -> { }, new FakeClock());
    }

    /** The container's port {@code http} is the server's port. */
    private HookRunner.Target target(String podIp) {
        Container c = new ContainerBuilder().withName("app").addNewPort().withName("http").withContainerPort(port).endPort().build();
        return new HookRunner.Target(pod(c), c, "ctr-1", podIp);
    }

    private static LifecycleHandler get(String path, Object port, Consumer<HTTPGetActionBuilder> more) {
        var b = new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString(port));
        more.accept(b);
        return new LifecycleHandlerBuilder().withHttpGet(b.build()).build();
    }

    private static LifecycleHandler get(String path, Object port) {
        return get(path, port, b -> { });
    }

    @Test
    void sends_kubelets_request_to_the_pod_ip_and_the_named_port() {
        var result = runner().run(target("127.0.0.1"), get("/hook?x=1", "http"), GRACE);

        assertThat(result).isEqualTo(HookResult.succeeded());
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().pathAndQuery()).isEqualTo("/hook?x=1");
        assertThat(seen.getFirst().header("User-agent")).isEqualTo("kube-lifecycle/1.36");
        assertThat(seen.getFirst().header("Accept")).isEqualTo("*/*");
    }

    @Test
    void path_without_slash_and_numeric_port_string() {
        assertThat(runner().run(target("127.0.0.1"), get("ready", Integer.toString(port)), GRACE)).isEqualTo(HookResult.succeeded());
        assertThat(seen.getFirst().pathAndQuery()).isEqualTo("/ready");
    }

    @Test
    void explicit_host_needs_no_pod_ip() {
        var handler = get("/h", port, b -> b.withHost("127.0.0.1"));

        assertThat(runner().run(target(null), handler, GRACE)).isEqualTo(HookResult.succeeded());
        assertThat(seen).hasSize(1);
    }

    @Test
    void headers_are_passed_and_override_the_defaults() {
        var handler = get("/h", port, b -> b.withHttpHeaders(
                new HTTPHeader("X-Token", "t1"), new HTTPHeader("user-agent", "mine/1"), new HTTPHeader("Accept", "text/plain")));

        runner().run(target("127.0.0.1"), handler, GRACE);

        var s = seen.getFirst();
        assertThat(s.header("X-token")).isEqualTo("t1");
        assertThat(s.header("User-agent")).isEqualTo("mine/1");
        assertThat(s.header("Accept")).isEqualTo("text/plain");
    }

    @Test
    void an_empty_accept_header_removes_accept() {
        runner().run(target("127.0.0.1"), get("/h", port, b -> b.withHttpHeaders(new HTTPHeader("Accept", ""))), GRACE);

        assertThat(seen.getFirst().header("Accept")).isNull();
    }

    @Test
    void host_header_is_sent() {
        assertThat(HookRunner.hostHeaderAllowed())
                .as("the JDK HTTP client refuses Host unless -Djdk.httpclient.allowRestrictedHeaders=host is set before it is first used")
                .isTrue();

        runner().run(target("127.0.0.1"), get("/h", port, b -> b.withHttpHeaders(new HTTPHeader("Host", "example.test"))), GRACE);

        assertThat(seen.getFirst().header("Host")).isEqualTo("example.test");
    }

    @Test
    void an_error_status_does_not_fail_the_hook_as_in_kubelet() {
        assertThat(runner().run(target("127.0.0.1"), get("/error", port), GRACE)).isEqualTo(HookResult.succeeded());
    }

    @Test
    void connection_refused_fails_with_gos_error_text() throws IOException {
        int closed;
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }

        var result = runner().run(target("127.0.0.1"), get("/hook", closed), GRACE);

        assertThat(result).isEqualTo(new HookResult.Failed("HTTP lifecycle hook (/hook) " + WHERE + " failed - error: Get \"http://127.0.0.1:"
                + closed + "/hook\": dial tcp 127.0.0.1:" + closed + ": connect: connection refused"));
    }

    @Test
    void redirects_to_the_same_host_are_followed_with_a_referer() {
        assertThat(runner().run(target("127.0.0.1"), get("/a", port), GRACE)).isEqualTo(HookResult.succeeded());

        assertThat(seen).extracting(Seen::pathAndQuery).containsExactly("/a", "/b", "/c");
        assertThat(seen.get(1).header("Referer")).isEqualTo("http://127.0.0.1:" + port + "/a");
    }

    @Test
    void a_redirect_to_another_host_ends_the_request_successfully() {
        assertThat(runner().run(target("127.0.0.1"), get("/elsewhere", port), GRACE)).isEqualTo(HookResult.succeeded());
        assertThat(seen).extracting(Seen::pathAndQuery).containsExactly("/elsewhere");
    }

    @Test
    void more_than_ten_redirects_fail() {
        var result = runner().run(target("127.0.0.1"), get("/loop", port), GRACE);

        assertThat(result).isEqualTo(new HookResult.Failed(
                "HTTP lifecycle hook (/loop) " + WHERE + " failed - error: Get \"/loop\": stopped after 10 redirects"));
        assertThat(seen).hasSize(10);
    }

    @Test
    void a_server_that_does_not_answer_in_time_times_out() {
        var result = runner().run(target("127.0.0.1"), get("/hang", port), Duration.ofMillis(200));

        assertThat(result).isEqualTo(new HookResult.TimedOut("HTTP lifecycle hook (/hang) " + WHERE + " did not complete within 200ms"));
    }

    @Test
    void https_answered_in_plain_http_is_retried_over_http_without_authorization() throws Exception {
        try (var plain = new PlainServer()) {
            var handler = get("/h", plain.port(), b -> b.withScheme("HTTPS")
                    .withHttpHeaders(new HTTPHeader("Authorization", "Bearer s3cret"), new HTTPHeader("X-Keep", "1")));

            var result = runner().run(target("127.0.0.1"), handler, GRACE);

            assertThat(result).isEqualTo(new HookResult.Succeeded(Optional.of(new HookResult.Warning("LifecycleHTTPFallback",
                    "request to HTTPS lifecycle hook 127.0.0.1:" + plain.port() + " got HTTP response, retry with HTTP succeeded"))));
            assertThat(plain.tlsHellos()).isEqualTo(1);
            assertThat(plain.requests()).hasSize(1);
            assertThat(plain.requests().getFirst()).startsWith("GET /h HTTP/1.1").containsIgnoringCase("x-keep: 1")
                    .doesNotContainIgnoringCase("authorization");
        }
    }

    @Test
    void when_the_http_retry_fails_too_the_https_error_is_reported() throws Exception {
        try (var plain = new PlainServer()) {
            plain.hangUpOnHttp();
            var handler = get("/h", plain.port(), b -> b.withScheme("HTTPS"));

            var result = runner().run(target("127.0.0.1"), handler, GRACE);

            assertThat(result).isEqualTo(new HookResult.Failed("HTTP lifecycle hook (/h) " + WHERE + " failed - error: Get \"https://127.0.0.1:"
                    + plain.port() + "/h\": http: server gave HTTP response to HTTPS client"));
        }
    }

    @Test
    void https_accepts_any_certificate_and_name(@TempDir Path dir) throws Exception {
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(selfSigned(dir)));
        https.createContext("/", this::handle);
        https.start();
        try {
            var handler = get("/secure", https.getAddress().getPort(), b -> b.withScheme("HTTPS"));

            assertThat(runner().run(target("127.0.0.1"), handler, GRACE)).isEqualTo(HookResult.succeeded());
            assertThat(seen).extracting(Seen::pathAndQuery).containsExactly("/secure");
        } finally {
            https.stop(0);
        }
    }

    @Test
    void unknown_port_name_fails() {
        var result = runner().run(target("127.0.0.1"), get("/h", "metrics"), GRACE);

        assertThat(result).isEqualTo(new HookResult.Failed(
                "HTTP lifecycle hook (/h) " + WHERE + " failed - error: couldn't find port \"metrics\" in container \"app\""));
    }

    @Test
    void no_host_and_no_pod_ip_fails() {
        var result = runner().run(target(null), get("/h", port), GRACE);

        assertThat(result).isEqualTo(new HookResult.Failed("HTTP lifecycle hook (/h) " + WHERE
                + " failed - error: failed to find networking container: the pod has no IP"));
        assertThat(seen).isEmpty();
    }

    /** A key store with a self-signed certificate for a name that is not 127.0.0.1, made by the JDK's keytool. */
    private static SSLContext selfSigned(Path dir) throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path store = dir.resolve("server.p12");
        var p = new ProcessBuilder(javaHome.resolve("bin/keytool").toString(), "-genkeypair", "-alias", "server",
                "-keyalg", "EC", "-dname", "CN=not-this-host.invalid", "-validity", "2", "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit", "-keystore", store.toString())
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes());
        }
        assertThat(p.waitFor()).as("keytool: " + output).isZero();
        var ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        var ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
