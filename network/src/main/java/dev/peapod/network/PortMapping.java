package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Set;

/**
 * One entry of the {@code portMappings} capability argument (CNI CONVENTIONS.md, "Port
 * forwarding"): traffic to {@code hostPort} on the host goes to {@code containerPort} in the
 * container. portmap consumes it.
 *
 * @param protocol tcp, udp or sctp (stored lowercase, as the conventions write it)
 * @param hostIp   the host address to bind, or "" for all addresses
 */
public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    public PortMapping {
        if (hostPort < 1 || hostPort > 65535) throw new IllegalArgumentException("hostPort " + hostPort + " is out of range");
        if (containerPort < 1 || containerPort > 65535) {
            throw new IllegalArgumentException("containerPort " + containerPort + " is out of range");
        }
        protocol = protocol == null || protocol.isEmpty() ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) throw new IllegalArgumentException("protocol " + protocol + " is not tcp, udp or sctp");
        hostIp = hostIp == null ? "" : hostIp;
    }

    /** The conventions' JSON shape: {hostPort, containerPort, protocol[, hostIP]}. */
    ObjectNode toJson() {
        ObjectNode o = CniJson.MAPPER.createObjectNode();
        o.put("hostPort", hostPort);
        o.put("containerPort", containerPort);
        o.put("protocol", protocol);
        if (!hostIp.isEmpty()) o.put("hostIP", hostIp);
        return o;
    }
}
