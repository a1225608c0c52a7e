package dev.peapod.apiserver;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ExecSessionTest {
    /** The fake node: runs argv as a local process, standing in for a container. */
    static final PodExec LOCAL = c -> PodExec.Running.of(new ProcessBuilder(c.argv()).start());

    record Message(int channel, String text) {}

    /** Records what the session sends. */
    static final class Recorder implements ExecSession.Socket {
        final List<Message> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch closed = new CountDownLatch(1);

        @Override public void send(ByteBuffer m) {
            int channel = m.get() & 0xff;
            byte[] b = new byte[m.remaining()];
            m.get(b);
            sent.add(new Message(channel, new String(b, StandardCharsets.UTF_8)));
        }

        @Override public void close() { closed.countDown(); }

        String text(int channel) {
            synchronized (sent) {
                return sent.stream().filter(m -> m.channel() == channel).map(Message::text).reduce("", String::concat);
            }
        }
    }

    static ExecSession session(PodExec node, Recorder socket, boolean stdin, String... argv) {
        return new ExecSession(node, new PodExec.Command("uid", "app", "cid", List.of(argv), false, 0, 0),
                new ExecSession.Streams(stdin, true, true), ExecChannels.V5, socket);
    }

    @Test
    void streamsStdoutAndStderrThenTheExitStatusLastThenCloses() throws Exception {
        var socket = new Recorder();
        session(LOCAL, socket, false, "sh", "-c", "echo out; echo err >&2; exit 3").run();
        assertThat(socket.closed.getCount()).isZero();
        assertThat(socket.text(1)).isEqualTo("out\n");
        assertThat(socket.text(2)).isEqualTo("err\n");
        Message last = socket.sent.getLast();
        assertThat(last.channel()).isEqualTo(3);
        assertThat(Json.parse(last.text()).at("/details/causes/0/message").asText()).isEqualTo("3");
    }

    @Test
    void outputIsSentWhileTheCommandRuns() throws Exception {
        var socket = new Recorder();
        var s = session(LOCAL, socket, false, "sh", "-c", "echo first; sleep 30");
        Thread t = Thread.ofVirtual().start(s::run);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (socket.text(1).isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(socket.text(1)).isEqualTo("first\n"); // not buffered to the end
        s.clientClosed(); // kubectl went away: the command is killed and the session ends
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(socket.closed.getCount()).isZero();
    }

    @Test
    void stdinIsFedUntilTheCloseSignal() throws Exception {
        var socket = new Recorder();
        var s = session(LOCAL, socket, true, "cat");
        Thread t = Thread.ofVirtual().start(s::run);
        s.received(ByteBuffer.wrap(new byte[]{0, 'h', 'i', '\n'}));
        s.received(ByteBuffer.wrap(new byte[]{4, '{', '}'})); // resize without a tty: ignored
        s.received(ByteBuffer.wrap(new byte[]{(byte) 255, 0}));
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(socket.text(1)).isEqualTo("hi\n");
        assertThat(socket.sent.getLast()).isEqualTo(new Message(3, "{\"metadata\":{},\"status\":\"Success\"}"));
    }

    @Test
    void aTerminalStartsWithTheFirstSizeKubectlSends() throws Exception {
        var socket = new Recorder();
        var started = new java.util.concurrent.CompletableFuture<PodExec.Command>();
        PodExec node = c -> {
            started.complete(c);
            return LOCAL.start(c);
        };
        var s = new ExecSession(node, new PodExec.Command("uid", "app", "cid", List.of("true"), true, 0, 0),
                new ExecSession.Streams(true, true, false), ExecChannels.V5, socket);
        Thread t = Thread.ofVirtual().start(s::run);
        s.received(ByteBuffer.wrap("\u0004{\"Width\":100,\"Height\":30}".getBytes(StandardCharsets.UTF_8)));
        var c = started.get(10, TimeUnit.SECONDS);
        assertThat(List.of(c.width(), c.height())).isEqualTo(List.of(100, 30));
        t.join(10_000);
        assertThat(socket.sent.getLast().channel()).isEqualTo(3);
    }

    @Test
    void aCommandThatCannotStartEndsWithAFailureStatus() {
        var socket = new Recorder();
        PodExec broken = c -> { throw new IOException("container cid is gone"); };
        session(broken, socket, false, "true").run();
        assertThat(socket.sent).hasSize(1);
        assertThat(Json.parse(socket.sent.getFirst().text()).path("message").asText()).isEqualTo("container cid is gone");
        assertThat(socket.closed.getCount()).isZero();
    }
}
