package dev.peapod.daemon;

import dev.peapod.store.ObjectStore;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * kubelet's node status loop: every {@link #PERIOD} (kubelet's {@code nodeStatusUpdateFrequency}
 * default) the host's signals are read and the Node's status replaced, so {@code lastHeartbeatTime}
 * moves and the pressure conditions follow the host; and the node's Lease is renewed ({@link NodeLease}).
 */
final class NodeHeartbeat implements AutoCloseable {
    static final Duration PERIOD = Duration.ofSeconds(10);

    private final ObjectStore store;
    private final String name, runtime;
    private final Path dataDir;
    private final InstantSource clock;
    private Periodic loop;

    NodeHeartbeat(ObjectStore store, String name, String runtime, Path dataDir, InstantSource clock) {
        this.store = store;
        this.name = name;
        this.runtime = runtime;
        this.dataDir = dataDir;
        this.clock = clock;
    }

    /** Reports every {@link #PERIOD} from now on. */
    void start() { loop = Periodic.every(PERIOD, "node-heartbeat", this::beat); }

    /** Reports now (the first one registers the Node). */
    void beat() {
        Instant now = clock.instant();
        String uid = NodeObject.report(store, name, runtime, now, HostSignals.read(dataDir));
        NodeLease.renew(store, name, uid, now);
    }

    @Override
    public void close() {
        if (loop != null) loop.close();
    }
}
