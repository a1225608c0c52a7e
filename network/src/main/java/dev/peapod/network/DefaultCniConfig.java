package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The network Peapod writes on first start when the CNI configuration directory is empty: a
 * Linux bridge with host-local IPAM, portmap for hostPorts, and firewall. Users who want another
 * network put their own file in the directory (or point Peapod at another directory).
 *
 * <p>Choices, checked against containernetworking-plugins 1.1.1 as Debian ships it:
 * <ul>
 *   <li>{@code bridge} with {@code isGateway} (the bridge holds the gateway address, so the host
 *       reaches pods), {@code ipMasq} (pods reach the outside through the host) and
 *       {@code hairpinMode} (a pod reaches itself through its own hostPort).</li>
 *   <li>{@code host-local} IPAM with its default {@code dataDir} /var/lib/cni/networks: leases are
 *       files named after the address under {@code <dataDir>/<network name>}, shared by every
 *       Peapod on the host, so two daemons never hand out the same address.</li>
 *   <li>{@code portmap} declares the {@code portMappings} capability; it is the only plugin that
 *       receives the pod's hostPorts in {@code runtimeConfig}.</li>
 *   <li>{@code firewall} (iptables backend) accepts the pods' traffic in the FORWARD chain. Bridged
 *       traffic passes through iptables when br_netfilter is loaded, and hosts with Docker set
 *       FORWARD's policy to DROP, which would cut pod-to-pod traffic. podman's default network
 *       uses it for the same reason.</li>
 *   <li>No {@code loopback} plugin: {@link NetnsManager#create} brings {@code lo} up itself,
 *       saving one plugin run per pod. No {@code tuning}: pod sysctls go into the OCI spec.</li>
 * </ul>
 *
 * @param networkName the network's name (keys IPAM state and the result cache)
 * @param bridge      the bridge interface, at most 15 characters
 * @param subnet      the pod CIDR
 * @param gateway     the bridge's address inside {@code subnet}
 * @param dataDir     host-local's lease directory
 */
public record DefaultCniConfig(String networkName, String bridge, String subnet, String gateway, Path dataDir) {
    /** The file name: sorts early, so that it is the one chosen next to later files. */
    public static final String FILE_NAME = "10-peapod.conflist";
    public static final DefaultCniConfig PEAPOD = new DefaultCniConfig("peapod", "peapod0", "10.85.0.0/16",
            "10.85.0.1", Path.of("/var/lib/cni/networks"));

    public DefaultCniConfig {
        if (!CniNames.validId(networkName)) throw new IllegalArgumentException("invalid network name " + networkName);
        String problem = CniNames.interfaceNameProblem(bridge);
        if (problem != null) throw new IllegalArgumentException("bridge: " + problem);
    }

    /** The configuration list this record describes. */
    public NetworkConfigList toConfigList() {
        return NetworkConfigList.fromConflist(CniJson.pretty(toJson()));
    }

    ObjectNode toJson() {
        ObjectNode root = CniJson.MAPPER.createObjectNode();
        root.put("cniVersion", "1.0.0");
        root.put("name", networkName);
        ArrayNode plugins = root.putArray("plugins");
        ObjectNode br = plugins.addObject();
        br.put("type", "bridge");
        br.put("bridge", bridge);
        br.put("isGateway", true);
        br.put("ipMasq", true);
        br.put("hairpinMode", true);
        ObjectNode ipam = br.putObject("ipam");
        ipam.put("type", "host-local");
        ObjectNode range = ipam.putArray("ranges").addArray().addObject();
        range.put("subnet", subnet);
        range.put("gateway", gateway);
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        ipam.put("dataDir", dataDir.toString());
        ObjectNode portmap = plugins.addObject();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        plugins.addObject().put("type", "firewall");
        return root;
    }

    /**
     * Writes {@link #FILE_NAME} into {@code confDir} (atomically) unless the directory already has
     * a configuration file. Returns the file written, or empty when there was one already.
     */
    public Optional<Path> writeIfAbsent(Path confDir) {
        if (!CniConfigDir.configFiles(confDir).isEmpty()) {
            return Optional.empty();
        }
        Path file = confDir.resolve(FILE_NAME);
        try {
            AtomicFiles.write(file, CniJson.pretty(toJson()).getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new NetworkException("failed to write default CNI configuration " + file + ": " + e.getMessage(), e);
        }
        return Optional.of(file);
    }
}
