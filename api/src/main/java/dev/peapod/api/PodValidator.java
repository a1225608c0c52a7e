package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodResourceClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * kube-apiserver's {@code ValidatePodCreate} ({@code pkg/apis/core/validation}) for the parts that
 * matter on a single host, with the same error types, field paths and texts, in the same order.
 *
 * <p>Validation expects a defaulted pod ({@link PodDefaults#apply}), as in Kubernetes, where
 * defaulting always runs first: an undefaulted pod reports e.g. {@code imagePullPolicy: Required value}.
 *
 * <p>Deliberately not checked: security contexts, affinity, tolerations, topology spread, scheduling
 * gates' names, pod-level resources, ephemeral containers' details (they cannot be set on create),
 * seccomp/AppArmor annotations. Peapod-specific additions (documented where they are made): a negative
 * {@code terminationGracePeriodSeconds} is rejected (Kubernetes only warns and uses 1), hostPath paths
 * must be absolute, and emptyDir media must be ones the node can mount. Stateless and thread-safe.
 */
public final class PodValidator {
    private static final FieldPath SPEC = FieldPath.SPEC;
    private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");

    private PodValidator() { }

    /** All validation errors of {@code pod}; empty when it is valid. */
    public static List<FieldError> validate(Pod pod) {
        List<FieldError> errs = new ArrayList<>();
        MetaValidator.objectMeta(pod.getMetadata(), FieldPath.METADATA, errs);
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        spec(spec, errs);
        if (Empty.isEmpty(spec.getServiceAccountName())) {
            serviceAccountTokensForbidden(Empty.list(spec.getVolumes()), errs);
        }
        ContainerValidator.onlyForPod(Empty.list(spec.getContainers()), SPEC.child("containers"), errs);
        ContainerValidator.onlyForPod(Empty.list(spec.getInitContainers()), SPEC.child("initContainers"), errs);
        if (!Empty.list(spec.getEphemeralContainers()).isEmpty()) {
            errs.add(FieldError.forbidden(SPEC.child("ephemeralContainers").value(), "cannot be set on create"));
        }
        if (!Empty.isEmpty(spec.getNodeName()) && !Empty.list(spec.getSchedulingGates()).isEmpty()) {
            errs.add(FieldError.forbidden(SPEC.child("nodeName").value(), "cannot be set until all schedulingGates have been cleared"));
        }
        return errs;
    }

    /**
     * Throws if {@code pod} is invalid, with kube-apiserver's message:
     * {@code Pod "web" is invalid: <error>} for one error, {@code Pod "web" is invalid: [<e1>, <e2>]} for several.
     */
    public static void requireValid(Pod pod) {
        List<FieldError> errs = validate(pod);
        if (errs.isEmpty()) {
            return;
        }
        Set<String> unique = new LinkedHashSet<>();
        errs.forEach(e -> unique.add(e.toString()));
        String name = pod.getMetadata() == null ? "" : Empty.str(pod.getMetadata().getName());
        String list = unique.size() == 1 ? unique.iterator().next() : unique.stream().collect(Collectors.joining(", ", "[", "]"));
        throw new ManifestException("Pod " + GoText.quote(name) + " is invalid: " + list, errs);
    }

    /** {@code ValidatePodSpec}, in Kubernetes' order. */
    private static void spec(PodSpec spec, List<FieldError> errs) {
        Long grace = spec.getTerminationGracePeriodSeconds();
        if (grace == null) {
            errs.add(FieldError.required(SPEC.child("terminationGracePeriodSeconds").value(), ""));
        } else if (grace < 0) {
            // Kubernetes accepts this with a warning and treats it as 1s (pkg/api/pod/warnings.go); Peapod refuses it.
            errs.add(FieldError.invalid(SPEC.child("terminationGracePeriodSeconds").value(), grace, Formats.NEGATIVE));
        }
        Map<String, Volume> volumes = VolumeValidator.volumes(Empty.list(spec.getVolumes()), SPEC.child("volumes"), errs);
        Set<String> claims = new HashSet<>();
        for (PodResourceClaim c : Empty.list(spec.getResourceClaims())) {
            claims.add(Empty.str(c.getName()));
        }
        ContainerValidator.PodContext ctx = new ContainerValidator.PodContext(volumes, claims, grace, spec.getRestartPolicy());
        ContainerValidator.containers(Empty.list(spec.getContainers()), ctx, SPEC.child("containers"), errs);
        ContainerValidator.initContainers(Empty.list(spec.getInitContainers()), Empty.list(spec.getContainers()), ctx,
                SPEC.child("initContainers"), errs);
        PodNetworkValidator.hostNetworkPorts(spec, SPEC, errs);
        restartPolicy(spec.getRestartPolicy(), errs);
        PodNetworkValidator.dnsPolicy(spec.getDnsPolicy(), SPEC.child("dnsPolicy"), errs);
        MetaValidator.labels(spec.getNodeSelector(), SPEC.child("nodeSelector"), errs);
        PodNetworkValidator.dnsConfig(spec.getDnsConfig(), spec.getDnsPolicy(), SPEC.child("dnsConfig"), errs);
        readinessGates(Empty.list(spec.getReadinessGates()), errs);
        hostUsers(spec, errs);
        SecurityContextValidator.validate(spec, SPEC, errs);
        names(spec, errs);
        identity(spec, errs);
    }

    private static void restartPolicy(String policy, List<FieldError> errs) {
        String v = Empty.str(policy);
        if (v.isEmpty()) {
            errs.add(FieldError.required(SPEC.child("restartPolicy").value(), ""));
        } else if (!RESTART_POLICIES.contains(v)) {
            errs.add(FieldError.notSupported(SPEC.child("restartPolicy").value(), v, RESTART_POLICIES));
        }
    }

    private static void readinessGates(List<PodReadinessGate> gates, List<FieldError> errs) {
        for (int i = 0; i < gates.size(); i++) {
            String type = Empty.str(gates.get(i).getConditionType());
            FieldPath p = SPEC.child("readinessGates").index(i).child("conditionType");
            Formats.qualifiedName(type).forEach(m -> errs.add(FieldError.invalid(p.value(), type, m)));
        }
    }

    /** {@code validateHostUsers}: a user namespace excludes the host's network, PID and IPC namespaces. */
    private static void hostUsers(PodSpec spec, List<FieldError> errs) {
        if (spec.getHostUsers() == null || spec.getHostUsers()) {
            unmaskedProc(spec, errs);
            return;
        }
        String detail = "when `pod.Spec.HostUsers` is false";
        if (Empty.bool(spec.getHostNetwork())) {
            errs.add(FieldError.forbidden(SPEC.child("hostNetwork").value(), detail));
        }
        // Kubernetes spells these two paths with capitals; kept for identical messages.
        if (Empty.bool(spec.getHostPID())) {
            errs.add(FieldError.forbidden(SPEC.child("HostPID").value(), detail));
        }
        if (Empty.bool(spec.getHostIPC())) {
            errs.add(FieldError.forbidden(SPEC.child("HostIPC").value(), detail));
        }
    }

    /**
     * {@code procMount: Unmasked} only in a user namespace (KEP-4265, Kubernetes 1.31+): an
     * unmasked /proc of the host's user namespace would expose the host's kernel knobs.
     */
    private static void unmaskedProc(PodSpec spec, List<FieldError> errs) {
        visitProcMount(Empty.list(spec.getInitContainers()), SPEC.child("initContainers"), errs);
        visitProcMount(Empty.list(spec.getContainers()), SPEC.child("containers"), errs);
    }

    private static void visitProcMount(List<io.fabric8.kubernetes.api.model.Container> cs, FieldPath path,
                                       List<FieldError> errs) {
        for (int i = 0; i < cs.size(); i++) {
            var sc = cs.get(i).getSecurityContext();
            if (sc != null && "Unmasked".equals(sc.getProcMount())) {
                errs.add(FieldError.invalid(path.index(i).child("securityContext").child("procMount").value(),
                        "Unmasked", "`hostUsers` must be false to use `Unmasked`"));
            }
        }
    }

    /** serviceAccountName and nodeName are object names; activeDeadlineSeconds a positive int32. */
    private static void names(PodSpec spec, List<FieldError> errs) {
        subdomain(spec.getServiceAccountName(), SPEC.child("serviceAccountName"), errs);
        subdomain(spec.getNodeName(), SPEC.child("nodeName"), errs);
        Long deadline = spec.getActiveDeadlineSeconds();
        if (deadline != null && (deadline < 1 || deadline > Integer.MAX_VALUE)) {
            errs.add(FieldError.invalid(SPEC.child("activeDeadlineSeconds").value(), deadline,
                    Formats.inclusiveRange(1, Integer.MAX_VALUE)));
        }
    }

    /** hostname, subdomain, hostAliases, priorityClassName, runtimeClassName, preemptionPolicy, os. */
    private static void identity(PodSpec spec, List<FieldError> errs) {
        label(spec.getHostname(), SPEC.child("hostname"), errs);
        label(spec.getSubdomain(), SPEC.child("subdomain"), errs);
        PodNetworkValidator.hostAliases(Empty.list(spec.getHostAliases()), SPEC.child("hostAliases"), errs);
        subdomain(spec.getPriorityClassName(), SPEC.child("priorityClassName"), errs);
        if (spec.getRuntimeClassName() != null) {
            String rc = spec.getRuntimeClassName();
            Formats.subdomainName(rc, false).forEach(m -> errs.add(FieldError.invalid(SPEC.child("runtimeClassName").value(), rc, m)));
        }
        if (spec.getPreemptionPolicy() != null) {
            String pp = spec.getPreemptionPolicy();
            if (pp.isEmpty()) {
                errs.add(FieldError.required(SPEC.child("preemptionPolicy").value(), ""));
            } else if (!pp.equals("PreemptLowerPriority") && !pp.equals("Never")) {
                errs.add(FieldError.notSupported(SPEC.child("preemptionPolicy").value(), pp, List.of("PreemptLowerPriority", "Never")));
            }
        }
        if (spec.getOs() != null) {
            String os = Empty.str(spec.getOs().getName());
            FieldPath p = SPEC.child("os", "name");
            if (os.isEmpty()) {
                errs.add(FieldError.required(p.value(), ""));
            } else if (!os.equals("linux") && !os.equals("windows")) {
                errs.add(FieldError.notSupported(p.value(), os, List.of("linux", "windows")));
            }
        }
    }

    private static void label(String value, FieldPath p, List<FieldError> errs) {
        if (!Empty.isEmpty(value)) {
            Formats.dns1123Label(value).forEach(m -> errs.add(FieldError.invalid(p.value(), value, m)));
        }
    }

    private static void subdomain(String value, FieldPath p, List<FieldError> errs) {
        if (!Empty.isEmpty(value)) {
            Formats.subdomainName(value, false).forEach(m -> errs.add(FieldError.invalid(p.value(), value, m)));
        }
    }

    /** A projected service account token needs a service account to mint it for. */
    private static void serviceAccountTokensForbidden(List<Volume> volumes, List<FieldError> errs) {
        for (int vi = 0; vi < volumes.size(); vi++) {
            if (volumes.get(vi).getProjected() == null) {
                continue;
            }
            List<VolumeProjection> sources = Empty.list(volumes.get(vi).getProjected().getSources());
            for (int si = 0; si < sources.size(); si++) {
                if (sources.get(si).getServiceAccountToken() != null) {
                    errs.add(FieldError.forbidden(SPEC.child("volumes").index(vi).child("projected", "sources")
                            .index(si).child("serviceAccountToken").value(), "must not be specified when serviceAccountName is not set"));
                }
            }
        }
    }
}
