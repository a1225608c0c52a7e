package dev.peapod.apiserver;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * The node's side of {@code pods/{name}/portforward}: a TCP connection to {@code localhost:port}
 * inside the pod's network namespace, as kubelet's runtimes make it (CRI PortForward: containerd
 * dials {@code localhost:port} from within the sandbox's netns), so servers bound to 127.0.0.1 in
 * the pod are reached too. Contract: thread safe; returns a connected blocking channel or throws
 * (the message goes to kubectl on the port's error stream).
 */
public interface PodPortForward {
    /**
     * @param podUid      the pod's uid (for messages)
     * @param containerId the runtime id of one of its running containers: its network namespace is the pod's
     */
    SocketChannel connect(String podUid, String containerId, int port) throws IOException;

    PodPortForward NONE = (uid, id, port) -> { throw new IOException("port-forward is not available on this node"); };
}
