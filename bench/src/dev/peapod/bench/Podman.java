package dev.peapod.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The peer: {@code podman kube play} (podman has no daemon, so every start is a fresh podman
 * process: this is the comparison the issue asks for), on podman's default bridge network
 * {@code podman} or, with {@code podNetwork} false, {@code --network none} (loopback only). The
 * bridge is named explicitly because kube play otherwise uses {@code podman-default-kube-network},
 * which has DNS enabled and so starts aardvark-dns: Peapod runs no DNS server for its pods. Uses whatever containers.conf
 * {@code CONTAINERS_CONF} names (bench/run writes one with ulimits this host allows).
 */
final class Podman {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final boolean podNetwork;

    Podman(boolean podNetwork) { this.podNetwork = podNetwork; }

    /**
     * Starts the scenario's pod and returns the wall time of {@code podman kube play} in nanoseconds.
     * It returns once the init container ran to completion and the other containers were started;
     * that they run is then checked (not timed).
     */
    long play(Scenario s) {
        var r = podNetwork
                ? Procs.run(TIMEOUT, "podman", "kube", "play", "--network", "podman", s.podmanYaml().toString())
                : Procs.run(TIMEOUT, "podman", "kube", "play", "--network", "none", s.podmanYaml().toString());
        if (!r.ok()) {
            down(s);
            r.requireOk();
        }
        requireRunning(s);
        return r.nanos();
    }

    /** Stops and removes the pod (not timed), and checks that it is gone. */
    void down(Scenario s) {
        Procs.run(TIMEOUT, "podman", "kube", "down", s.podmanYaml().toString());
        if (Procs.run(TIMEOUT, "podman", "pod", "exists", s.pod()).ok()) {
            // kube down failed (e.g. interrupted half-way): force it.
            Procs.run(TIMEOUT, "podman", "pod", "rm", "-f", "-t", "0", s.pod()).requireOk();
        }
    }

    /** Every expected container of the pod is running, as podman sees it. */
    private static void requireRunning(Scenario s) {
        var r = Procs.run(TIMEOUT, "podman", "ps", "--filter", "pod=" + s.pod(), "--filter", "status=running", "--format", "{{.Names}}").requireOk();
        var notRunning = new ArrayList<String>();
        for (String c : s.podmanUp()) {
            String name = s.pod() + "-" + c;
            if (!r.output().lines().anyMatch(l -> l.equals(name))) notRunning.add(name);
        }
        if (!notRunning.isEmpty()) {
            throw new IllegalStateException("failed to start pod " + s.pod() + " with podman: not running: " + notRunning + "; running: " + r.output().strip());
        }
    }

    /** Pods named bench-* that podman still has (for the leak check). */
    static List<String> leftovers() {
        var r = Procs.run(TIMEOUT, "podman", "pod", "ls", "--format", "{{.Name}}");
        return r.output().lines().filter(l -> l.startsWith("bench-")).toList();
    }
}
