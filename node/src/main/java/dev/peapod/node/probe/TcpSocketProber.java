package dev.peapod.node.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/**
 * Runs {@code tcpSocket} probes as kubelet does ({@code pkg/probe/tcp/tcp.go}): the probe succeeds
 * if a TCP connection to {@code host:port} opens within the timeout, and the connection is closed at
 * once. The connection is made from the node, not from inside the pod
 * (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#tcp-probes).
 * Failures carry Go's wording, e.g. {@code dial tcp 10.88.0.5:5432: connect: connection refused}.
 *
 * <p>Contract: {@link #probe} blocks for at most about {@code timeout}, never throws, and is
 * thread safe (the class holds no state).
 */
public final class TcpSocketProber {

    public ProbeResult probe(ProbeAction.TcpSocket action, Duration timeout) {
        String address = ProbeAction.hostPort(action.host(), action.port());
        int millis = Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
        try (Socket socket = new Socket()) {
            // SO_LINGER 1 s as kubelet's probe dialer (pkg/probe/dialer_others.go).
            socket.setSoLinger(true, 1);
            socket.connect(new InetSocketAddress(action.host(), action.port()), millis);
            return ProbeResult.success("");
        } catch (SocketTimeoutException e) {
            return ProbeResult.failure("dial tcp " + address + ": i/o timeout");
        } catch (ConnectException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return ProbeResult.failure("dial tcp " + address + ": connect: "
                    + (m.contains("refused") ? "connection refused" : e.getMessage()));
        } catch (NoRouteToHostException e) {
            return ProbeResult.failure("dial tcp " + address + ": connect: no route to host");
        } catch (UnknownHostException e) {
            return ProbeResult.failure("dial tcp: lookup " + action.host() + ": no such host");
        } catch (IOException | IllegalArgumentException e) {
            return ProbeResult.failure("dial tcp " + address + ": " + e.getMessage());
        }
    }
}
