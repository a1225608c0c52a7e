package dev.peapod.apiserver;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real kubectl (v1.32) running {@code kubectl port-forward} (WebSocket tunnel and plain SPDY)
 * and {@code kubectl exec} over SPDY against the API server; the node is a fake: "the pod" is a web
 * server on this host's loopback, commands run as local processes.
 */
class KubectlPortForwardTest {
    @TempDir static Path dir;
    static TestServer server;
    static HttpServer web;
    /** 1 MB of text: far more than a SPDY window. */
    static final String BIG = "0123456789abcdef".repeat(65_536);
    /** What the fake node was asked: container id and port. */
    static final List<String> connects = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        web.createContext("/", ex -> {
            byte[] received = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            // /upload answers with what it received, upper-cased: both directions carry a megabyte.
            byte[] body = path.equals("/upload") ? new String(received, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8)
                    : (path.equals("/big") ? BIG : "hello").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        web.start();
        // Port 80 of "the pod" is the web server; anything else has nothing listening.
        PodPortForward node = (uid, id, port) -> {
            connects.add(id + ":" + port);
            int real = port == 80 ? web.getAddress().getPort() : closedPort();
            return SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), real));
        };
        server = new TestServer(dir, ExecSessionTest.LOCAL, node);
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest}
                """);
        assertThat(kubectl(Map.of(), "create", "-f", pod.toString()).exit()).isZero();
        var status = kubectl(Map.of(), "patch", "pod", "web", "--subresource=status", "--type=merge", "-p", """
                {"status":{"phase":"Running","containerStatuses":[
                 {"name":"app","containerID":"crun://c-app","state":{"running":{}},"ready":true,"restartCount":0,"image":"b","imageID":""}]}}""");
        assertThat(status.exit()).as(status.err()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        web.stop(0);
    }

    static int closedPort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    record Run(int exit, String out, String err) {}

    static Run kubectl(Map<String, String> env, String... args) throws Exception {
        return kubectlWithInput(env, "", args);
    }

    static Run kubectlWithInput(Map<String, String> env, String stdin, String... args) throws Exception {
        return kubectlOn(server, env, stdin, args);
    }

    /** kubectl against {@code server} with {@code env} added (e.g. KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false for SPDY). */
    static Run kubectlOn(TestServer server, Map<String, String> env, String stdin, String... args) throws Exception {
        Path dir = server.kubeconfig.getParent();
        var cmd = new ArrayList<>(List.of(KubectlTest.KUBECTL, "--kubeconfig", server.kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path in = Files.writeString(Files.createTempFile(dir, "in", ""), stdin);
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        var pb = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@code kubectl port-forward pod/web LOCAL:80}, once it listens. */
    static Process forward(Map<String, String> env, Path err, String... ports) throws Exception {
        var cmd = new ArrayList<>(List.of(KubectlTest.KUBECTL, "--kubeconfig", server.kubeconfig.toString(), "-v=6", "port-forward", "pod/web"));
        cmd.addAll(List.of(ports));
        Path out = Files.createTempFile(dir, "pf", "");
        var pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Files.readString(out).lines().filter(l -> l.startsWith("Forwarding from 127.0.0.1")).count() < ports.length) {
            assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
            assertThat(System.nanoTime()).as(Files.readString(err)).isLessThan(deadline);
            Thread.sleep(50);
        }
        return p;
    }

    static String get(int port, String path) {
        try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void forwardsAndFetches(Map<String, String> env, String method) throws Exception {
        int local = closedPort();
        Path err = Files.createTempFile(dir, "pf-err", "");
        Process p = forward(env, err, local + ":80");
        try {
            assertThat(get(local, "/")).isEqualTo("hello");
            var a = CompletableFuture.supplyAsync(() -> get(local, "/big"));
            var b = CompletableFuture.supplyAsync(() -> get(local, "/big"));
            assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo(BIG);
            assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo(BIG);
            try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                var up = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/upload"))
                        .POST(HttpRequest.BodyPublishers.ofString(BIG)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(up.body()).isEqualTo(BIG.toUpperCase());
            }
        } finally {
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(err)).containsPattern(method + " https://\\S+/api/v1/namespaces/default/pods/web/portforward 101");
        assertThat(connects).contains("c-app:80");
    }

    @Test
    void portForwardThroughTheWebSocketTunnel() throws Exception {
        forwardsAndFetches(Map.of(), "GET");
    }

    @Test
    void portForwardOverPlainSpdy() throws Exception {
        forwardsAndFetches(Map.of("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false"), "POST");
    }

    @Test
    void aPortNothingListensOnIsReportedByKubectl() throws Exception {
        int local = closedPort();
        Path err = Files.createTempFile(dir, "pf-err", "");
        Process p = forward(Map.of(), err, local + ":81");
        try (var s = new java.net.Socket("127.0.0.1", local)) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(err).contains("error forwarding port 81") && System.nanoTime() < deadline) Thread.sleep(50);
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(err)).contains("error forwarding port 81 to pod web, uid ");
    }

    @Test
    void execOverSpdyCarriesStdinOutputAndTheExitCode() throws Exception {
        var env = Map.of("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false");
        var r = kubectl(env, "-v=6", "exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err\ncommand terminated with exit code 3\n")
                .containsPattern("POST https://\\S+/api/v1/namespaces/default/pods/web/exec\\S* 101");
        assertThat(r.exit()).isEqualTo(3);
        var cat = kubectlWithInput(env, BIG, "exec", "-i", "web", "--", "cat");
        assertThat(cat.exit()).as(cat.err()).isZero();
        assertThat(cat.out()).isEqualTo(BIG);
    }

    static void runningAs(String containerId) throws Exception {
        var status = kubectl(Map.of(), "patch", "pod", "web", "--subresource=status", "--type=merge", "-p", """
                {"status":{"containerStatuses":[
                 {"name":"app","containerID":"crun://%s","state":{"running":{}},"ready":true,"restartCount":0,"image":"b","imageID":""}]}}"""
                .formatted(containerId));
        assertThat(status.exit()).as(status.err()).isZero();
    }

    @Test
    void eachConnectionGoesToTheContainerRunningThen() throws Exception {
        int local = closedPort();
        Process p = forward(Map.of(), Files.createTempFile(dir, "pf-err", ""), local + ":80");
        try {
            assertThat(get(local, "/")).isEqualTo("hello");
            runningAs("c-restarted"); // the container restarted during the port-forward: a new id, the same pod
            assertThat(get(local, "/")).isEqualTo("hello");
            assertThat(connects.getLast()).isEqualTo("c-restarted:80");
        } finally {
            runningAs("c-app");
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
