package dev.peapod.apiserver;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExecChannelsTest {
    @Test
    void negotiatesTheClientsFirstServedProtocol() {
        // kubectl 1.32 offers v5 only; older websocket clients list several.
        assertThat(ExecChannels.negotiate(List.of("v5.channel.k8s.io"))).contains("v5.channel.k8s.io");
        assertThat(ExecChannels.negotiate(List.of("v4.channel.k8s.io", " v5.channel.k8s.io"))).contains("v4.channel.k8s.io");
        assertThat(ExecChannels.negotiate(List.of("channel.k8s.io", "v5.channel.k8s.io"))).contains("v5.channel.k8s.io");
        assertThat(ExecChannels.negotiate(List.of("base64.channel.k8s.io", "v3.channel.k8s.io"))).isEmpty();
        assertThat(ExecChannels.negotiate(List.of())).isEmpty();
    }

    @Test
    void aFrameIsTheChannelByteThenTheData() {
        byte[] data = "xhello".getBytes(StandardCharsets.UTF_8);
        ByteBuffer f = ExecChannels.frame(ExecChannels.STDERR, data, 1, 5);
        byte[] bytes = new byte[f.remaining()];
        f.get(bytes);
        assertThat(bytes).containsExactly(2, 'h', 'e', 'l', 'l', 'o');
    }

    @Test
    void parsesStdinCloseResizeAndEmptyMessages() {
        assertThat(ExecChannels.parse(ByteBuffer.wrap(new byte[]{0, 'a', 'b'}), ExecChannels.V5))
                .isInstanceOfSatisfying(ExecChannels.Incoming.Data.class, d -> {
                    assertThat(d.channel()).isZero();
                    assertThat(d.data()).containsExactly('a', 'b');
                });
        assertThat(ExecChannels.parse(ByteBuffer.wrap(new byte[]{(byte) 255, 0}), ExecChannels.V5))
                .isEqualTo(new ExecChannels.Incoming.Close(0));
        // v4 has no close signal: 255 is just an unknown channel there.
        assertThat(ExecChannels.parse(ByteBuffer.wrap(new byte[]{(byte) 255, 0}), ExecChannels.V4))
                .isInstanceOfSatisfying(ExecChannels.Incoming.Data.class, d -> assertThat(d.channel()).isEqualTo(255));
        assertThat(ExecChannels.parse(ByteBuffer.wrap(new byte[]{4, '{', '}'}), ExecChannels.V5))
                .isInstanceOfSatisfying(ExecChannels.Incoming.Data.class, d -> assertThat(d.channel()).isEqualTo(4));
        assertThat(ExecChannels.parse(ByteBuffer.allocate(0), ExecChannels.V5)).isEqualTo(new ExecChannels.Incoming.Nothing());
        assertThat(ExecChannels.parse(ByteBuffer.wrap(new byte[]{(byte) 255}), ExecChannels.V5)).isEqualTo(new ExecChannels.Incoming.Nothing());
    }

    @Test
    void readsTheTerminalSizeOfAResizeMessage() {
        assertThat(ExecChannels.size("{\"Width\":120,\"Height\":40}".getBytes(StandardCharsets.UTF_8))).containsExactly(120, 40);
        assertThat(ExecChannels.size("{\"Width\":0,\"Height\":0}".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(ExecChannels.size("not json".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void exitStatusIsSuccessOrNonZeroExitCodeWithTheCodeAsCause() {
        assertThat(Json.write(ExecChannels.exitStatus(0, List.of("true")))).isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
        var failed = ExecChannels.exitStatus(3, List.of("sh", "-c", "exit 3"));
        assertThat(failed.path("status").asText()).isEqualTo("Failure");
        assertThat(failed.path("reason").asText()).isEqualTo("NonZeroExitCode");
        assertThat(failed.path("message").asText()).isEqualTo("command terminated with non-zero exit code: command 'sh -c exit 3' exited with 3");
        assertThat(failed.at("/details/causes/0/reason").asText()).isEqualTo("ExitCode");
        assertThat(failed.at("/details/causes/0/message").asText()).isEqualTo("3");
        assertThat(failed.at("/details/causes").size()).isEqualTo(1);
    }
}
