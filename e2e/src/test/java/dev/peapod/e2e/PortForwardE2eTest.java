package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kubectl port-forward} and the SPDY fallback of {@code kubectl exec} against
 * {@code peapod serve}: the real kubectl (v1.32) on a real pod whose web servers listen on
 * 127.0.0.1 only (so only a connection made inside the pod's network namespace reaches them).
 * Both transports of port-forward: the WebSocket tunnel (kubectl's default) and plain SPDY
 * ({@code KUBECTL_PORT_FORWARD_WEBSOCKETS=false}); exec over SPDY with
 * {@code KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false}. After kubectl ends, serve holds no socket or
 * thread of it.
 */
class PortForwardE2eTest {
    static final String DATA = "/var/lib/peapod-e2e-pf";
    static final List<Pod> ran = new ArrayList<>();
    /** 200000 numbered lines, about 1.3 MB: many SPDY frames, more than any flow-control window. */
    static final String BIG = IntStream.rangeClosed(1, 200_000).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));
    @TempDir static Path dir;
    static ServeDaemon serve;
    static Path kubeconfig;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void startServeAndPod() throws Exception {
        serve = ServeDaemon.start(DATA, dir);
        kubeconfig = serve.kubeconfig;
        Path pod = Files.writeString(dir.resolve("pf.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: pf}
                spec:
                  terminationGracePeriodSeconds: 5
                  containers:
                  - name: web
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "mkdir -p /a /b && echo hello from 8080 > /a/index.html && echo hello from 9090 > /b/index.html && seq 1 200000 > /a/big && trap 'exit 0' TERM; httpd -f -p 127.0.0.1:8080 -h /a & httpd -f -p 127.0.0.1:9090 -h /b & wait"]
                """);
        var created = kubectl(Map.of(), "create", "-f", pod.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        var ready = kubectl(Map.of(), "wait", "--for=condition=Ready", "pod/pf", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + log()).isZero();
        JsonNode o = ServeE2eTest.JSON.readTree(kubectl(Map.of(), "get", "pod", "pf", "-o", "json").out());
        ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText()).build()).build());
        // httpd starts in the background: wait until it answers (through exec, inside the pod).
        for (int i = 0; i < 50; i++) {
            if (kubectl(Map.of(), "exec", "pf", "--", "wget", "-q", "-O", "-", "http://127.0.0.1:9090/").out().contains("9090")) break;
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopServe() throws Exception {
        if (serve == null) return;
        if (!ran.isEmpty()) kubectl(Map.of(), "delete", "pod", "pf", "--timeout=60s");
        serve.stop(ran);
    }

    @Test
    void portForwardOverTheWebSocketTunnelReachesLoopbackServersOnTwoPorts() throws Exception {
        forwardTwoPortsAndFetch(Map.of(), "GET");
    }

    @Test
    void portForwardOverPlainSpdyReachesLoopbackServersOnTwoPorts() throws Exception {
        forwardTwoPortsAndFetch(Map.of("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false"), "POST");
    }

    private void forwardTwoPortsAndFetch(Map<String, String> env, String method) throws Exception {
        int before = sockets();
        int a = freePort(), b = freePort();
        Forward pf = Forward.start(env, a + ":8080", b + ":9090");
        try {
            assertThat(fetch(a, "/index.html")).isEqualTo("hello from 8080\n");
            assertThat(fetch(b, "/index.html")).isEqualTo("hello from 9090\n");
            // Two connections at once through one port, each with more data than a SPDY window.
            var one = CompletableFuture.supplyAsync(() -> fetchUnchecked(a, "/big"));
            var two = CompletableFuture.supplyAsync(() -> fetchUnchecked(a, "/big"));
            assertThat(one.get(60, TimeUnit.SECONDS)).isEqualTo(BIG);
            assertThat(two.get(60, TimeUnit.SECONDS)).isEqualTo(BIG);
            assertThat(fetch(b, "/index.html")).isEqualTo("hello from 9090\n");
        } finally {
            pf.stop();
        }
        // kubectl -v=6 logs the upgrade request: which transport it was.
        assertThat(pf.err()).containsPattern(method + " https://\\S+/api/v1/namespaces/default/pods/pf/portforward 101");
        assertNothingHeld(before);
    }

    @Test
    void aPortNothingListensOnGivesKubectlAnErrorNotAHang() throws Exception {
        int before = sockets();
        int port = freePort();
        Forward pf = Forward.start(Map.of(), port + ":7070");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            assertThat(s.getInputStream().read()).as("the local connection ends").isEqualTo(-1);
        } finally {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pf.err().contains("error forwarding port 7070") && System.nanoTime() < deadline) Thread.sleep(100);
            pf.stop();
        }
        assertThat(pf.err()).contains("error forwarding port 7070 to pod pf").contains("onnection refused");
        assertNothingHeld(before);
    }

    @Test
    void execFallsBackToSpdyWhenWebSocketsAreOff() throws Exception {
        int before = sockets();
        var env = Map.of("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false");
        var run = kubectl(env, "-v=6", "exec", "pf", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(run.exit()).as(run.err() + log()).isEqualTo(3);
        assertThat(run.out()).isEqualTo("out\n");
        assertThat(run.err()).contains("err\n").containsPattern("POST https://\\S+/api/v1/namespaces/default/pods/pf/exec\\S* 101");
        Path input = Files.writeString(dir.resolve("stdin"), BIG);
        var cat = kubectlWithInput(env, input.toFile(), "exec", "-i", "pf", "--", "cat");
        assertThat(cat.exit()).as(cat.err() + log()).isZero();
        assertThat(cat.out()).isEqualTo(BIG);

        // -it on a terminal (script(1) gives kubectl one): the command's new pty has the size sent on the resize stream.
        // The typed line's echo may come anywhere in the output. (The sleep: once in a while a command that asks for its size at once still sees 0x0, over WebSocket too; a size
        // lost on the way would never come, with or without it.)
        var tty = new ProcessBuilder("script", "-qec", "stty cols 100 rows 30; KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false "
                + ServeE2eTest.KUBECTL + " --kubeconfig " + kubeconfig + " exec -it pf -- sh -c 'tty; sleep 1; stty size; read x; echo got-$x; exit 4'",
                "/dev/null").redirectInput(Files.writeString(dir.resolve("typed"), "typed\n").toFile()).redirectErrorStream(true).start();
        String ttyOut = new String(tty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tty.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ttyOut).as(ttyOut + log()).containsPattern("/dev/pts/\\d+\r\n").contains("30 100\r\n").contains("got-typed")
                .contains("command terminated with exit code 4");

        // kubectl goes away mid-command: the command is killed, as over a WebSocket.
        var gonePb = new ProcessBuilder(ServeE2eTest.KUBECTL, "--kubeconfig", kubeconfig.toString(), "exec", "pf", "--", "sleep", "321")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
        gonePb.environment().putAll(env);
        Process gone = gonePb.start();
        String ps = "";
        for (int i = 0; i < 50 && !ps.contains("sleep 321"); i++) {
            Thread.sleep(100);
            ps = kubectl(Map.of(), "exec", "pf", "--", "ps", "-o", "args").out();
        }
        assertThat(ps).contains("sleep 321");
        gone.destroy();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50 && ps.contains("sleep 321"); i++) {
            Thread.sleep(100);
            ps = kubectl(Map.of(), "exec", "pf", "--", "ps", "-o", "args").out();
        }
        assertThat(ps).as("the command ends with kubectl").doesNotContain("sleep 321");
        assertNothingHeld(before);
    }

    /** A running {@code kubectl port-forward}, ready once it printed a "Forwarding from" line per port. */
    record Forward(Process process, Path out, Path errFile) {
        static Forward start(Map<String, String> env, String... ports) throws Exception {
            var cmd = new ArrayList<>(List.of(ServeE2eTest.KUBECTL, "--kubeconfig", kubeconfig.toString(), "-v=6", "port-forward", "pod/pf"));
            cmd.addAll(List.of(ports));
            Path out = Files.createTempFile(dir, "pf-out", ""), err = Files.createTempFile(dir, "pf-err", "");
            var pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            var f = new Forward(pb.start(), out, err);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.readString(out).lines().filter(l -> l.startsWith("Forwarding from 127.0.0.1:")).count() < ports.length) {
                assertThat(f.process.isAlive()).as("kubectl port-forward exited: " + Files.readString(err) + log()).isTrue();
                assertThat(System.nanoTime()).as("kubectl port-forward not ready: " + Files.readString(err)).isLessThan(deadline);
                Thread.sleep(50);
            }
            return f;
        }

        String err() throws IOException { return Files.readString(errFile); }

        void stop() throws Exception {
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("kubectl port-forward stops").isTrue();
        }
    }

    static String fetch(int port, String path) throws Exception {
        // A client per fetch: its own TCP connection, so parallel fetches are parallel forwarded connections.
        try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()) {
            var response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }

    static String fetchUnchecked(int port, String path) {
        try {
            return fetch(port, path);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Sockets serve holds now (its listening socket, kubelet-like connections of other clients: none during this test). */
    static int sockets() throws IOException {
        int n = 0;
        try (var fds = Files.list(Path.of("/proc", Long.toString(serve.pid()), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) n++;
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }

    /** Once kubectl ended: serve's sockets back to what they were, and no thread of a session left. */
    static void assertNothingHeld(int socketsBefore) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (sockets() > socketsBefore && System.nanoTime() < deadline) Thread.sleep(200);
        assertThat(sockets()).as("serve's sockets after kubectl ended").isLessThanOrEqualTo(socketsBefore);
        Path dump = dir.resolve("threads-" + System.nanoTime() + ".txt");
        var jcmd = new ProcessBuilder("jcmd", Long.toString(serve.pid()), "Thread.dump_to_file", dump.toString())
                .redirectErrorStream(true).start();
        String said = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(dump).as(said).exists();
        var left = Files.readAllLines(dump).stream()
                .filter(l -> l.matches("#\\d+ \"(spdy|portforward|netns-connect|exec-spdy).*")).toList();
        assertThat(left).as("session threads left in serve").isEmpty();
    }

    static Run kubectl(Map<String, String> env, String... args) throws Exception {
        return kubectlWithInput(env, new java.io.File("/dev/null"), args);
    }

    static Run kubectlWithInput(Map<String, String> env, java.io.File stdin, String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(ServeE2eTest.KUBECTL, "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        var pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(stdin))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung" + log());
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static String log() throws IOException { return "\nserve log:\n" + Files.readString(serve.log); }
}
