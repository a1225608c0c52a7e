package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.net.InetAddress;
import java.util.List;
import java.util.regex.Pattern;

/** The pod's network fields: dnsPolicy, dnsConfig, hostAliases and the hostNetwork port rule. */
final class PodNetworkValidator {
    private static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    private static final String SUBDOMAIN_WITH_UNDERSCORE_FMT =
            "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*";
    private static final Pattern SUBDOMAIN_WITH_UNDERSCORE = Pattern.compile(SUBDOMAIN_WITH_UNDERSCORE_FMT);

    private PodNetworkValidator() { }

    static void dnsPolicy(String policy, FieldPath p, List<FieldError> errs) {
        String v = Empty.str(policy);
        if (v.isEmpty()) {
            errs.add(FieldError.required(p.value(), ""));
        } else if (!DNS_POLICIES.contains(v)) {
            errs.add(FieldError.notSupported(p.value(), v, DNS_POLICIES));
        }
    }

    /** {@code validatePodHostNetworkDeps} for a Pod: with hostNetwork, hostPort must equal containerPort. */
    static void hostNetworkPorts(PodSpec spec, FieldPath specPath, List<FieldError> errs) {
        if (!Empty.bool(spec.getHostNetwork())) {
            return;
        }
        List<Container> containers = Empty.list(spec.getContainers());
        for (int i = 0; i < containers.size(); i++) {
            List<ContainerPort> ports = Empty.list(containers.get(i).getPorts());
            for (int j = 0; j < ports.size(); j++) {
                long hostPort = Empty.num(ports.get(j).getHostPort());
                if (hostPort != Empty.num(ports.get(j).getContainerPort())) {
                    errs.add(FieldError.invalid(specPath.child("containers").index(i).child("ports").index(j)
                            .child("hostPort").value(), hostPort, "must match `containerPort` when `hostNetwork` is true"));
                }
            }
        }
    }

    /**
     * {@code validatePodDNSConfig} with RelaxedDNSSearchValidation (GA in 1.34): search domains may
     * contain underscores and may be ".".
     */
    static void dnsConfig(PodDNSConfig config, String dnsPolicy, FieldPath p, List<FieldError> errs) {
        if ("None".equals(dnsPolicy)) {
            if (config == null) {
                errs.add(FieldError.required(p.value(), "must provide `dnsConfig` when `dnsPolicy` is None"));
                return;
            }
            if (Empty.list(config.getNameservers()).isEmpty()) {
                errs.add(FieldError.required(p.child("nameservers").value(),
                        "must provide at least one DNS nameserver when `dnsPolicy` is None"));
                return;
            }
        }
        if (config == null) {
            return;
        }
        List<String> nameservers = Empty.list(config.getNameservers());
        if (nameservers.size() > 3) {
            errs.add(FieldError.invalid(p.child("nameservers").value(), nameservers, "must not have more than 3 nameservers"));
        }
        for (int i = 0; i < nameservers.size(); i++) {
            ip(nameservers.get(i), p.child("nameservers").index(i), errs);
        }
        searches(Empty.list(config.getSearches()), p.child("searches"), errs);
        List<PodDNSConfigOption> options = Empty.list(config.getOptions());
        for (int i = 0; i < options.size(); i++) {
            if (Empty.isEmpty(options.get(i).getName())) {
                errs.add(FieldError.required(p.child("options").index(i).value(), "must not be empty"));
            }
        }
    }

    private static void searches(List<String> searches, FieldPath p, List<FieldError> errs) {
        if (searches.size() > 32) {
            errs.add(FieldError.invalid(p.value(), searches, "must not have more than 32 search paths"));
        }
        if (String.join(" ", searches).length() > 2048) {
            errs.add(FieldError.invalid(p.value(), searches,
                    "must not have more than 2048 characters (including spaces) in the search list"));
        }
        for (int i = 0; i < searches.size(); i++) {
            if (searches.get(i).equals(".")) {
                continue;
            }
            String search = searches.get(i).endsWith(".") ? searches.get(i).substring(0, searches.get(i).length() - 1) : searches.get(i);
            if (Formats.bytes(search) > 253) {
                errs.add(FieldError.invalid(p.index(i).value(), search, Formats.maxLen(253)));
            }
            if (!SUBDOMAIN_WITH_UNDERSCORE.matcher(search).matches()) {
                errs.add(FieldError.invalid(p.index(i).value(), search, Formats.regexError(
                        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or"
                                + " '.', and must start and end with an alphanumeric character",
                        SUBDOMAIN_WITH_UNDERSCORE_FMT, "example.com")));
            }
        }
    }

    static void hostAliases(List<HostAlias> aliases, FieldPath p, List<FieldError> errs) {
        for (int i = 0; i < aliases.size(); i++) {
            FieldPath a = p.index(i);
            ip(Empty.str(aliases.get(i).getIp()), a.child("ip"), errs);
            List<String> hostnames = Empty.list(aliases.get(i).getHostnames());
            for (int j = 0; j < hostnames.size(); j++) {
                String h = hostnames.get(j);
                FieldPath hp = a.child("hostnames").index(j);
                Formats.dns1123Subdomain(h).forEach(m -> errs.add(FieldError.invalid(hp.value(), h, m)));
            }
        }
    }

    /** {@code validation.IsValidIP}: an IPv4 or IPv6 literal. */
    static void ip(String value, FieldPath p, List<FieldError> errs) {
        boolean valid;
        try {
            valid = !value.isEmpty() && !value.contains("%") && InetAddress.ofLiteral(value) != null;
        } catch (IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            errs.add(FieldError.invalid(p.value(), value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
    }
}
