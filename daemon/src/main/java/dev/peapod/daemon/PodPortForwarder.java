package dev.peapod.daemon;

import dev.peapod.apiserver.PodPortForward;
import dev.peapod.network.NetnsConnect;
import dev.peapod.oci.ContainerState;
import dev.peapod.oci.OciRuntime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * kubectl port-forward on this node: connects to {@code 127.0.0.1:port} in the network namespace
 * of a running container of the pod ({@code /proc/<its pid>/ns/net}; all containers of a pod share
 * it, and a hostNetwork pod's is the host's), as containerd does from within the sandbox's netns,
 * so a server the pod binds to loopback only is reached too.
 */
final class PodPortForwarder implements PodPortForward {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private final OciRuntime oci;

    PodPortForwarder(OciRuntime oci) {
        this.oci = oci;
    }

    @Override
    public SocketChannel connect(String podUid, String containerId, int port) throws IOException {
        ContainerState state;
        try {
            state = oci.state(containerId).filter(ContainerState::running)
                    .orElseThrow(() -> new IOException("container " + containerId + " is not running"));
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
        try {
            return NetnsConnect.connect(Path.of("/proc", Integer.toString(state.pid()), "ns", "net"),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
