package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The warnings kube-apiserver returns (HTTP {@code Warning} headers, printed by kubectl as
 * {@code Warning: ...}) when a Pod is created: {@code pkg/api/pod/warnings.go GetWarningsForPod}, same
 * order and texts. A warning never rejects the pod.
 *
 * <p>The one Peapod cares most about: two containers of a pod (init containers included) declaring the same
 * {@code containerPort}/{@code protocol} share one network namespace, so one of them will fail to bind —
 * {@code spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]}.
 *
 * <p>Not ported: warnings for the PersistentVolumeClaim template of ephemeral volumes, the AppArmor
 * annotation warning (emitted for pod templates only), and podCertificate projections in the overlapping-path
 * check. Where Go iterates a map or set, the order here is the manifest's order. Stateless and thread-safe.
 */
public final class PodWarnings {
    private static final Map<String, String> DEPRECATED_NODE_LABELS = Map.of(
            "beta.kubernetes.io/arch", "deprecated since v1.14; use \"kubernetes.io/arch\" instead",
            "beta.kubernetes.io/os", "deprecated since v1.14; use \"kubernetes.io/os\" instead",
            "failure-domain.beta.kubernetes.io/region", "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead",
            "failure-domain.beta.kubernetes.io/zone", "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
            "beta.kubernetes.io/instance-type", "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead",
            "app.kubernetes.io/created-by", "deprecated since v1.9",
            "scheduler.alpha.kubernetes.io/preferAvoidPods", "deprecated since v1.22; use Taints and Tolerations instead",
            "node-role.kubernetes.io/master", "use \"node-role.kubernetes.io/control-plane\" instead");
    private static final List<Map.Entry<String, String>> DEPRECATED_ANNOTATIONS = List.of(
            Map.entry("scheduler.alpha.kubernetes.io/critical-pod", "non-functional in v1.16+; use the \"priorityClassName\" field instead"),
            Map.entry("security.alpha.kubernetes.io/sysctls", "non-functional in v1.11+; use the \"sysctls\" field instead"),
            Map.entry("security.alpha.kubernetes.io/unsafe-sysctls", "non-functional in v1.11+; use the \"sysctls\" field instead"));
    private static final String SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
    private static final String SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
    private static final String SECCOMP_MSG = "non-functional in v1.27+; use the \"seccompProfile\" field instead";
    private static final String NULL_SELECTOR = "a null labelSelector results in matching no pod";
    private static final FieldPath ANNOTATIONS = FieldPath.METADATA.child("annotations");

    private PodWarnings() { }

    /** A container as {@code pods.VisitContainersWithPath} sees it: init, regular, then ephemeral containers. */
    private record Visited(FieldPath path, String name, List<ContainerPort> ports, List<EnvVar> env,
                           ResourceRequirements resources, SecurityContext securityContext) { }

