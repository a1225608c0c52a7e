package dev.peapod.cli;

import dev.peapod.daemon.Daemon;
import dev.peapod.node.HostRuntime;
import dev.peapod.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code peapod serve}: runs the node with a Kubernetes API in front of it, for kubectl. Writes
 * {@code DIR/kubeconfig} once the API server listens; stops on SIGINT/SIGTERM and leaves the
 * pods running, as stopping kubelet does: the next start adopts them.
 */
@Command(name = "serve", description = "Serve the Kubernetes API for kubectl and run the pods created through it.")
public final class ServeCommand implements Callable<Integer> {
    static final String DESCRIPTION = "Serve the Kubernetes API for kubectl and run the pods created through it.";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--data-dir", defaultValue = "/var/lib/peapod", description = "State directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--address", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--port", defaultValue = "6443", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--runtime", defaultValue = "crun", description = "OCI runtime: crun or runc (default: ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = "--cni-config-dir", description = "CNI network configuration directory (default: /etc/peapod/cni/net.d).")
    Path cniConfigDir;

    @Option(names = "--node-name", description = "The name of this node (default: the host name).")
    String nodeName;

    @Override
    public Integer call() throws Exception {
        var config = NodeConfig.defaults(dataDir).withRuntime(runtime);
        if (cniConfigDir != null) config = config.withCniConfigDir(cniConfigDir);
        String node = nodeName != null ? nodeName : hostName();
        var stop = new CountDownLatch(1);
        try (var host = HostRuntime.open(config)) {
            host.notes().forEach(n -> System.err.println("peapod: " + n));
            // Pods pull their images as in `peapod up`: the host's registries.conf, certs.d and credentials files.
            var parts = host.parts().withPuller(RegistryAccess.lazyPuller(host.parts().images()));
            try (var daemon = Daemon.start(new Daemon.Options(dataDir, address, port, node), config, parts)) {
                System.err.println("peapod: serving the Kubernetes API on https://" + address + ":" + daemon.port()
                        + " (node " + node + "); kubeconfig: " + daemon.kubeconfig());
                Signals.onTerminate(signal -> {
                    System.err.println("peapod: received SIG" + signal + ": stopping; pods keep running and the next serve adopts them");
                    stop.countDown();
                });
                stop.await();
            }
        }
        return 0;
    }

    /** kubelet's default node name: the host name, lower case. */
    private static String hostName() throws java.io.IOException {
        Path p = Path.of("/proc/sys/kernel/hostname");
        String name = Files.exists(p) ? Files.readString(p).trim() : java.net.InetAddress.getLocalHost().getHostName();
        return name.toLowerCase(java.util.Locale.ROOT);
    }
}
