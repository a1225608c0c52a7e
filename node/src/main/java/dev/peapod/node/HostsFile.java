package dev.peapod.node;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Objects;

/**
 * The pod's {@code /etc/hosts}, byte for byte as kubelet writes it ({@code pkg/kubelet/kubelet_pods.go}
 * {@code managedHostsFileContent}, {@code nodeHostsFileContent}, {@code hostsEntriesFromHostAliases}).
 * Pure: the caller reads the node's {@code /etc/hosts} and writes the result.
 *
 * <p>Which variant applies ({@link #forPod}): a pod with its own network namespace gets the managed file
 * (localhost lines, one line per pod IP, then hostAliases); a {@code hostNetwork} pod gets the node's own
 * {@code /etc/hosts} under a "(host network)" header, with the hostAliases appended
 * ({@code ensureHostsFile(..., useHostNetwork)}; early kubelets left hostNetwork pods' file alone).
 * Kubelet mounts the file only once the pod has IPs ({@code makeMounts}: {@code len(podIPs) > 0}).
 */
final class HostsFile {
    static final String MANAGED_HEADER = "# Kubernetes-managed hosts file.\n";
    static final String HOST_NETWORK_HEADER = "# Kubernetes-managed hosts file (host network).\n";

    private HostsFile() {}

    /** The file for {@code pod}: {@link #hostNetworkContent} for hostNetwork pods, else {@link #content(Pod, List, String, String)}. */
    static String forPod(Pod pod, List<String> podIps, PodHostname names, String nodeHostsFile) {
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return hostNetworkContent(pod, nodeHostsFile);
        }
        return content(pod, podIps, names.hostname(), names.domain());
    }

    /**
     * kubelet's managed file: header, the fixed localhost lines, one {@code <ip>\t<hostname>} line per pod IP
     * ({@code <ip>\t<hostname>.<domain>\t<hostname>} when the pod has a domain, i.e. a subdomain), then the
     * pod's hostAliases.
     */
    static String content(Pod pod, List<String> podIps, String hostname, String domain) {
        var b = new StringBuilder(MANAGED_HEADER)
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("fe00::0\tip6-mcastprefix\n")
                .append("fe00::1\tip6-allnodes\n")
                .append("fe00::2\tip6-allrouters\n");
        String names = domain == null || domain.isEmpty() ? hostname : hostname + "." + domain + "\t" + hostname;
        for (String ip : podIps) {
            b.append(ip).append('\t').append(names).append('\n');
        }
        return b.append(aliasEntries(pod.getSpec().getHostAliases())).toString();
    }

    /** A hostNetwork pod's file: the "(host network)" header, the node's file unchanged, then the hostAliases. */
    static String hostNetworkContent(Pod pod, String nodeHostsFile) {
        return HOST_NETWORK_HEADER + Objects.requireNonNull(nodeHostsFile, "nodeHostsFile")
                + aliasEntries(pod.getSpec().getHostAliases());
    }

    /**
     * The managed file with at most one pod IP and the pod's own names under the default cluster domain
     * (the caller that predates pod networking; no FQDN check, see {@link PodHostname#hostname}).
     */
    static String content(Pod pod, String podIp) {
        var spec = pod.getSpec();
        String domain = spec.getSubdomain() == null || spec.getSubdomain().isEmpty() ? ""
                : spec.getSubdomain() + "." + pod.getMetadata().getNamespace() + ".svc." + PodHostname.DEFAULT_CLUSTER_DOMAIN;
        return content(pod, podIp == null || podIp.isEmpty() ? List.of() : List.of(podIp), hostname(pod), domain);
    }

    /** Hostname = spec.hostname if set, else the pod name (truncated to 63 characters like kubelet). */
    static String hostname(Pod pod) {
        return PodHostname.hostname(pod);
    }

    /**
     * {@code hostsEntriesFromHostAliases}: nothing without aliases; else a blank line, a comment, and one line
     * per alias with all its hostnames tab-separated (current kubelet; older kubelets wrote one line per
     * hostname, as podman still does).
     */
    private static String aliasEntries(List<HostAlias> aliases) {
        if (aliases == null || aliases.isEmpty()) return "";
        var b = new StringBuilder("\n# Entries added by HostAliases.\n");
        for (HostAlias a : aliases) {
            b.append(a.getIp() == null ? "" : a.getIp()).append('\t');
            b.append(String.join("\t", a.getHostnames() == null ? List.of() : a.getHostnames())).append('\n');
        }
        return b.toString();
    }
}
