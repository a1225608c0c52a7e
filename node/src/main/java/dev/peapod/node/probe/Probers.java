package dev.peapod.node.probe;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The real {@link ProbeRunner}: hands each action to its prober. HTTP, TCP and gRPC probes run
 * inside Peapod (no process is spawned); exec probes go through the {@link ContainerExec}. One
 * instance serves the whole node.
 *
 * <p>The gRPC prober, and with it grpc-java and Netty, is created on the first gRPC probe only:
 * a node without gRPC probes never loads those classes (see {@link GrpcProber}).
 *
 * <p>Every run is counted per handler ({@link #runs()}), as kubelet's {@code prober_probe_total}
 * metric counts them (without its labels); bench/run-probes divides CPU time by these counts.
 *
 * <p>Contract: as {@link ProbeRunner}; thread safe.
 */
public final class Probers implements ProbeRunner {
    private final HttpGetProber http = new HttpGetProber();
    private final TcpSocketProber tcp = new TcpSocketProber();
    private final ExecProber exec;
    private final LongAdder execRuns = new LongAdder();
    private final LongAdder httpGetRuns = new LongAdder();
    private final LongAdder tcpSocketRuns = new LongAdder();
    private final LongAdder grpcRuns = new LongAdder();

    /** Probes run so far (started, whatever their outcome), per handler. */
    public record Runs(long exec, long httpGet, long tcpSocket, long grpc) {}

    public Probers(ContainerExec exec) {
        this.exec = new ExecProber(Objects.requireNonNull(exec, "exec"));
    }

    @Override
    public ProbeResult run(ProbeAction action, String containerId, Duration timeout) {
        try {
            return switch (action) {
                case ProbeAction.HttpGet h -> {
                    httpGetRuns.increment();
                    yield http.probe(h, timeout);
                }
                case ProbeAction.TcpSocket t -> {
                    tcpSocketRuns.increment();
                    yield tcp.probe(t, timeout);
                }
                case ProbeAction.Exec e -> {
                    execRuns.increment();
                    yield exec.probe(containerId, e, timeout);
                }
                case ProbeAction.Grpc g -> {
                    grpcRuns.increment();
                    yield Grpc.PROBER.probe(g, timeout);
                }
            };
        } catch (RuntimeException | LinkageError e) {
            // A prober bug or a missing library must not kill the worker: report it as a prober error.
            return ProbeResult.error("failed to run probe: " + e);
        }
    }

    /** The probes run so far by this prober (every pod's), per handler. */
    public Runs runs() {
        return new Runs(execRuns.sum(), httpGetRuns.sum(), tcpSocketRuns.sum(), grpcRuns.sum());
    }

    /** Initialized (and grpc-java loaded) on first access only: the JVM's lazy class initialization. */
    private static final class Grpc {
        static final GrpcProber PROBER = new GrpcProber();
    }
}
