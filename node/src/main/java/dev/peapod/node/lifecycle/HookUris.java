package dev.peapod.node.lifecycle;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Where an {@code httpGet} action goes: kubelet's {@code probe.ResolveContainerPort} and
 * {@code httpprobe.formatURL}.
 */
final class HookUris {
    private HookUris() {}

    /**
     * The port number: an int as is; a string names one of the container's ports, or failing that
     * is read as a number (kubelet's "last ditch effort"); 1..65535.
     *
     * @throws IllegalArgumentException with the reason, if there is no such port
     */
    static int resolve(IntOrString port, Container container) {
        if (port == null || (port.getIntVal() == null && port.getStrVal() == null)) {
            throw new IllegalArgumentException("no port given");
        }
        int number;
        if (port.getIntVal() != null) {
            number = port.getIntVal();
        } else {
            number = byName(container, port.getStrVal());
        }
        if (number > 0 && number < 65536) return number;
        throw new IllegalArgumentException("invalid port number: " + number);
    }

    private static int byName(Container container, String name) {
        if (container.getPorts() != null) {
            for (ContainerPort p : container.getPorts()) {
                if (name.equals(p.getName()) && p.getContainerPort() != null) return p.getContainerPort();
            }
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            // kubelet returns strconv's error here; say what is actually wrong.
            throw new IllegalArgumentException("couldn't find port " + GoText.quote(name) + " in container "
                    + GoText.quote(container.getName()));
        }
    }

    /**
     * {@code scheme://host:port/path}: an IPv6 host gets brackets ({@code net.JoinHostPort}), a
     * path without a leading slash gets one, and characters a URI cannot hold are escaped (Go
     * "passes a busted path along as is" and escapes it when it writes the request line).
     */
    static URI of(String scheme, String host, int port, String path) {
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String p = path.isEmpty() || path.startsWith("/") ? path : "/" + path;
        return URI.create(scheme + "://" + hostPart + ":" + port + lenient(p));
    }

    static URI withScheme(URI uri, String scheme) {
        try {
            return new URI(scheme + uri.toString().substring(uri.getScheme().length()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("failed to change the scheme of " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Escapes, as %XX of their UTF-8 bytes, the characters that may not appear in a URI; keeps existing escapes. */
    static String lenient(String s) {
        var out = new StringBuilder(s.length());
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean escape = c == '%' && !(i + 2 < bytes.length && hex(bytes[i + 1]) && hex(bytes[i + 2]));
            if (!escape && c > 0x20 && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0) out.append((char) c);
            else out.append('%').append(String.format("%02X", c));
        }
        return out.toString();
    }

    private static boolean hex(byte b) {
        return Character.digit(b, 16) >= 0;
    }
}
