package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Probers}: dispatch per handler and the per-handler run counts. */
class ProbersTest {

    @Test
    void countsEveryRunPerHandlerWhateverItsOutcome() throws IOException {
        var probers = new Probers((id, argv, timeout) -> new ContainerExec.Result(id.equals("ok") ? 0 : 1, "", false));
        var timeout = Duration.ofSeconds(2);
        assertThat(probers.runs()).isEqualTo(new Probers.Runs(0, 0, 0, 0));

        assertThat(probers.run(new ProbeAction.Exec(List.of("true")), "ok", timeout).success()).isTrue();
        assertThat(probers.run(new ProbeAction.Exec(List.of("true")), "bad", timeout).success()).isFalse();
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var tcp = new ProbeAction.TcpSocket("127.0.0.1", server.getLocalPort());
            assertThat(probers.run(tcp, "ok", timeout).success()).isTrue();
        }
        // Nothing listens on the closed socket's port any more: a failed run is counted too.
        int closed;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        var http = new ProbeAction.HttpGet("http", "127.0.0.1", closed, "/", List.of());
        assertThat(probers.run(http, "ok", timeout).success()).isFalse();

        assertThat(probers.runs()).isEqualTo(new Probers.Runs(2, 1, 1, 0));
    }
}
