package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The Success result of a plugin chain (CNI spec 1.0, section 5): the interfaces created, the
 * addresses assigned, routes and DNS. The raw object is kept because it is handed on unchanged as
 * the next plugin's {@code prevResult} and cached for DEL and CHECK. Immutable.
 *
 * @param cniVersion the version the plugin answered in
 * @param interfaces every interface of the attachment, host side included
 * @param ips        the addresses; {@link IpConfig#interfaceIndex()} points into {@code interfaces}
 * @param routes     routes created
 * @param dns        DNS settings the network knows of (often empty)
 * @param raw        the result object itself
 */
public record CniResult(String cniVersion, List<Interface> interfaces, List<IpConfig> ips, List<Route> routes,
                        Dns dns, ObjectNode raw) {

    /** @param sandbox the netns path for interfaces inside the container, "" for host interfaces */
    public record Interface(String name, String mac, String sandbox) {}

    /**
     * @param address        CIDR notation, e.g. 10.85.0.5/16
     * @param gateway        the subnet's default gateway, "" when none
     * @param interfaceIndex index into {@link CniResult#interfaces()}, or -1 when absent (IPAM results)
     */
    public record IpConfig(String address, String gateway, int interfaceIndex) {
        /** The address without its prefix length. */
        public String ip() {
            int slash = address.indexOf('/');
            return slash < 0 ? address : address.substring(0, slash);
        }
    }

    /** @param gw next hop, "" to use the address's gateway */
    public record Route(String dst, String gw) {}

    public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {}

    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        raw = raw.deepCopy();
    }

    @Override
    public ObjectNode raw() {
        return raw.deepCopy();
    }

    /**
     * Reads a Success result (1.0.0 and the 0.3.x/0.4.0 shape, whose extra {@code version} field
     * of {@code ips} is ignored). Throws {@link IllegalArgumentException} for other shapes.
     */
    public static CniResult parse(ObjectNode raw) {
        if (raw.has("ip4") || raw.has("ip6")) {
            throw new IllegalArgumentException("result in the pre-0.3.0 format (ip4/ip6) is not supported");
        }
        List<Interface> interfaces = new ArrayList<>();
        for (JsonNode n : array(raw, "interfaces")) {
            interfaces.add(new Interface(CniJson.textOrEmpty(n, "name"), CniJson.textOrEmpty(n, "mac"),
                    CniJson.textOrEmpty(n, "sandbox")));
        }
        List<IpConfig> ips = new ArrayList<>();
        for (JsonNode n : array(raw, "ips")) {
            String address = CniJson.text(n, "address");
            if (address == null) throw new IllegalArgumentException("an entry of 'ips' has no address");
            JsonNode index = n.get("interface");
            int i = index != null && index.canConvertToInt() ? index.intValue() : -1;
            if (i >= interfaces.size()) {
                throw new IllegalArgumentException("ip " + address + " names interface " + i + " of " + interfaces.size());
            }
            ips.add(new IpConfig(address, CniJson.textOrEmpty(n, "gateway"), i));
        }
        List<Route> routes = new ArrayList<>();
        for (JsonNode n : array(raw, "routes")) {
            routes.add(new Route(CniJson.textOrEmpty(n, "dst"), CniJson.textOrEmpty(n, "gw")));
        }
        JsonNode d = raw.get("dns");
        Dns dns = new Dns(CniJson.texts(d, "nameservers"), CniJson.textOrEmpty(d, "domain"),
                CniJson.texts(d, "search"), CniJson.texts(d, "options"));
        return new CniResult(CniJson.textOrEmpty(raw, "cniVersion"), interfaces, ips, routes, dns, raw);
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) {
        JsonNode a = node.get(field);
        if (a == null || a.isNull()) return List.of();
        if (!a.isArray()) throw new IllegalArgumentException("'" + field + "' is not a list");
        return a;
    }

    /**
     * The addresses of the container's side: those on an interface with a sandbox (and those with
     * no interface index, which the spec leaves unattributed), in result order, without prefix.
     * The first is the primary IP.
     */
    public List<String> sandboxIps() {
        List<String> out = new ArrayList<>();
        for (IpConfig ip : ips) {
            if (ip.interfaceIndex() < 0 || !interfaces.get(ip.interfaceIndex()).sandbox().isEmpty()) {
                out.add(ip.ip());
            }
        }
        return List.copyOf(out);
    }

    /** The host-side interfaces (no sandbox), e.g. the bridge and the veth peer. */
    public List<Interface> hostInterfaces() {
        return interfaces.stream().filter(i -> i.sandbox().isEmpty()).toList();
    }
}
