package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A pod's {@code /etc/resolv.conf} as kubelet computes it ({@code pkg/kubelet/network/dns/dns.go GetPodDNS})
 * and a CRI runtime renders it (containerd {@code parseDNSOptions}: {@code search}, then one {@code nameserver}
 * line each, then {@code options}). Pure: the caller reads the host's resolv.conf and writes the result.
 *
 * <p>Policy ({@code getPodDNSType}): {@code None} starts empty; {@code ClusterFirstWithHostNet}, and
 * {@code ClusterFirst} without hostNetwork, use the cluster DNS servers, the search list
 * {@code <ns>.svc.<domain> svc.<domain> <domain>} followed by the host's, and {@code options ndots:5};
 * {@code Default}, and {@code ClusterFirst} with hostNetwork, use the host's resolv.conf. With no cluster
 * DNS servers configured (Peapod has no cluster DNS yet) the cluster policies fall back to {@code Default}
 * and kubelet records a {@code MissingClusterDNS} warning event on the pod. {@code spec.dnsConfig} is then
 * appended (nameservers and searches de-duplicated, first occurrence kept; options merged by name, the
 * pod's value winning), and the result cut to kubelet's limits with a {@code DNSConfigForming} event.
 */
final class ResolvConf {
    /** {@code validation.MaxDNSNameservers}. */
    static final int MAX_NAMESERVERS = 3;
    /** {@code validation.MaxDNSSearchPaths} (the ExpandedDNSConfig limits, GA since 1.28). */
    static final int MAX_SEARCH_PATHS = 32;
    /** {@code validation.MaxDNSSearchListChars}: the search line, joined with spaces. */
    static final int MAX_SEARCH_LIST_CHARS = 2048;
    /**
     * {@code DNS1123SubdomainMaxLength}: longer search paths are dropped because "in some DNS resolvers
     * (e.g. glibc 2.28), DNS resolving causes abort() if there is a search path exceeding 255 characters".
     */
    static final int MAX_SEARCH_PATH_CHARS = 253;
    static final String MISSING_CLUSTER_DNS = "MissingClusterDNS";
    static final String DNS_CONFIG_FORMING = "DNSConfigForming";

    private static final List<String> CLUSTER_OPTIONS = List.of("ndots:5");

    private ResolvConf() {}

    /**
     * The node's DNS settings (kubelet's {@code --resolv-conf}, {@code --cluster-dns}, {@code --cluster-domain}).
     *
     * @param hostResolvConf the text of the node's resolv.conf; {@code null} means kubelet's
     *                       {@code --resolv-conf=""}: host-policy pods get {@code nameserver 127.0.0.1}, {@code search .}
     * @param clusterDns     cluster DNS server IPs, possibly empty
     * @param clusterDomain  the cluster domain; empty means no cluster search paths
     */
    record NodeDns(String hostResolvConf, List<String> clusterDns, String clusterDomain) {
        NodeDns {
            clusterDns = List.copyOf(clusterDns);
            clusterDomain = Objects.requireNonNullElse(clusterDomain, "");
        }
    }

    /** A warning event for the pod: {@code reason} as kubelet records it, {@code message} verbatim. */
    record Warning(String reason, String message) {}

    /** A parsed resolv.conf ({@code parseResolvConf}). */
    record Parsed(List<String> nameservers, List<String> searches, List<String> options) {}

    /**
     * The computed settings, the file text, and the warning events kubelet would record. When no setting is
     * left, {@code content} is the host's file unchanged, because containerd then copies it instead of writing one.
     */
    record Result(List<String> nameservers, List<String> searches, List<String> options, String content,
                  List<Warning> warnings) {}

    private enum DnsType { CLUSTER, HOST, NONE }

    /**
     * kubelet's {@code GetPodDNS} for {@code pod} on a node with {@code node}'s settings.
     *
     * @throws IllegalArgumentException if the host's resolv.conf has a {@code nameserver} line without an
     *         address (kubelet fails the pod sandbox on it, whatever the pod's policy)
     */
    static Result forPod(Pod pod, NodeDns node) {
        Parsed host = node.hostResolvConf() == null ? new Parsed(List.of(), List.of(), List.of()) : parse(node.hostResolvConf());
        List<Warning> warnings = new ArrayList<>();
        List<String> servers = host.nameservers();
        List<String> searches = host.searches();
        List<String> options = host.options();
        DnsType type = type(pod);
        if (type == DnsType.NONE) {
            servers = List.of();
            searches = List.of();
            options = List.of();
        } else if (type == DnsType.CLUSTER && !node.clusterDns().isEmpty()) {
            // "the cluster DNS server is the only nameserver configured for the pod"; it forwards the rest.
            servers = node.clusterDns();
            searches = clusterSearches(host.searches(), pod.getMetadata().getNamespace(), node.clusterDomain());
            options = CLUSTER_OPTIONS;
        } else {
            if (type == DnsType.CLUSTER) warnings.add(missingClusterDns(pod));
            if (node.hostResolvConf() == null) {
                // --resolv-conf="": "use the nameserver on the local machine" (bind's documented default).
                servers = List.of("127.0.0.1");
                searches = List.of(".");
            }
        }
        PodDNSConfig dnsConfig = pod.getSpec().getDnsConfig();
        if (dnsConfig != null) {
            servers = distinct(servers, dnsConfig.getNameservers());
            searches = distinct(searches, dnsConfig.getSearches());
            options = mergeOptions(options, dnsConfig.getOptions());
        }
        servers = fitNameservers(servers, warnings);
        searches = fitSearches(searches, warnings);
        String content = render(servers, searches, options);
        if (content.isEmpty() && node.hostResolvConf() != null) content = node.hostResolvConf();
        return new Result(servers, searches, options, content, List.copyOf(warnings));
    }

    /**
     * kubelet's {@code parseResolvConf}: {@code nameserver} lines accumulate (first address of each line),
     * the last {@code search} and the last {@code options} line win, search domains lose one trailing dot,
     * lines starting with {@code #} are comments.
     *
     * @throws IllegalArgumentException for a {@code nameserver} line without an address
     */
    static Parsed parse(String text) {
        List<String> nameservers = new ArrayList<>();
        List<String> searches = List.of();
        List<String> options = List.of();
        List<String> errors = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) continue;
            List<String> fields = List.of(trimmed.split("\\s+"));
            switch (fields.getFirst()) {
                case "nameserver" -> {
                    if (fields.size() >= 2) nameservers.add(fields.get(1));
                    else errors.add("nameserver list is empty");
                }
                case "search" -> searches = fields.subList(1, fields.size()).stream()
                        .map(s -> s.endsWith(".") ? s.substring(0, s.length() - 1) : s).toList();
                case "options" -> options = List.copyOf(fields.subList(1, fields.size()));
                default -> { }
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("failed to parse host resolv.conf: " + String.join(", ", errors));
        }
        return new Parsed(List.copyOf(nameservers), searches, options);
    }

    /** containerd's {@code parseDNSOptions}: the resolv.conf text, empty when nothing is set. */
    static String render(List<String> servers, List<String> searches, List<String> options) {
        var b = new StringBuilder();
        if (!searches.isEmpty()) b.append("search ").append(String.join(" ", searches)).append('\n');
        for (String s : servers) b.append("nameserver ").append(s).append('\n');
        if (!options.isEmpty()) b.append("options ").append(String.join(" ", options)).append('\n');
        return b.toString();
    }

    /** {@code getPodDNSType}; an unset policy reads as the API default ClusterFirst, an unknown one as cluster. */
    private static DnsType type(Pod pod) {
        String policy = Objects.requireNonNullElse(pod.getSpec().getDnsPolicy(), "ClusterFirst");
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        return switch (policy) {
            case "None" -> DnsType.NONE;
            case "ClusterFirstWithHostNet" -> DnsType.CLUSTER;
            case "ClusterFirst" -> hostNetwork ? DnsType.HOST : DnsType.CLUSTER;
            case "Default" -> DnsType.HOST;
            default -> DnsType.CLUSTER; // kubelet logs "invalid DNSPolicy" and falls back to ClusterFirst
        };
    }

    /** {@code generateSearchesForDNSClusterFirst}. */
    private static List<String> clusterSearches(List<String> hostSearches, String namespace, String clusterDomain) {
        if (clusterDomain.isEmpty()) return hostSearches;
        var cluster = List.of(namespace + ".svc." + clusterDomain, "svc." + clusterDomain, clusterDomain);
        return distinct(cluster, hostSearches);
    }

    /** The pod event; {@code format.Pod} renders a pod as {@code name_namespace(uid)}. */
    private static Warning missingClusterDns(Pod pod) {
        var meta = pod.getMetadata();
        String message = "pod: \"" + meta.getName() + "_" + meta.getNamespace() + "(" + Objects.requireNonNullElse(meta.getUid(), "")
                + ")\". kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy."
                + " Falling back to \"Default\" policy.";
        return new Warning(MISSING_CLUSTER_DNS, message);
    }

    /** {@code omitDuplicates(append(a, b...))}. */
    private static List<String> distinct(List<String> a, List<String> b) {
        var set = new LinkedHashSet<>(a);
        if (b != null) set.addAll(b);
        return List.copyOf(set);
    }

    /**
     * {@code mergeDNSOptions}: {@code name[:value]} keyed by name, the pod's options overriding. kubelet
     * rebuilds the list from a Go map, so its order is unspecified; we keep first-appearance order.
     */
    private static List<String> mergeOptions(List<String> existing, List<PodDNSConfigOption> podOptions) {
        var byName = new LinkedHashMap<String, String>();
        for (String op : existing) {
            int colon = op.indexOf(':');
            if (colon >= 0) byName.put(op.substring(0, colon), op.substring(colon + 1));
            else byName.put(op, "");
        }
        if (podOptions != null) {
            for (PodDNSConfigOption op : podOptions) byName.put(op.getName(), Objects.requireNonNullElse(op.getValue(), ""));
        }
        var out = new ArrayList<String>();
        byName.forEach((name, value) -> out.add(value.isEmpty() ? name : name + ":" + value));
        return List.copyOf(out);
    }

    /** {@code formDNSNameserversFitsLimits}. */
    private static List<String> fitNameservers(List<String> servers, List<Warning> warnings) {
        if (servers.size() <= MAX_NAMESERVERS) return servers;
        List<String> kept = servers.subList(0, MAX_NAMESERVERS);
        warnings.add(new Warning(DNS_CONFIG_FORMING, "Nameserver limits were exceeded, some nameservers have been omitted,"
                + " the applied nameserver line is: " + String.join(" ", kept)));
        return List.copyOf(kept);
    }

    /** {@code formDNSSearchFitsLimits}: at most 32 paths, none over 253 characters, the line at most 2048. */
    private static List<String> fitSearches(List<String> searches, List<Warning> warnings) {
        boolean exceeded = searches.size() > MAX_SEARCH_PATHS;
        List<String> kept = new ArrayList<>(exceeded ? searches.subList(0, MAX_SEARCH_PATHS) : searches);
        exceeded |= kept.removeIf(s -> s.length() > MAX_SEARCH_PATH_CHARS);
        int lineLength = String.join(" ", kept).length();
        if (lineLength > MAX_SEARCH_LIST_CHARS) {
            // Drop paths from the end until the line fits.
            int cut = 0;
            for (int i = kept.size() - 1; i >= 0; i--) {
                cut += kept.get(i).length() + 1;
                kept.remove(i);
                if (lineLength - cut <= MAX_SEARCH_LIST_CHARS) break;
            }
            exceeded = true;
        }
        if (exceeded) {
            warnings.add(new Warning(DNS_CONFIG_FORMING, "Search Line limits were exceeded, some search paths have been"
                    + " omitted, the applied search line is: " + String.join(" ", kept)));
        }
        return List.copyOf(kept);
    }
}
