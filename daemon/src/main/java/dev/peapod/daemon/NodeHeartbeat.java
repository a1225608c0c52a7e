package dev.peapod.daemon;

import dev.peapod.store.ObjectStore;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Supplier;

/**
 * kubelet's node status loop: every {@link #PERIOD} (kubelet's {@code nodeStatusUpdateFrequency}
 * default) the host's signals are read and the Node's status computed, and written when kubelet
 * would write it ({@link NodeStatusReport}: a meaningful change, or 5 min since the last write); and
 * the node's Lease, the heartbeat proper, is renewed ({@link NodeLease}; kubelet renews it every
 * quarter of its 40 s duration, 10 s).
 */
final class NodeHeartbeat implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(10);

    private final ObjectStore store;
    private final String name, runtime;
    private final Supplier<NodeConditions.Signals> signals;
    private final InstantSource clock;
    private Periodic loop;
    /** When this process last wrote the Node's status (null: not yet). Guarded by this. */
    private Instant lastPost;

    NodeHeartbeat(ObjectStore store, String name, String runtime, Path dataDir, InstantSource clock) {
        this(store, name, runtime, () -> HostSignals.read(dataDir), clock);
    }

    /** With the host's signals from {@code signals} (a fake in tests). */
    NodeHeartbeat(ObjectStore store, String name, String runtime, Supplier<NodeConditions.Signals> signals, InstantSource clock) {
        this.store = store;
        this.name = name;
        this.runtime = runtime;
        this.signals = signals;
        this.clock = clock;
    }

    /** Reports every {@link #PERIOD} from now on. */
    void start() { loop = Periodic.every(PERIOD, "node-heartbeat", this::beat); }

    /** Computes the status now and writes it if due (the first one registers the Node); renews the Lease. */
    synchronized void beat() {
        Instant now = clock.instant();
        var reported = NodeObject.report(store, name, runtime, now, signals.get(), NodeStatusReport.KUBELET_DEFAULT, lastPost);
        if (reported.posted()) lastPost = now;
        NodeLease.renew(store, name, reported.uid(), now);
    }

    @Override
    public void close() {
        if (loop != null) loop.close();
    }
}
