package dev.peapod.apiserver;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real kubectl (v1.32: WebSocket, {@code v5.channel.k8s.io}) running {@code kubectl exec}
 * against the API server; the node is a fake that runs each command as a local process.
 */
class KubectlExecTest {
    @TempDir static Path dir;
    static TestServer server;
    static final List<PodExec.Command> commands = new CopyOnWriteArrayList<>();

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir, c -> {
            commands.add(c);
            return ExecSessionTest.LOCAL.start(c);
        });
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: two}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest}
                  - {name: side, image: peapod/busybox:latest}
                  - {name: waiting, image: peapod/busybox:latest}
                """);
        assertThat(kubectl(null, "create", "-f", pod.toString()).exit()).isZero();
        // What the node would write: two containers run, one waits.
        var status = kubectl(null, "patch", "pod", "two", "--subresource=status", "--type=merge", "-p", """
                {"status":{"phase":"Running","containerStatuses":[
                 {"name":"app","containerID":"crun://c-app","state":{"running":{}},"ready":true,"restartCount":0,"image":"b","imageID":""},
                 {"name":"side","containerID":"crun://c-side","state":{"running":{}},"ready":true,"restartCount":0,"image":"b","imageID":""},
                 {"name":"waiting","state":{"waiting":{"reason":"ContainerCreating"}},"ready":false,"restartCount":0,"image":"b","imageID":""}]}}""");
        assertThat(status.exit()).as(status.err()).isZero();
    }

    @AfterAll
    static void stop() throws Exception { server.close(); }

    static Run kubectl(String stdin, String... args) throws Exception {
        return kubectlOn(server, stdin, args);
    }

    /** kubectl against {@code server}, {@code stdin} (null: none) as its input; fails the test if it hangs. */
    static Run kubectlOn(TestServer server, String stdin, String... args) throws Exception {
        Path dir = server.kubeconfig.getParent();
        var cmd = new ArrayList<>(List.of(KubectlTest.KUBECTL, "--kubeconfig", server.kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path in = Files.writeString(Files.createTempFile(dir, "in", ""), stdin == null ? "" : stdin);
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void outputGoesToItsStreamAndTheExitCodeToKubectls() throws Exception {
        var r = kubectl(null, "exec", "two", "-c", "app", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.out()).isEqualTo("out\n");
        // kubectl adds the last line itself, from the NonZeroExitCode Status, as against a real cluster.
        assertThat(r.err()).isEqualTo("err\ncommand terminated with exit code 3\n");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(commands.getLast()).isEqualTo(new PodExec.Command(commands.getLast().podUid(), "app", "c-app",
                List.of("sh", "-c", "echo out; echo err >&2; exit 3"), false, 0, 0));

        var ok = kubectl(null, "exec", "two", "-c", "side", "--", "echo", "fine");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).isEqualTo("fine\n");
        assertThat(commands.getLast().containerId()).isEqualTo("c-side");
    }

    @Test
    void stdinReachesTheCommandAndItsEndEndsIt() throws Exception {
        var r = kubectl("hi\nthere\n", "exec", "-i", "two", "-c", "app", "--", "cat");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hi\nthere\n");

        // More than any pipe holds, both ways at once: nothing waits forever, nothing is lost.
        String big = "0123456789abcdef\n".repeat(128 * 1024); // 2 MiB
        var large = kubectl(big, "exec", "-i", "two", "-c", "app", "--", "cat");
        assertThat(large.exit()).as(large.err()).isZero();
        assertThat(large.out().length()).isEqualTo(big.length());
        assertThat(large.out()).isEqualTo(big);
    }

    @Test
    void onATerminalKubectlAsksForATtyOfItsSize() throws Exception {
        // script(1) gives kubectl a terminal of 100x30; the fake runs the command without one.
        Process p = new ProcessBuilder("script", "-qec", "stty cols 100 rows 30; " + KubectlTest.KUBECTL + " --kubeconfig "
                + server.kubeconfig + " exec -it two -c app -- echo on-tty", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("on-tty");
        var c = commands.getLast();
        assertThat(c.argv()).containsExactly("echo", "on-tty");
        assertThat(c.tty()).isTrue();
        assertThat(List.of(c.width(), c.height())).isEqualTo(List.of(100, 30));
    }

    /** A v4.channel.k8s.io client (older client-go, other libraries): same channels, no close signal, same Status. */
    @Test
    void aV4ClientGetsItsOutputAndTheExitStatus() throws Exception {
        var trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", server.pki.ca());
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        var received = new java.io.ByteArrayOutputStream();
        var closed = new java.util.concurrent.CompletableFuture<Integer>();
        try (var http = java.net.http.HttpClient.newBuilder().sslContext(tls).build()) {
            var ws = http.newWebSocketBuilder().subprotocols("v4.channel.k8s.io")
                    .header("Authorization", "Bearer " + server.pki.token())
                    .buildAsync(java.net.URI.create(server.url.replace("https", "wss")
                            + "/api/v1/namespaces/default/pods/two/exec?container=app&stdout=true&stderr=true&command=sh&command=-c&command=printf+v4;+exit+7"),
                            new java.net.http.WebSocket.Listener() {
                                @Override public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket w, java.nio.ByteBuffer data, boolean last) {
                                    synchronized (received) {
                                        while (data.hasRemaining()) received.write(data.get());
                                        received.write('|');
                                    }
                                    w.request(1);
                                    return null;
                                }

                                @Override public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w, int code, String reason) {
                                    closed.complete(code);
                                    return null;
                                }
                            }).get(10, TimeUnit.SECONDS);
            assertThat(ws.getSubprotocol()).isEqualTo("v4.channel.k8s.io");
            assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        }
        String[] messages = received.toString(java.nio.charset.StandardCharsets.UTF_8).split("\\|");
        assertThat(messages[0]).isEqualTo("\u0001v4");
        assertThat(messages[messages.length - 1]).startsWith("\u0003{").contains("\"reason\":\"NonZeroExitCode\"")
                .contains("{\"reason\":\"ExitCode\",\"message\":\"7\"}");
    }

    @Test
    void unknownOrWaitingContainersAreRefusedWithKubectlsError() throws Exception {
        var missing = kubectl(null, "exec", "two", "-c", "nope", "--", "true");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error from server (BadRequest): container nope is not valid for pod two\n");

        var waiting = kubectl(null, "exec", "two", "-c", "waiting", "--", "true");
        assertThat(waiting.exit()).isEqualTo(1);
        assertThat(waiting.err()).isEqualTo("Error from server (BadRequest): container not found (\"waiting\")\n");

        var absent = kubectl(null, "exec", "ghost", "--", "true");
        assertThat(absent.exit()).isEqualTo(1);
        assertThat(absent.err()).isEqualTo("Error from server (NotFound): pods \"ghost\" not found\n");
        assertThat(commands).noneMatch(c -> c.argv().equals(List.of("true")));
    }
}
