package dev.peapod.apiserver;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real kubectl (v1.32, WebSocket {@code v5.channel.k8s.io}) running {@code kubectl attach}
 * against the API server; the node is a fake whose "container" is a local {@code cat} that
 * greets first (attached output) and echoes stdin when it is attached with one.
 */
class KubectlAttachTest {
    @TempDir static Path dir;
    static TestServer server;

    record Attached(PodExec.Command target, boolean stdin) {}

    static final List<Attached> attached = new CopyOnWriteArrayList<>();
    /** The size of the last resize a fake container got. */
    static volatile List<Integer> resized = List.of();

    /** A "container" as attach sees it: a local process; detaching (kill) ends it here, which only a fake may do. */
    static final PodAttach FAKE = (c, stdin) -> {
        attached.add(new Attached(c, stdin));
        Process p = new ProcessBuilder("sh", "-c", "echo attached-to-" + c.containerId() + "; echo to-stderr >&2; exec cat").start();
        if (!stdin) p.getOutputStream().close();
        return new PodExec.Running() {
            @Override public OutputStream stdin() { return stdin ? p.getOutputStream() : OutputStream.nullOutputStream(); }
            @Override public InputStream stdout() { return p.getInputStream(); }
            @Override public InputStream stderr() { return p.getErrorStream(); }
            @Override public int waitFor() throws InterruptedException { p.waitFor(); return 0; }
            @Override public void kill() { p.destroyForcibly(); }
            @Override public void resize(int width, int height) { resized = List.of(width, height); }
        };
    };

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir, PodExec.NONE, FAKE);
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: att}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest, stdin: true}
                  - {name: term, image: peapod/busybox:latest, stdin: true, tty: true}
                  - {name: plain, image: peapod/busybox:latest}
                  - {name: waiting, image: peapod/busybox:latest, stdin: true}
                """);
        assertThat(KubectlExecTest.kubectlOn(server, null, "create", "-f", pod.toString()).exit()).isZero();
        var status = KubectlExecTest.kubectlOn(server, null, "patch", "pod", "att", "--subresource=status", "--type=merge", "-p", """
                {"status":{"phase":"Running","containerStatuses":[
                 {"name":"app","containerID":"crun://c-app","state":{"running":{}},"ready":true,"restartCount":0,"image":"b","imageID":""},
                 {"name":"term","containerID":"crun://c-term","state":{"running":{}},"ready":true,"restartCount":0,"image":"b","imageID":""},
                 {"name":"plain","containerID":"crun://c-plain","state":{"running":{}},"ready":true,"restartCount":0,"image":"b","imageID":""},
                 {"name":"waiting","state":{"waiting":{"reason":"ContainerCreating"}},"ready":false,"restartCount":0,"image":"b","imageID":""}]}}""");
        assertThat(status.exit()).as(status.err()).isZero();
    }

    @AfterAll
    static void stop() throws Exception { server.close(); }

    @Test
    void stdinReachesTheContainerAndItsOutputComesBack() throws Exception {
        var r = KubectlExecTest.kubectlOn(server, "hello\nthere\n", "attach", "-i", "att", "-c", "app");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("attached-to-c-app\nhello\nthere\n");
        assertThat(r.err()).contains("to-stderr");
        assertThat(attached.getLast()).isEqualTo(new Attached(
                new PodExec.Command(attached.getLast().target().podUid(), "app", "c-app", List.of(), false, 0, 0), true));
    }

    @Test
    void withoutDashIOnlyOutputIsAttached() throws Exception {
        var r = KubectlExecTest.kubectlOn(server, "ignored\n", "attach", "att", "-c", "app");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("attached-to-c-app\n");
        assertThat(attached.getLast().stdin()).isFalse();
    }

    @Test
    void stdinForAContainerWithoutOneGoesNowhere() throws Exception {
        // As containerd and CRI-O: the container's stdin is not open, the session still streams its output.
        var r = KubectlExecTest.kubectlOn(server, "lost\n", "attach", "-i", "att", "-c", "plain");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("attached-to-c-plain\n");
        assertThat(attached.getLast().stdin()).isFalse();
    }

    @Test
    void refusedAttachesSayWhyAsKubeDoes() throws Exception {
        var missing = KubectlExecTest.kubectlOn(server, null, "attach", "att", "-c", "nope");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("container nope not found in pod att");

        var waiting = KubectlExecTest.kubectlOn(server, null, "attach", "att", "-c", "waiting");
        assertThat(waiting.exit()).isNotZero();
        assertThat(waiting.err()).endsWith("Error from server (BadRequest): container not found (\"waiting\")\n");
    }

    @Test
    void aTtyContainerGetsKubectlsTerminalAndItsSize() throws Exception {
        // script(1) gives kubectl a terminal of 100x30; kubectl asks for -t because the container has a tty.
        Process p = new ProcessBuilder("script", "-qec", "stty cols 100 rows 30; " + KubectlTest.KUBECTL + " --kubeconfig "
                + server.kubeconfig + " attach -i att -c term", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).start();
        p.getOutputStream().write("typed\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (resized.isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        p.getOutputStream().close();
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        var a = attached.getLast();
        assertThat(a.target().containerId()).isEqualTo("c-term");
        assertThat(a.target().tty()).isTrue();
        assertThat(a.stdin()).isTrue();
        // kubectl sends its size +1 first, then the real one (attach.go: the screen is redrawn on re-attach).
        assertThat(List.of(a.target().width(), a.target().height())).isEqualTo(List.of(101, 31));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!resized.equals(List.of(100, 30)) && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(resized).isEqualTo(List.of(100, 30));
    }

    @Test
    void aTtyContainerAttachedWithoutATerminalStreamsAtOnce() throws Exception {
        // kubectl without a terminal asks for no tty and sends no size: nothing waits for one.
        long start = System.nanoTime();
        var r = KubectlExecTest.kubectlOn(server, null, "attach", "att", "-c", "term");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("attached-to-c-term\n");
        assertThat(attached.getLast().target().tty()).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(3));
    }

    @Test
    void attachIsInDiscovery() throws Exception {
        var r = KubectlExecTest.kubectlOn(server, null, "get", "--raw", "/api/v1");
        assertThat(Json.parse(r.out()).path("resources").findValuesAsText("name")).contains("pods/attach");
    }

    @Test
    void attachOverSpdyAsWithoutWebSockets() throws Exception {
        // KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false: kubectl's SPDY client, the same session on SPDY streams.
        var r = KubectlPortForwardTest.kubectlOn(server, java.util.Map.of("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false"), "hello\n",
                "-v=6", "attach", "-i", "att", "-c", "app");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("attached-to-c-app\nhello\n");
        assertThat(r.err()).contains("to-stderr").containsPattern("POST https://\\S+/api/v1/namespaces/default/pods/att/attach\\S* 101");
    }
}
