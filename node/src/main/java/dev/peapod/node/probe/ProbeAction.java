package dev.peapod.node.probe;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a probe does, resolved against one container attempt: named ports looked up, the host
 * defaulted to the pod IP. Built once per attempt by {@link #of}; the probers run it.
 */
public sealed interface ProbeAction permits ProbeAction.HttpGet, ProbeAction.TcpSocket, ProbeAction.Exec,
        ProbeAction.Grpc {

    /** An HTTP request header of an {@code httpGet} probe (or a hook). */
    record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            value = value == null ? "" : value;
        }
    }

    /**
     * {@code GET scheme://host:port/path}.
     *
     * @param scheme  "http" or "https" (lower case)
     * @param host    IP address or DNS name, without brackets
     * @param path    path and query as written in the spec, always starting with "/"
     * @param headers the spec's headers in order; a {@code Host} header overrides the request's host
     */
    record HttpGet(String scheme, String host, int port, String path, List<Header> headers) implements ProbeAction {
        public HttpGet {
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(host, "host");
            path = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
            headers = List.copyOf(headers);
        }

        /** The URL as kubelet prints it in probe output, e.g. {@code http://10.88.0.5:8080/healthz}. */
        public String url() {
            return scheme + "://" + hostPort(host, port) + path;
        }
    }

    /** Opens a TCP connection to {@code host:port} and closes it. */
    record TcpSocket(String host, int port) implements ProbeAction {
        public TcpSocket {
            Objects.requireNonNull(host, "host");
        }
    }

    /** Runs {@code command} in the container (no shell: argv as given). */
    record Exec(List<String> command) implements ProbeAction {
        public Exec {
            command = List.copyOf(command);
        }
    }

    /** {@code grpc.health.v1.Health/Check} for {@code service} ("" = the server as a whole) at {@code host:port}. */
    record Grpc(String host, int port, String service) implements ProbeAction {
        public Grpc {
            Objects.requireNonNull(host, "host");
            service = service == null ? "" : service;
        }
    }

    /** Where kubelet connects when a probe names no host and the pod has no IP yet: Go dials ":port", the local host. */
    String LOCAL_HOST = "127.0.0.1";

    /**
     * Resolves {@code probe} against {@code container} for a pod at {@code podIp}.
     *
     * @throws ProbeException if the probe has no handler, a named port is not declared by the
     *                        container, or a port is out of range
     */
    static ProbeAction of(Probe probe, Container container, String podIp) {
        Objects.requireNonNull(probe, "probe");
        String defaultHost = podIp == null || podIp.isBlank() ? LOCAL_HOST : podIp;
        if (probe.getExec() != null) {
            var command = probe.getExec().getCommand();
            if (command == null || command.isEmpty()) {
                throw new ProbeException("failed to build exec probe: command is empty");
            }
            return new Exec(command);
        }
        if (probe.getHttpGet() != null) {
            var http = probe.getHttpGet();
            String scheme = http.getScheme() == null || http.getScheme().isBlank()
                    ? "http" : http.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new ProbeException("failed to build httpGet probe: unsupported scheme \"" + http.getScheme() + "\"");
            }
            return new HttpGet(scheme, hostOr(http.getHost(), defaultHost), port(http.getPort(), container),
                    http.getPath(), headers(http.getHttpHeaders()));
        }
        if (probe.getTcpSocket() != null) {
            var tcp = probe.getTcpSocket();
            return new TcpSocket(hostOr(tcp.getHost(), defaultHost), port(tcp.getPort(), container));
        }
        if (probe.getGrpc() != null) {
            var grpc = probe.getGrpc();
            return new Grpc(defaultHost, checkPort(grpc.getPort() == null ? 0 : grpc.getPort()), grpc.getService());
        }
        throw new ProbeException("failed to build probe for container " + name(container) + ": no handler (exec, httpGet, tcpSocket or grpc)");
    }

    /**
     * A port by number, or by the name of one of the container's ports (kubelet
     * {@code pkg/probe/util.go ResolveContainerPort}: a name that no port has is tried as a number
     * before it is an error).
     */
    static int port(IntOrString port, Container container) {
        if (port == null || (port.getIntVal() == null && port.getStrVal() == null)) {
            throw new ProbeException("failed to resolve port of container " + name(container) + ": no port given");
        }
        if (port.getIntVal() != null) return checkPort(port.getIntVal());
        String portName = port.getStrVal();
        if (container != null && container.getPorts() != null) {
            for (ContainerPort p : container.getPorts()) {
                if (portName.equals(p.getName()) && p.getContainerPort() != null) return checkPort(p.getContainerPort());
            }
        }
        try {
            return checkPort(Integer.parseInt(portName.strip()));
        } catch (NumberFormatException e) {
            throw new ProbeException("failed to resolve port \"" + portName + "\": container " + name(container)
                    + " has no port named \"" + portName + "\"");
        }
    }

    private static int checkPort(int port) {
        if (port > 0 && port < 65536) return port;
        throw new ProbeException("failed to resolve port: invalid port number: " + port);
    }

    private static String hostOr(String host, String fallback) {
        return host == null || host.isBlank() ? fallback : host;
    }

    private static List<Header> headers(List<HTTPHeader> spec) {
        List<Header> out = new ArrayList<>();
        if (spec != null) {
            for (HTTPHeader h : spec) if (h.getName() != null && !h.getName().isBlank()) out.add(new Header(h.getName(), h.getValue()));
        }
        return out;
    }

    private static String name(Container c) {
        return c == null ? "?" : c.getName();
    }

    /** {@code host:port}, with an IPv6 address in brackets (Go's {@code net.JoinHostPort}). */
    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }
}
