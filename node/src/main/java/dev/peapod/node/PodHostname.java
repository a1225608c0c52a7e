package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A pod's names as kubelet derives them ({@code pkg/kubelet/kubelet_pods.go
 * GeneratePodHostNameAndDomain}, {@code truncatePodHostnameIfNeeded};
 * {@code pkg/kubelet/util/util.go GetNodenameForKernel}). Pure.
 *
 * @param hostname       the short host name: {@code spec.hostname}, else the pod name cut to 63 characters;
 *                       this is the name {@code /etc/hosts} carries
 * @param domain         {@code <subdomain>.<namespace>.svc.<clusterDomain>} when {@code spec.subdomain} is set,
 *                       else empty
 * @param kernelHostname what the pod's UTS namespace reports ({@code uname -n}): the FQDN with
 *                       {@code setHostnameAsFQDN: true} and a subdomain, else {@link #hostname}; for a
 *                       {@code hostNetwork} pod the node's own hostname, because such a pod shares the node's
 *                       UTS namespace (kubelet leaves {@code PodSandboxConfig.Hostname} unset for it)
 */
record PodHostname(String hostname, String domain, String kernelHostname) {
    /** kubelet's {@code --cluster-domain} as every distribution sets it; kubelet itself has no default. */
    static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

    /** "specification is 64bytes which is 63 chars and the null terminating char" (kubelet). */
    private static final int HOSTNAME_MAX_LEN = 63;
    /** The Linux nodename field: 64 characters plus the terminating NUL. */
    private static final int FQDN_MAX_LEN = 64;
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric"
            + " characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or"
            + " '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    PodHostname {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(kernelHostname, "kernelHostname");
    }

    /** {@link #of(Pod, String, String)} with the {@value #DEFAULT_CLUSTER_DOMAIN} cluster domain, for a pod with its own network. */
    static PodHostname of(Pod pod) {
        return of(pod, DEFAULT_CLUSTER_DOMAIN, null);
    }

    /**
     * The names kubelet gives {@code pod}.
     *
     * @param clusterDomain kubelet's {@code --cluster-domain}; empty gives {@code <sub>.<ns>.svc.} as kubelet does
     * @param nodeHostname  the node's hostname; required only for {@code hostNetwork} pods
     * @throws IllegalArgumentException with kubelet's text when {@code spec.hostname} or {@code spec.subdomain}
     *         is not a DNS label, or when {@code setHostnameAsFQDN} asks for an FQDN longer than 64 characters
     *         (kubelet fails the sandbox/container with it, even for hostNetwork pods)
     */
    static PodHostname of(Pod pod, String clusterDomain, String nodeHostname) {
        var spec = pod.getSpec();
        String specHostname = spec.getHostname();
        if (specHostname != null && !specHostname.isEmpty()) {
            requireLabel("pod Hostname", specHostname);
        }
        String name = hostname(pod);
        String subdomain = spec.getSubdomain();
        String domain = "";
        if (subdomain != null && !subdomain.isEmpty()) {
            requireLabel("pod Subdomain", subdomain);
            domain = subdomain + "." + pod.getMetadata().getNamespace() + ".svc." + Objects.requireNonNullElse(clusterDomain, "");
        }
        String kernel = kernelHostname(name, domain, spec.getSetHostnameAsFQDN());
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            kernel = Objects.requireNonNull(nodeHostname, "nodeHostname is required for a hostNetwork pod");
        }
        return new PodHostname(name, domain, kernel);
    }

    /** {@code hostname.domain} when the pod has a domain, else the hostname. */
    String fqdn() {
        return domain.isEmpty() ? hostname : hostname + "." + domain;
    }

    /**
     * The short hostname: {@code spec.hostname} if set, else the pod name; longer than 63 characters it
     * is cut to 63 and trailing {@code -} and {@code .} are dropped ({@code truncatePodHostnameIfNeeded}).
     * Lenient: does not validate {@code spec.hostname} (API validation already did).
     */
    static String hostname(Pod pod) {
        String h = pod.getSpec().getHostname();
        if (h == null || h.isEmpty()) h = pod.getMetadata().getName();
        if (h.length() <= HOSTNAME_MAX_LEN) return h;
        String truncated = stripTrailing(h.substring(0, HOSTNAME_MAX_LEN));
        if (truncated.isEmpty()) {
            throw new IllegalArgumentException("hostname for pod \"" + pod.getMetadata().getName() + "\" was invalid: \"" + h + "\"");
        }
        return truncated;
    }

    /** {@code GetNodenameForKernel}. */
    private static String kernelHostname(String hostname, String domain, Boolean setHostnameAsFQDN) {
        if (domain.isEmpty() || !Boolean.TRUE.equals(setHostnameAsFQDN)) return hostname;
        String fqdn = hostname + "." + domain;
        if (fqdn.length() > FQDN_MAX_LEN) {
            throw new IllegalArgumentException("failed to construct FQDN from pod hostname and cluster domain, FQDN "
                    + fqdn + " is too long (" + FQDN_MAX_LEN + " characters is the max, " + fqdn.length()
                    + " characters requested)");
        }
        return fqdn;
    }

    /** {@code utilvalidation.IsDNS1123Label}, messages joined with ";" as kubelet joins them. */
    private static void requireLabel(String what, String value) {
        List<String> msgs = new ArrayList<>();
        if (value.length() > HOSTNAME_MAX_LEN) msgs.add("must be no more than 63 characters");
        if (!DNS1123_LABEL.matcher(value).matches()) msgs.add(DNS1123_LABEL_MSG);
        if (!msgs.isEmpty()) {
            throw new IllegalArgumentException(what + " \"" + value + "\" is not a valid DNS label: " + String.join(";", msgs));
        }
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '-' || s.charAt(end - 1) == '.')) end--;
        return s.substring(0, end);
    }
}
