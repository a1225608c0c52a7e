package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What fabric8's classes do not carry and kubectl needs from the OpenAPI schemas: the Go struct tags
 * {@code patchStrategy}/{@code patchMergeKey} and the {@code +listType}/{@code +listMapKey} markers
 * of k8s.io/api (core/v1 and meta/v1 types.go), which kube-openapi publishes as
 * {@code x-kubernetes-patch-strategy}, {@code x-kubernetes-patch-merge-key},
 * {@code x-kubernetes-list-type} and {@code x-kubernetes-list-map-keys}. kubectl's client-side
 * {@code apply} and {@code edit} compute strategic merge patches from them (a list without a merge
 * key is replaced whole), so a missing entry here turns "merge the container named app" into
 * "replace all containers". The lists Peapod's kinds reach are listed; the others are atomic, as
 * they are in Kubernetes.
 * <p>Server-side apply reads the same extensions from the generated document ({@link ApplySchema}), as
 * kube-apiserver's field manager reads its OpenAPI: this table is the one place where Peapod says how
 * lists and maps merge, so it follows the markers of types.go, not kubectl's needs alone.
 */
final class OpenApiExtensions {

    /**
     * The extensions of one field; null members are left out.
     *
     * @param mapType {@code x-kubernetes-map-type} of a map field ({@code +mapType=atomic}: owned and replaced whole by
     *                server-side apply)
     */
    record Field(String patchStrategy, String mergeKey, String listType, List<String> listMapKeys, String mapType) {
        Field(String patchStrategy, String mergeKey, String listType, List<String> listMapKeys) {
            this(patchStrategy, mergeKey, listType, listMapKeys, null);
        }

        void addTo(ObjectNode schema) {
            if (mapType != null) schema.put("x-kubernetes-map-type", mapType);
            if (listMapKeys != null) {
                var a = schema.putArray("x-kubernetes-list-map-keys");
                listMapKeys.forEach(a::add);
            }
            if (listType != null) schema.put("x-kubernetes-list-type", listType);
            if (mergeKey != null) schema.put("x-kubernetes-patch-merge-key", mergeKey);
            if (patchStrategy != null) schema.put("x-kubernetes-patch-strategy", patchStrategy);
        }
    }

    private static final String CORE = "io.k8s.api.core.v1.";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    /** A list merged by key, which is also a list-map on that key. */
    private static Field byKey(String key) { return new Field("merge", key, "map", List.of(key)); }

    private static final Field ATOMIC = new Field(null, null, "atomic", null);

    private static final Map<String, Map<String, Field>> FIELDS = Map.ofEntries(
            Map.entry(CORE + "PodSpec", Map.ofEntries(
                    Map.entry("containers", byKey("name")),
                    Map.entry("initContainers", byKey("name")),
                    Map.entry("ephemeralContainers", byKey("name")),
                    Map.entry("volumes", new Field("merge,retainKeys", "name", "map", List.of("name"))),
                    Map.entry("imagePullSecrets", byKey("name")),
                    Map.entry("hostAliases", byKey("ip")),
                    Map.entry("topologySpreadConstraints",
                            new Field("merge", "topologyKey", "map", List.of("topologyKey", "whenUnsatisfiable"))),
                    Map.entry("schedulingGates", byKey("name")),
                    Map.entry("resourceClaims", new Field("merge,retainKeys", "name", "map", List.of("name"))),
                    Map.entry("tolerations", ATOMIC),
                    Map.entry("readinessGates", ATOMIC),
                    Map.entry("nodeSelector", new Field(null, null, null, null, "atomic")))),
            Map.entry(CORE + "Container", containerFields()),
            Map.entry(CORE + "EphemeralContainer", containerFields()),
            Map.entry(CORE + "PodStatus", Map.ofEntries(
                    Map.entry("conditions", byKey("type")),
                    Map.entry("podIPs", byKey("ip")),
                    Map.entry("hostIPs", new Field("merge", "ip", "atomic", null)),
                    Map.entry("resourceClaimStatuses", new Field("merge,retainKeys", "name", "map", List.of("name"))),
                    Map.entry("containerStatuses", ATOMIC),
                    Map.entry("initContainerStatuses", ATOMIC),
                    Map.entry("ephemeralContainerStatuses", ATOMIC))),
            Map.entry(CORE + "ResourceRequirements", Map.of("claims", new Field(null, null, "map", List.of("name")))),
            Map.entry(CORE + "NodeSpec", Map.of(
                    "podCIDRs", new Field("merge", null, "set", null),
                    "taints", ATOMIC)),
            Map.entry(CORE + "NodeStatus", Map.of(
                    "conditions", byKey("type"),
                    "addresses", byKey("type"),
                    "images", ATOMIC,
                    "volumesInUse", ATOMIC,
                    "volumesAttached", ATOMIC)),
            Map.entry(CORE + "NamespaceStatus", Map.of("conditions", byKey("type"))),
            Map.entry(CORE + "ServiceAccount", Map.of(
                    "secrets", byKey("name"),
                    "imagePullSecrets", ATOMIC)),
            Map.entry(META + "ObjectMeta", Map.of(
                    "finalizers", new Field("merge", null, "set", null),
                    "ownerReferences", byKey("uid"),
                    "managedFields", ATOMIC)),
            Map.entry(META + "StatusDetails", Map.of("causes", ATOMIC)));

