package dev.peapod.node;

import dev.peapod.node.gc.ImageGcPlanner;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one node engine.
 *
 * @param dataDir      persistent state: images, pod volumes, logs ({@code /var/lib/peapod})
 * @param runDir       volatile state: bundles, rootfs mount points, runtime state ({@code /run/peapod})
 * @param runtime      "crun" (default) or "runc"
 * @param backoffBase  first CrashLoopBackOff delay (kubelet: 10 s)
 * @param backoffMax   CrashLoopBackOff cap (kubelet: 300 s; configurable, kubernetes#57291)
 * @param resync       how often a pod worker re-reads the runtime without a signal (kubelet's PLEG relists every 1 s)
 * @param cniConfigDir where the CNI network configuration is read from (a default bridge network
 *                     is written there when it holds none); null: pods get loopback only
 * @param imageGc      image garbage collection thresholds (kubelet's 85 % / 80 %, minimum age 2 minutes)
 * @param podPidsLimit the most processes (tasks) one pod may have, set on the pod cgroup's
 *                     {@code pids.max} (kubelet's {@code podPidsLimit}, default -1: unlimited;
 *                     https://kubernetes.io/docs/concepts/policy/pid-limiting/); 0 or less: none
 * @param security     seccomp default and root, allowed unsafe sysctls
 */
public record NodeConfig(Path dataDir, Path runDir, String runtime, Duration backoffBase,
                         Duration backoffMax, Duration resync, Path cniConfigDir, ImageGcPlanner.Policy imageGc,
                         long podPidsLimit, NodeSecurity security) {

    /** Settings with the node's default security ({@link NodeSecurity#defaults}). */
    public NodeConfig(Path dataDir, Path runDir, String runtime, Duration backoffBase, Duration backoffMax,
                      Duration resync, Path cniConfigDir, ImageGcPlanner.Policy imageGc, long podPidsLimit) {
        this(dataDir, runDir, runtime, backoffBase, backoffMax, resync, cniConfigDir, imageGc, podPidsLimit,
                NodeSecurity.defaults(dataDir));
    }

    /** Settings without a pod pids limit. */
    public NodeConfig(Path dataDir, Path runDir, String runtime, Duration backoffBase, Duration backoffMax,
                      Duration resync, Path cniConfigDir, ImageGcPlanner.Policy imageGc) {
        this(dataDir, runDir, runtime, backoffBase, backoffMax, resync, cniConfigDir, imageGc, -1);
    }

    /** Settings with the default image garbage collection. */
    public NodeConfig(Path dataDir, Path runDir, String runtime, Duration backoffBase, Duration backoffMax,
                      Duration resync, Path cniConfigDir) {
        this(dataDir, runDir, runtime, backoffBase, backoffMax, resync, cniConfigDir, ImageGcPlanner.Policy.DEFAULT);
    }

    public static final Path DEFAULT_CNI_CONFIG_DIR = Path.of("/etc/peapod/cni/net.d");

    public static NodeConfig defaults(Path dataDir) {
        return new NodeConfig(dataDir, runDirFor(dataDir), "crun", Duration.ofSeconds(10),
                Duration.ofSeconds(300), Duration.ofSeconds(1), DEFAULT_CNI_CONFIG_DIR);
    }

    /** The default data dir runs in /run/peapod; any other data dir gets its own run dir beside it in /run. */
    static Path runDirFor(Path dataDir) {
        Path abs = dataDir.toAbsolutePath().normalize();
        if (abs.equals(Path.of("/var/lib/peapod"))) return Path.of("/run/peapod");
        return Path.of("/run/peapod-" + Integer.toHexString(abs.toString().hashCode()));
    }

    public NodeConfig withRuntime(String r) {
        return new NodeConfig(dataDir, runDir, r, backoffBase, backoffMax, resync, cniConfigDir, imageGc, podPidsLimit, security);
    }

    public NodeConfig withBackoff(Duration base, Duration max) {
        return new NodeConfig(dataDir, runDir, runtime, base, max, resync, cniConfigDir, imageGc, podPidsLimit, security);
    }

    public NodeConfig withCniConfigDir(Path dir) {
        return new NodeConfig(dataDir, runDir, runtime, backoffBase, backoffMax, resync, dir, imageGc, podPidsLimit, security);
    }

    public NodeConfig withImageGc(ImageGcPlanner.Policy policy) {
        return new NodeConfig(dataDir, runDir, runtime, backoffBase, backoffMax, resync, cniConfigDir, policy, podPidsLimit, security);
    }

    public NodeConfig withPodPidsLimit(long limit) {
        return new NodeConfig(dataDir, runDir, runtime, backoffBase, backoffMax, resync, cniConfigDir, imageGc, limit, security);
    }

    public NodeConfig withSecurity(NodeSecurity s) {
        return new NodeConfig(dataDir, runDir, runtime, backoffBase, backoffMax, resync, cniConfigDir, imageGc, podPidsLimit, s);
    }
}
