package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link TcpSocketProber} against real sockets on 127.0.0.1. */
class TcpSocketProberTest {
    private final TcpSocketProber prober = new TcpSocketProber();

    @Test
    void anOpenPortSucceeds() throws IOException {
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var result = prober.probe(new ProbeAction.TcpSocket("127.0.0.1", server.getLocalPort()), Duration.ofSeconds(5));

            assertThat(result).isEqualTo(ProbeResult.success(""));
        }
    }

    @Test
    void aClosedPortFailsWithGosMessage() throws IOException {
        int port;
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
        }

        var result = prober.probe(new ProbeAction.TcpSocket("127.0.0.1", port), Duration.ofSeconds(5));

        assertThat(result).isEqualTo(ProbeResult.failure("dial tcp 127.0.0.1:" + port + ": connect: connection refused"));
    }
}