    /** The warnings for {@code pod}, in kube-apiserver's order; empty if none. Call it on the defaulted pod. */
    public static List<String> warnings(Pod pod) {
        List<String> w = new ArrayList<>();
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return w;
        }
        Map<String, String> annotations = pod.getMetadata() == null ? Map.of() : Empty.map(pod.getMetadata().getAnnotations());
        nodeLabels(spec, w);
        annotations(annotations, w);
        VolumeWarnings.deprecatedPlugins(Empty.list(spec.getVolumes()), w);
        VolumeWarnings.overlappingPaths(Empty.list(spec.getVolumes()), w);
        duplicates(spec.getHostAliases(), HostAlias::getIp, FieldPath.SPEC.child("hostAliases"), "ip", w);
        duplicates(spec.getImagePullSecrets(), LocalObjectReference::getName, FieldPath.SPEC.child("imagePullSecrets"), "name", w);
        List<LocalObjectReference> secrets = Empty.list(spec.getImagePullSecrets());
        for (int i = 0; i < secrets.size(); i++) {
            if (Empty.isEmpty(secrets.get(i).getName())) {
                w.add(FieldPath.SPEC.child("imagePullSecrets").index(i).child("name") + ": invalid empty name \"\"");
            }
        }
        fractional(Empty.map(spec.getOverhead()), FieldPath.SPEC.child("overhead"), w);
        if ((spec.getSecurityContext() == null || spec.getSecurityContext().getSeccompProfile() == null)
                && annotations.containsKey(SECCOMP_POD_ANNOTATION)) {
            w.add(ANNOTATIONS.key(SECCOMP_POD_ANNOTATION) + ": " + SECCOMP_MSG);
        }
        List<Visited> containers = containers(spec);
        for (Visited c : containers) {
            perContainer(c, annotations, w);
        }
        ports(containers, w);
        if (spec.getTerminationGracePeriodSeconds() != null && spec.getTerminationGracePeriodSeconds() < 0) {
            w.add(FieldPath.SPEC.child("terminationGracePeriodSeconds")
                    + ": must be >= 0; negative values are invalid and will be treated as 1");
        }
        podAffinity(spec, w);
        return w;
    }

    private static List<Visited> containers(PodSpec spec) {
        List<Visited> out = new ArrayList<>();
        List<Container> init = Empty.list(spec.getInitContainers());
        for (int i = 0; i < init.size(); i++) {
            out.add(visited(FieldPath.SPEC.child("initContainers").index(i), init.get(i)));
        }
        List<Container> regular = Empty.list(spec.getContainers());
        for (int i = 0; i < regular.size(); i++) {
            out.add(visited(FieldPath.SPEC.child("containers").index(i), regular.get(i)));
        }
        List<EphemeralContainer> ephemeral = Empty.list(spec.getEphemeralContainers());
        for (int i = 0; i < ephemeral.size(); i++) {
            EphemeralContainer e = ephemeral.get(i);
            out.add(new Visited(FieldPath.SPEC.child("ephemeralContainers").index(i), e.getName(), Empty.list(e.getPorts()),
                    Empty.list(e.getEnv()), e.getResources(), e.getSecurityContext()));
        }
        return out;
    }

    private static Visited visited(FieldPath p, Container c) {
        return new Visited(p, c.getName(), Empty.list(c.getPorts()), Empty.list(c.getEnv()), c.getResources(), c.getSecurityContext());
    }

    /** Deprecated node labels in nodeSelector, node affinity and topology spread constraints. */
    private static void nodeLabels(PodSpec spec, List<String> w) {
        Empty.map(spec.getNodeSelector()).keySet().forEach(k -> {
            if (DEPRECATED_NODE_LABELS.containsKey(k)) {
                w.add(FieldPath.SPEC.child("nodeSelector").key(k) + ": " + DEPRECATED_NODE_LABELS.get(k));
            }
        });
        var nodeAffinity = spec.getAffinity() == null ? null : spec.getAffinity().getNodeAffinity();
        if (nodeAffinity != null) {
            FieldPath base = FieldPath.SPEC.child("affinity", "nodeAffinity");
            if (nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
                List<NodeSelectorTerm> terms = Empty.list(nodeAffinity.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms());
                for (int i = 0; i < terms.size(); i++) {
                    nodeSelectorTerm(terms.get(i), base.child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").index(i), w);
                }
            }
            var preferred = Empty.list(nodeAffinity.getPreferredDuringSchedulingIgnoredDuringExecution());
            for (int i = 0; i < preferred.size(); i++) {
                FieldPath p = base.child("preferredDuringSchedulingIgnoredDuringExecution").index(i).child("preference");
                if (preferred.get(i).getPreference() != null) nodeSelectorTerm(preferred.get(i).getPreference(), p, w);
            }
        }
        List<TopologySpreadConstraint> spread = Empty.list(spec.getTopologySpreadConstraints());
        for (int i = 0; i < spread.size(); i++) {
            FieldPath p = FieldPath.SPEC.child("topologySpreadConstraints").index(i);
            String key = Empty.str(spread.get(i).getTopologyKey());
            if (DEPRECATED_NODE_LABELS.containsKey(key)) {
                w.add(p.child("topologyKey") + ": " + key + " is " + DEPRECATED_NODE_LABELS.get(key));
            }
            if (spread.get(i).getLabelSelector() == null) w.add(p.child("labelSelector") + ": " + NULL_SELECTOR);
        }
    }

    /** {@code nodeapi.GetWarningsForNodeSelectorTerm}. */
    private static void nodeSelectorTerm(NodeSelectorTerm term, FieldPath p, List<String> w) {
        List<NodeSelectorRequirement> exprs = Empty.list(term.getMatchExpressions());
        for (int i = 0; i < exprs.size(); i++) {
            String key = Empty.str(exprs.get(i).getKey());
            if (DEPRECATED_NODE_LABELS.containsKey(key)) {
                w.add(p.child("matchExpressions").index(i).child("key") + ": " + key + " is " + DEPRECATED_NODE_LABELS.get(key));
            }
        }
    }

    private static void annotations(Map<String, String> annotations, List<String> w) {
        for (var d : DEPRECATED_ANNOTATIONS) {
            if (annotations.containsKey(d.getKey())) w.add(ANNOTATIONS.key(d.getKey()) + ": " + d.getValue());
        }
    }

    /** "duplicate ip"/"duplicate name": every repeat of a value seen earlier in the list (only lists of 2+). */
    private static <T> void duplicates(List<T> items, Function<T, String> value, FieldPath p, String field, List<String> w) {
        if (items == null || items.size() < 2) return;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String v = Empty.str(value.apply(items.get(i)));
            if (!seen.add(v)) w.add(p.index(i).child(field) + ": duplicate " + field + " " + GoText.quote(v));
        }
    }

    /** "fractional byte value": memory and ephemeral-storage whose {@code MilliValue()} is not a whole number of bytes. */
    private static void fractional(Map<String, Quantity> list, FieldPath p, List<String> w) {
        for (String resource : List.of("memory", "ephemeral-storage")) {
            Quantity q = list.get(resource);
            if (q == null) continue;
            try {
                if (Quantities.milliCpu(q) % 1000 != 0) {
                    w.add(p.key(resource) + ": fractional byte value " + GoText.quote(Quantities.canonical(q))
                            + " is invalid, must be an integer");
                }
            } catch (IllegalArgumentException | ArithmeticException invalid) {
                // validation reports unparsable or out-of-range quantities as errors
            }
        }
    }

    private static void perContainer(Visited c, Map<String, String> annotations, List<String> w) {
        String seccompKey = SECCOMP_CONTAINER_PREFIX + c.name();
        if ((c.securityContext() == null || c.securityContext().getSeccompProfile() == null) && annotations.containsKey(seccompKey)) {
            w.add(ANNOTATIONS.key(seccompKey) + ": " + SECCOMP_MSG);
        }
        if (c.resources() != null) {
            // limits then requests, memory before ephemeral-storage, as warnings.go lists them
            var limits = Empty.map(c.resources().getLimits());
            var requests = Empty.map(c.resources().getRequests());
            List<String> res = new ArrayList<>();
            fractional(filter(limits, "memory"), c.path().child("resources", "limits"), res);
            fractional(filter(requests, "memory"), c.path().child("resources", "requests"), res);
            fractional(filter(limits, "ephemeral-storage"), c.path().child("resources", "limits"), res);
            fractional(filter(requests, "ephemeral-storage"), c.path().child("resources", "requests"), res);
            w.addAll(res);
        }
        envDuplicates(c, w);
    }

    private static Map<String, Quantity> filter(Map<String, Quantity> list, String resource) {
        return list.containsKey(resource) ? Map.of(resource, list.get(resource)) : Map.of();
    }

    /**
     * A repeated env name is fine only as {@code X=$(X)...}-style extension; a valueFrom, a bare {@code $(X)} or
     * a value not referring to {@code $(X)} hides the first definition, which apply may drop.
     */
    private static void envDuplicates(Visited c, List<String> w) {
        if (c.env().size() < 2) return;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < c.env().size(); i++) {
            EnvVar e = c.env().get(i);
            String name = Empty.str(e.getName());
            if (seen.add(name)) continue;
            String ref = "$(" + name + ")";
            String value = Empty.str(e.getValue());
            if (e.getValueFrom() != null || value.equals(ref) || !value.contains(ref)) {
                w.add(c.path().child("env").index(i) + ": hides previous definition of " + GoText.quote(name)
                        + ", which may be dropped when using apply");
            }
        }
    }

    private record PortBlock(FieldPath field, ContainerPort port) { }

    /**
     * Ports across all containers: the pod is one network namespace, so the same containerPort/protocol twice
     * means one bind fails. Same hostIP and hostPort: "duplicate"; one side without hostPort: "overlapping";
     * same hostPort with exactly one hostIP set: "dangerously ambiguous".
     */
    private static void ports(List<Visited> containers, List<String> w) {
        Map<String, List<PortBlock>> all = new LinkedHashMap<>();
        for (Visited c : containers) {
            for (int i = 0; i < c.ports().size(); i++) {
                ContainerPort port = c.ports().get(i);
                FieldPath p = c.path().child("ports").index(i);
                long hostPort = Empty.num(port.getHostPort());
                String hostIp = Empty.str(port.getHostIP());
                if (!hostIp.isEmpty() && hostPort == 0) w.add(p + ": hostIP set without hostPort: " + goStruct(port));
                String key = Empty.num(port.getContainerPort()) + "/" + protocol(port);
                for (PortBlock other : all.getOrDefault(key, List.of())) {
                    long otherHostPort = Empty.num(other.port().getHostPort());
                    String otherHostIp = Empty.str(other.port().getHostIP());
                    if (hostIp.equals(otherHostIp) && hostPort == otherHostPort) {
                        w.add(p + ": duplicate port definition with " + other.field());
                    } else if (hostPort == 0 || otherHostPort == 0) {
                        w.add(p + ": overlapping port definition with " + other.field());
                    } else if (hostPort == otherHostPort && hostIp.isEmpty() != otherHostIp.isEmpty()) {
                        w.add(p + ": dangerously ambiguous port definition with " + other.field());
                    }
                }
                all.computeIfAbsent(key, k -> new ArrayList<>()).add(new PortBlock(p, port));
            }
        }
    }

    /** The API default (TCP) for a pod that was not defaulted. */
    private static String protocol(ContainerPort port) {
        return Empty.isEmpty(port.getProtocol()) ? "TCP" : port.getProtocol();
    }

    /** Go's {@code %+v} of {@code core.ContainerPort}. */
    private static String goStruct(ContainerPort p) {
        return "{Name:" + Empty.str(p.getName()) + " HostPort:" + Empty.num(p.getHostPort()) + " ContainerPort:"
                + Empty.num(p.getContainerPort()) + " Protocol:" + protocol(p) + " HostIP:" + Empty.str(p.getHostIP()) + "}";
    }

    private static void podAffinity(PodSpec spec, List<String> w) {
        if (spec.getAffinity() == null) return;
        var affinity = spec.getAffinity().getPodAffinity();
        if (affinity != null) {
            FieldPath base = FieldPath.SPEC.child("affinity", "podAffinity");
            affinityTerms(affinity.getRequiredDuringSchedulingIgnoredDuringExecution(),
                    affinity.getPreferredDuringSchedulingIgnoredDuringExecution(), base, w);
        }
        var anti = spec.getAffinity().getPodAntiAffinity();
        if (anti != null) {
            FieldPath base = FieldPath.SPEC.child("affinity", "podAntiAffinity");
            affinityTerms(anti.getRequiredDuringSchedulingIgnoredDuringExecution(),
                    anti.getPreferredDuringSchedulingIgnoredDuringExecution(), base, w);
        }
    }

    private static void affinityTerms(List<PodAffinityTerm> required, List<WeightedPodAffinityTerm> preferred,
                                      FieldPath base, List<String> w) {
        List<PodAffinityTerm> req = Empty.list(required);
        for (int i = 0; i < req.size(); i++) {
            if (req.get(i).getLabelSelector() == null) {
                w.add(base.child("requiredDuringSchedulingIgnoredDuringExecution").index(i).child("labelSelector") + ": " + NULL_SELECTOR);
            }
        }
        List<WeightedPodAffinityTerm> pref = Empty.list(preferred);
        for (int i = 0; i < pref.size(); i++) {
            PodAffinityTerm t = pref.get(i).getPodAffinityTerm();
            if (t == null || t.getLabelSelector() == null) {
                w.add(base.child("preferredDuringSchedulingIgnoredDuringExecution").index(i).child("podAffinityTerm", "labelSelector")
                        + ": " + NULL_SELECTOR);
            }
        }
    }

    /** Volume warnings: deprecated plugins and paths that overwrite each other inside one volume. */
    private static final class VolumeWarnings {
        private VolumeWarnings() { }

        static void deprecatedPlugins(List<Volume> volumes, List<String> w) {
            for (int i = 0; i < volumes.size(); i++) {
                Volume v = volumes.get(i);
                FieldPath p = FieldPath.SPEC.child("volumes").index(i);
                if (v.getPhotonPersistentDisk() != null) w.add(p.child("photonPersistentDisk") + ": deprecated in v1.11, non-functional in v1.16+");
                if (v.getGitRepo() != null) w.add(p.child("gitRepo") + ": deprecated in v1.11");
                if (v.getScaleIO() != null) w.add(p.child("scaleIO") + ": deprecated in v1.16, non-functional in v1.22+");
                if (v.getFlocker() != null) w.add(p.child("flocker") + ": deprecated in v1.22, non-functional in v1.25+");
                if (v.getStorageos() != null) w.add(p.child("storageOS") + ": deprecated in v1.22, non-functional in v1.25+");
                if (v.getQuobyte() != null) w.add(p.child("quobyte") + ": deprecated in v1.22, non-functional in v1.25+");
                if (v.getGlusterfs() != null) w.add(p.child("glusterfs") + ": deprecated in v1.25, non-functional in v1.26+");
                if (v.getCephfs() != null) w.add(p.child("cephfs") + ": deprecated in v1.28, non-functional in v1.31+");
                if (v.getRbd() != null) w.add(p.child("rbd") + ": deprecated in v1.28, non-functional in v1.31+");
            }
        }

        /** {@code warningsForOverlappingVirtualPaths}: two items mapped to one path, or one under the other. */
        static void overlappingPaths(List<Volume> volumes, List<String> w) {
            for (Volume v : volumes) {
                String name = GoText.quote(Empty.str(v.getName()));
                if (v.getConfigMap() != null) {
                    check(keyPaths(v.getConfigMap().getItems()), "volume " + name + " (ConfigMap "
                            + GoText.quote(Empty.str(v.getConfigMap().getName())) + "): overlapping paths", w);
                }
                if (v.getSecret() != null) {
                    check(keyPaths(v.getSecret().getItems()), "volume " + name + " (Secret "
                            + GoText.quote(Empty.str(v.getSecret().getSecretName())) + "): overlapping paths", w);
                }
                if (v.getDownwardAPI() != null) {
                    check(Empty.list(v.getDownwardAPI().getItems()).stream().map(f -> Empty.str(f.getPath())).toList(),
                            "volume " + name + " (DownwardAPI): overlapping paths", w);
                }
                if (v.getProjected() != null) projected(name, Empty.list(v.getProjected().getSources()), w);
            }
        }

        /** Each source against itself, then its distinct paths with all earlier sources' paths, sorted. */
        private static void projected(String volume, List<VolumeProjection> sources, List<String> w) {
            Set<String> allPaths = new LinkedHashSet<>();
            for (VolumeProjection s : sources) {
                List<String> paths;
                String what;
                if (s.getConfigMap() != null && !Empty.list(s.getConfigMap().getItems()).isEmpty()) {
                    paths = keyPaths(s.getConfigMap().getItems());
                    what = "Projected ConfigMap " + GoText.quote(Empty.str(s.getConfigMap().getName()));
                } else if (s.getSecret() != null && !Empty.list(s.getSecret().getItems()).isEmpty()) {
                    paths = keyPaths(s.getSecret().getItems());
                    what = "Projected Secret " + GoText.quote(Empty.str(s.getSecret().getName()));
                } else if (s.getDownwardAPI() != null && !Empty.list(s.getDownwardAPI().getItems()).isEmpty()) {
                    paths = s.getDownwardAPI().getItems().stream().map(f -> Empty.str(f.getPath())).toList();
                    what = "Projected DownwardAPI";
                } else if (s.getServiceAccountToken() != null) {
                    paths = List.of(Empty.str(s.getServiceAccountToken().getPath()));
                    what = "Projected ServiceAccountToken";
                } else if (s.getClusterTrustBundle() != null) {
                    var b = s.getClusterTrustBundle();
                    paths = List.of(Empty.str(b.getPath()));
                    what = "Projected ClusterTrustBundle " + GoText.quote(Empty.str(b.getName() != null ? b.getName() : b.getSignerName()));
                } else {
                    if (s.getConfigMap() == null && s.getSecret() == null && s.getDownwardAPI() == null && s.getPodCertificate() == null) {
                        w.add("volume " + volume + " (Projected) has no sources provided");
                    }
                    continue;
                }
                String message = "volume " + volume + " (" + what + "): overlapping paths";
                check(paths, message, w);
                Set<String> unique = new LinkedHashSet<>(paths);
                List<String> merged = new ArrayList<>(unique);
                merged.addAll(allPaths);
                merged.sort(null);
                check(merged, message, w);
                allPaths.addAll(unique);
            }
        }

        private static List<String> keyPaths(List<KeyToPath> items) {
            return Empty.list(items).stream().map(k -> Empty.str(k.getPath())).toList();
        }

        /** {@code checkVolumeMappingForOverlap}. */
        private static void check(List<String> paths, String message, List<String> w) {
            Set<String> unique = new LinkedHashSet<>();
            for (String path : paths) {
                String normalized = stripTrailingSlashes(path);
                String collision = collision(unique, normalized);
                if (collision != null) w.add(message + ": " + GoText.quote(normalized) + " with " + GoText.quote(collision));
                unique.add(normalized);
            }
        }

        /** {@code checkForOverlap}: equal paths, or one a prefix of the other plus "/". */
        private static String collision(Set<String> paths, String path) {
            for (String item : paths) {
                if (item.isEmpty() || path.isEmpty()) return null;
                if (item.equals(path) || (item + "/").startsWith(path) || (path + "/").startsWith(item)) return item;
            }
            return null;
        }

        private static String stripTrailingSlashes(String s) {
            int end = s.length();
            while (end > 0 && s.charAt(end - 1) == '/') end--;
            return s.substring(0, end);
        }
    }
}
