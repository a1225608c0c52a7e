package dev.peapod.node.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * The real {@link ProbeRunner}: hands each action to its prober. HTTP, TCP and gRPC probes run
 * inside Peapod (no process is spawned); exec probes go through the {@link ContainerExec}. One
 * instance serves the whole node.
 *
 * <p>The gRPC prober, and with it grpc-java and Netty, is created on the first gRPC probe only:
 * a node without gRPC probes never loads those classes (see {@link GrpcProber}).
 *
 * <p>Contract: as {@link ProbeRunner}; thread safe.
 */
public final class Probers implements ProbeRunner {
    private final HttpGetProber http = new HttpGetProber();
    private final TcpSocketProber tcp = new TcpSocketProber();
    private final ExecProber exec;

    public Probers(ContainerExec exec) {
        this.exec = new ExecProber(Objects.requireNonNull(exec, "exec"));
    }

    @Override
    public ProbeResult run(ProbeAction action, String containerId, Duration timeout) {
        try {
            return switch (action) {
                case ProbeAction.HttpGet h -> http.probe(h, timeout);
                case ProbeAction.TcpSocket t -> tcp.probe(t, timeout);
                case ProbeAction.Exec e -> exec.probe(containerId, e, timeout);
                case ProbeAction.Grpc g -> Grpc.PROBER.probe(g, timeout);
            };
        } catch (RuntimeException | LinkageError e) {
            // A prober bug or a missing library must not kill the worker: report it as a prober error.
            return ProbeResult.error("failed to run probe: " + e);
        }
    }

    /** Initialized (and grpc-java loaded) on first access only: the JVM's lazy class initialization. */
    private static final class Grpc {
        static final GrpcProber PROBER = new GrpcProber();
    }
}
