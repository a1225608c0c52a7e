package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.node.probe.ProbeResult.Outcome;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GrpcProber} against grpc-java's own health service ({@link HealthStatusManager}, which
 * parses requests with protobuf) on a real server on 127.0.0.1.
 */
class GrpcProberTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final GrpcProber prober = new GrpcProber();
    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(Server::shutdownNow);
    }

    private int serve(io.grpc.BindableService... services) throws IOException {
        var builder = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        for (var s : services) builder.addService(s);
        Server server = builder.build().start();
        servers.add(server);
        return server.getPort();
    }

    private ProbeResult probe(int port, String service, Duration timeout) {
        return prober.probe(new ProbeAction.Grpc("127.0.0.1", port, service), timeout);
    }

    @Test
    void servingIsHealthy() throws IOException {
        var health = new HealthStatusManager();
        int port = serve(health.getHealthService());

        assertThat(probe(port, "", TIMEOUT)).isEqualTo(ProbeResult.success("service healthy"));
    }

    @Test
    void aNamedServiceIsAskedForItsOwnStatus() throws IOException {
        var health = new HealthStatusManager();
        health.setStatus("ready", ServingStatus.SERVING);
        health.setStatus("db", ServingStatus.NOT_SERVING);
        int port = serve(health.getHealthService());

        assertThat(probe(port, "ready", TIMEOUT)).isEqualTo(ProbeResult.success("service healthy"));
        assertThat(probe(port, "db", TIMEOUT)).isEqualTo(ProbeResult.failure("service unhealthy (responded with \"NOT_SERVING\")"));
    }

    @Test
    void anUnknownServiceFails() throws IOException {
        int port = serve(new HealthStatusManager().getHealthService());

        assertThat(probe(port, "nope", TIMEOUT))
                .isEqualTo(ProbeResult.failure("error: health rpc probe failed: rpc error: code = NotFound desc = unknown service nope"));
    }

    @Test
    void aServerWithoutTheHealthServiceFails() throws IOException {
        int port = serve();

        ProbeResult result = probe(port, "", TIMEOUT);

        assertThat(result.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(result.output()).startsWith("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ");
    }

    @Test
    void aServerSlowerThanTheTimeoutFails() throws IOException {
        int port = serve(new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
                // never answers
            }
        });

        assertThat(probe(port, "", Duration.ofMillis(300)))
                .isEqualTo(ProbeResult.failure("timeout: health rpc did not complete within 300ms"));
    }

    @Test
    void aClosedPortFails() throws IOException {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        ProbeResult result = probe(port, "", TIMEOUT);

        assertThat(result.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(result.output()).startsWith("error: failed to connect service at \"127.0.0.1:" + port + "\": rpc error: code = Unavailable");
    }

    @Test
    void goDurationsReadLikeKubelets() {
        assertThat(GrpcProber.goDuration(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(GrpcProber.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(GrpcProber.goDuration(Duration.ofMillis(250))).isEqualTo("250ms");
    }
}
