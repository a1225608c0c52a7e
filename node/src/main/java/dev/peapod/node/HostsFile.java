package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The pod's managed {@code /etc/hosts}, in the format kubelet writes
 * ({@code pkg/kubelet/kubelet_pods.go managedHostsFileContent}). The pod-IP line and hostAliases
 * join it with pod networking (a later issue); without a pod IP kubelet writes none either.
 */
final class HostsFile {
    private HostsFile() {}

    static String content(Pod pod, String podIp) {
        var b = new StringBuilder("# Kubernetes-managed hosts file.\n")
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("fe00::0\tip6-mcastprefix\n")
                .append("fe00::1\tip6-allnodes\n")
                .append("fe00::2\tip6-allrouters\n");
        if (podIp != null && !podIp.isEmpty()) {
            b.append(podIp).append('\t').append(hostname(pod)).append('\n');
        }
        return b.toString();
    }

    /** Hostname = spec.hostname if set, else the pod name (truncated to 63 characters like kubelet). */
    static String hostname(Pod pod) {
        String h = pod.getSpec().getHostname();
        if (h == null || h.isEmpty()) h = pod.getMetadata().getName();
        return h.length() > 63 ? h.substring(0, 63).replaceAll("[-.]+$", "") : h;
    }
}
