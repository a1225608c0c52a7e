package dev.peapod.apiserver;

import dev.peapod.apiserver.spdy.SpdyFrame;
import dev.peapod.apiserver.spdy.SpdyTestClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** exec over SPDY with local processes standing in for containers ({@link ExecSessionTest#LOCAL}). */
class ExecSpdySessionTest {

    private static SpdyTestClient client(boolean stdin, String... argv) {
        var exec = new Reply.Exec(ExecSessionTest.LOCAL, new PodExec.Command("uid", "app", "cid", List.of(argv), false, 0, 0),
                new ExecSession.Streams(stdin, true, true));
        return new SpdyTestClient(new ExecSpdySession(exec));
    }

    /** Opens the streams as client-go's v4 protocol does: error, stdin (if any), stdout, stderr. */
    private static void openStreams(SpdyTestClient c, boolean stdin) {
        c.open(1, false, "streamtype", "error");
        if (stdin) c.open(3, false, "streamtype", "stdin");
        c.open(5, false, "streamtype", "stdout");
        c.open(7, false, "streamtype", "stderr");
    }

    @Test
    void outputErrorAndTheExitCodeComeOnTheirStreams() throws Exception {
        try (var c = client(false, "sh", "-c", "echo out; echo err >&2; exit 3")) {
            openStreams(c, false);
            var text = c.untilFin(Set.of(1, 5, 7));
            assertThat(text.get(5)).isEqualTo("out\n");
            assertThat(text.get(7)).isEqualTo("err\n");
            var status = Json.parse(text.get(1));
            assertThat(status.path("reason").asText()).isEqualTo("NonZeroExitCode");
            assertThat(status.at("/details/causes/0/message").asText()).isEqualTo("3");
        }
    }

    @Test
    void stdinsFinClosesTheCommandsInput() throws Exception {
        try (var c = client(true, "cat")) {
            openStreams(c, true);
            c.send(new SpdyFrame.Data(3, false, "abc".getBytes(StandardCharsets.UTF_8)));
            c.send(new SpdyFrame.Data(3, true, "def".getBytes(StandardCharsets.UTF_8)));
            var text = c.untilFin(Set.of(1, 5, 7));
            assertThat(text.get(5)).isEqualTo("abcdef");
            assertThat(Json.parse(text.get(1)).path("status").asText()).isEqualTo("Success");
        }
    }

    @Test
    void nothingRunsUntilEveryExpectedStreamIsThereAndUnexpectedOnesAreRefused() throws Exception {
        try (var c = client(false, "sh", "-c", "echo ran")) {
            c.open(1, false, "streamtype", "error");
            c.open(3, false, "streamtype", "stdin"); // not asked for in the query
            assertThat(c.next()).isEqualTo(new SpdyFrame.SynReply(1, false, Map.of()));
            assertThat(c.next()).isEqualTo(new SpdyFrame.RstStream(3, SpdyFrame.REFUSED_STREAM));
            c.open(5, false, "streamtype", "stdout");
            assertThat(c.next()).isEqualTo(new SpdyFrame.SynReply(5, false, Map.of()));
            assertThat(c.next(false, 1)).as("the command waits for stderr").isNull();
            c.open(7, false, "streamtype", "stderr");
            assertThat(c.untilFin(Set.of(1, 5, 7)).get(5)).isEqualTo("ran\n");
        }
    }

    @Test
    void onATerminalTheResizeStreamsFirstSizeStartsTheCommand() throws Exception {
        var started = new java.util.concurrent.LinkedBlockingQueue<PodExec.Command>();
        PodExec node = cmd -> {
            started.add(cmd);
            return ExecSessionTest.LOCAL.start(cmd);
        };
        var exec = new Reply.Exec(node, new PodExec.Command("uid", "app", "cid", List.of("echo", "hi"), true, 0, 0),
                new ExecSession.Streams(false, true, false));
        try (var c = new SpdyTestClient(new ExecSpdySession(exec))) {
            c.open(1, false, "streamtype", "error");
            c.open(3, false, "streamtype", "stdout");
            c.open(5, false, "streamtype", "resize");
            // client-go's json.Encoder: one object per line, in one stream.
            c.send(new SpdyFrame.Data(5, false, "{\"Width\":100,\"Height\":30}\n{\"Width\":1".getBytes(StandardCharsets.UTF_8)));
            var text = c.untilFin(Set.of(1, 3));
            assertThat(text.get(3)).isEqualTo("hi\n");
            var cmd = started.poll(1, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(cmd.width()).isEqualTo(100);
            assertThat(cmd.height()).isEqualTo(30);
        }
    }
}
