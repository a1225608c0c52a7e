package dev.peapod.node.probe;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code grpc} probes: the standard health protocol, {@code grpc.health.v1.Health/Check}
 * (https://github.com/grpc/grpc/blob/master/doc/health-checking.md), in plaintext, with kubelet's
 * semantics and messages ({@code pkg/probe/grpc/grpc.go}): {@code SERVING} is a success
 * ("service healthy"); any other status, an RPC error (including UNIMPLEMENTED from a server
 * without the health service) or a connection failure is a failure.
 *
 * <p>Library: grpc-java (grpc-api + grpc-stub, grpc-netty-shaded transport). It is heavy — about
 * 15 MB of jars with Guava — so nothing of it is loaded until the first gRPC probe runs
 * ({@link Probers} creates this class on first use); the first probe pays the class loading and
 * Netty start-up. Each probe uses a new channel (a new connection, like kubelet) that is shut down
 * afterwards. Differences from kubelet, on purpose: a refused connection fails at once instead of
 * being retried until the timeout (grpc-go's {@code WithBlock}), which is cheaper and reads the same.
 *
 * <p>Contract: {@link #probe} blocks for about {@code timeout} at most, never throws, and is
 * thread safe.
 */
public final class GrpcProber {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("failed to read health response: " + e.getMessage()).asRuntimeException();
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> CHECK = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("grpc.health.v1.Health/Check")
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    /** A health response is a few bytes; refuse anything large instead of buffering it. */
    private static final int MAX_RESPONSE = 64 * 1024;

    public ProbeResult probe(ProbeAction.Grpc action, Duration timeout) {
        String address = ProbeAction.hostPort(action.host(), action.port());
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(action.host(), action.port(), InsecureChannelCredentials.create())
                .userAgent(HttpGetProber.USER_AGENT)
                .proxyDetector(target -> null) // kubelet probes never go through a proxy
                .maxInboundMessageSize(MAX_RESPONSE)
                .build();
        try {
            var options = CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
            byte[] response = ClientCalls.blockingUnaryCall(channel, CHECK, options, HealthCheckCodec.request(action.service()));
            int status = HealthCheckCodec.status(response);
            if (status != HealthCheckCodec.SERVING) {
                return ProbeResult.failure("service unhealthy (responded with \"" + HealthCheckCodec.name(status) + "\")");
            }
            return ProbeResult.success("service healthy");
        } catch (StatusRuntimeException e) {
            return ProbeResult.failure(rpcFailure(e.getStatus(), address, timeout));
        } catch (IllegalArgumentException e) {
            return ProbeResult.failure("error: health rpc probe failed: malformed response: " + e.getMessage());
        } finally {
            channel.shutdownNow();
        }
    }

    private static String rpcFailure(Status status, String address, Duration timeout) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        return switch (status.getCode()) {
            case UNIMPLEMENTED -> "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): " + description;
            case DEADLINE_EXCEEDED -> "timeout: health rpc did not complete within " + goDuration(timeout);
            case UNAVAILABLE -> "error: failed to connect service at \"" + address + "\": " + goStatus(status);
            default -> "error: health rpc probe failed: " + goStatus(status);
        };
    }

    /** grpc-go's status text, {@code rpc error: code = NotFound desc = unknown service}, which users know. */
    static String goStatus(Status status) {
        String code = switch (status.getCode()) {
            case OK -> "OK";
            case CANCELLED -> "Canceled"; // Go's spelling
            default -> {
                StringBuilder camel = new StringBuilder();
                for (String part : status.getCode().name().split("_")) {
                    camel.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
                }
                yield camel.toString();
            }
        };
        return "rpc error: code = " + code + " desc = " + (status.getDescription() == null ? "" : status.getDescription());
    }

    /** Go's {@code time.Duration} format for the durations probes use: 1s, 1.5s, 200ms. */
    static String goDuration(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) return millis + "ms";
        if (millis % 1000 == 0) return millis / 1000 + "s";
        return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
    }
}