    private static Map<String, Field> containerFields() {
        return Map.ofEntries(
                Map.entry("ports", new Field("merge", "containerPort", "map", List.of("containerPort", "protocol"))),
                // +listType=map with +listMapKey in types.go (server-side apply merges them by key, and
                // would also without the list type, from the patch strategy: schemaconv's VisitArray).
                Map.entry("env", byKey("name")),
                Map.entry("volumeMounts", byKey("mountPath")),
                Map.entry("volumeDevices", byKey("devicePath")),
                Map.entry("resizePolicy", ATOMIC),
                Map.entry("envFrom", ATOMIC),
                Map.entry("command", ATOMIC),
                Map.entry("args", ATOMIC));
    }

    /** Fields kube-openapi marks required (no {@code omitempty} and no {@code +optional}), for the kinds' common parts. */
    private static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            Map.entry(CORE + "PodSpec", List.of("containers")),
            Map.entry(CORE + "Container", List.of("name")),
            Map.entry(CORE + "EphemeralContainer", List.of("name")),
            Map.entry(CORE + "ContainerPort", List.of("containerPort")),
            Map.entry(CORE + "EnvVar", List.of("name")),
            Map.entry(CORE + "Volume", List.of("name")),
            Map.entry(CORE + "VolumeMount", List.of("mountPath", "name")),
            Map.entry(CORE + "KeyToPath", List.of("key", "path")),
            Map.entry(CORE + "ConfigMapKeySelector", List.of("key")),
            Map.entry(CORE + "SecretKeySelector", List.of("key")),
            Map.entry(CORE + "ObjectFieldSelector", List.of("fieldPath")),
            Map.entry(CORE + "HTTPGetAction", List.of("port")),
            Map.entry(CORE + "TCPSocketAction", List.of("port")),
            Map.entry(CORE + "ExecAction", List.of()),
            Map.entry(META + "OwnerReference", List.of("apiVersion", "kind", "name", "uid")),
            Map.entry(META + "LabelSelectorRequirement", List.of("key", "operator")));

    /**
     * Types marked {@code +structType=atomic} in types.go, which kube-openapi publishes as
     * {@code x-kubernetes-map-type: atomic} on the type: server-side apply owns and replaces such a value
     * whole (a reference is one value, not a name field and a kind field owned by different managers).
     */
    private static final java.util.Set<String> ATOMIC_STRUCTS = java.util.Set.of(
            CORE + "ConfigMapKeySelector", CORE + "SecretKeySelector", CORE + "ObjectFieldSelector", CORE + "ResourceFieldSelector",
            CORE + "LocalObjectReference", CORE + "ObjectReference", CORE + "TypedLocalObjectReference", CORE + "SecretReference",
            CORE + "NodeSelector", CORE + "NodeSelectorTerm", CORE + "TopologySelectorTerm",
            META + "OwnerReference", META + "LabelSelector");

    /**
     * Field defaults ({@code +default=} in types.go, the {@code default} of the schema): server-side apply
     * uses them for a list-map key an item leaves out (a container port without protocol is keyed as TCP).
     */
    private static final Map<String, Map<String, String>> DEFAULTS = Map.of(CORE + "ContainerPort", Map.of("protocol", "TCP"));

    private OpenApiExtensions() {}

    static boolean atomicStruct(String schema) { return ATOMIC_STRUCTS.contains(schema); }

    static Optional<String> defaultOf(String schema, String property) {
        return Optional.ofNullable(DEFAULTS.getOrDefault(schema, Map.of()).get(property));
    }

    static Optional<Field> field(String schema, String property) {
        return Optional.ofNullable(FIELDS.getOrDefault(schema, Map.of()).get(property));
    }

    static List<String> required(String schema) { return REQUIRED.getOrDefault(schema, List.of()); }
}
