package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Quantity;

import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OpenAPI schemas of the kinds Peapod serves, derived by reflection from fabric8's
 * kubernetes-model classes: Jackson's view of each class (its JSON property names and their Java
 * types) becomes an object schema, named as kube-openapi names the Go type
 * ({@code io.k8s.api.core.v1.PodSpec}, {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta}).
 *
 * <p>What reflection cannot know is added from {@link OpenApiExtensions}: the strategic-merge-patch
 * and list-type extensions that kubectl's client-side apply and edit read
 * ({@code x-kubernetes-patch-merge-key}, {@code x-kubernetes-patch-strategy},
 * {@code x-kubernetes-list-type}, {@code x-kubernetes-list-map-keys}; see
 * kubernetes/api/openapi-spec/README.md), and a few {@code required} lists. Descriptions come from
 * the javadoc of fabric8's sources ({@link Descriptions}); the compiled classes carry none.
 *
 * <p>The two dialects differ as kube-openapi's do: v2 refers to {@code #/definitions/} with a bare
 * {@code $ref}; v3 to {@code #/components/schemas/}, wrapping a property's {@code $ref} in
 * {@code allOf} (OpenAPI 3.0 ignores siblings of {@code $ref}); {@code IntOrString} and
 * {@code Quantity} are {@code oneOf} in v3 ({@code OpenAPIV3OneOfTypes} in apimachinery) and plain
 * strings with a format in v2.
 *
 * <p>Pure: the same classes give the same document, properties sorted by name.
 */
final class OpenApiSchemas {

    enum Dialect {
        V2("#/definitions/"), V3("#/components/schemas/");

        final String refPrefix;

        Dialect(String refPrefix) { this.refPrefix = refPrefix; }
    }

    /** Where the descriptions of types and fields come from ({@link JavadocDescriptions} at build time). */
    interface Descriptions {
        /** The description of {@code c}'s property (its JSON name), or of {@code c} itself when null; null when none. */
        String describe(Class<?> c, String property);

        Descriptions NONE = (c, property) -> null;
    }

    /** A kind's group/version/kind, as the {@code x-kubernetes-group-version-kind} extension lists it. */
    record Gvk(String group, String version, String kind) {}

    /** The top-level kinds of core/v1: those Peapod serves, their lists, and what its API answers or accepts. */
    static final Map<Class<?>, Gvk> CORE_KINDS = coreKinds();

    /** coordination.k8s.io/v1: the node's Lease. */
    static final Map<Class<?>, Gvk> COORDINATION_KINDS = Map.of(
            io.fabric8.kubernetes.api.model.coordination.v1.Lease.class, new Gvk("coordination.k8s.io", "v1", "Lease"),
            io.fabric8.kubernetes.api.model.coordination.v1.LeaseList.class, new Gvk("coordination.k8s.io", "v1", "LeaseList"));

    private static Map<Class<?>, Gvk> coreKinds() {
        var m = new java.util.LinkedHashMap<Class<?>, Gvk>();
        for (Class<?> c : List.of(
                io.fabric8.kubernetes.api.model.Pod.class, io.fabric8.kubernetes.api.model.PodList.class,
                io.fabric8.kubernetes.api.model.Namespace.class, io.fabric8.kubernetes.api.model.NamespaceList.class,
                io.fabric8.kubernetes.api.model.Node.class, io.fabric8.kubernetes.api.model.NodeList.class,
                io.fabric8.kubernetes.api.model.ConfigMap.class, io.fabric8.kubernetes.api.model.ConfigMapList.class,
                io.fabric8.kubernetes.api.model.Secret.class, io.fabric8.kubernetes.api.model.SecretList.class,
                io.fabric8.kubernetes.api.model.Event.class, io.fabric8.kubernetes.api.model.EventList.class,
                io.fabric8.kubernetes.api.model.ServiceAccount.class, io.fabric8.kubernetes.api.model.ServiceAccountList.class,
                io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class, io.fabric8.kubernetes.api.model.PersistentVolumeClaimList.class,
                io.fabric8.kubernetes.api.model.Status.class, io.fabric8.kubernetes.api.model.DeleteOptions.class,
                io.fabric8.kubernetes.api.model.Table.class, io.fabric8.kubernetes.api.model.WatchEvent.class)) {
            m.put(c, new Gvk("", "v1", c.getSimpleName()));
        }
        m.put(io.fabric8.kubernetes.api.model.policy.v1.Eviction.class, new Gvk("policy", "v1", "Eviction"));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** fabric8 keeps meta/v1 types in its core package; kube-openapi names them after apimachinery's. */
    private static final Set<String> META_V1 = Set.of(
            "ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry", "FieldsV1", "Status", "StatusDetails",
            "StatusCause", "DeleteOptions", "Preconditions", "LabelSelector", "LabelSelectorRequirement", "MicroTime",
            "Table", "TableColumnDefinition", "TableRow", "TableRowCondition", "WatchEvent", "Condition",
            "ListOptions", "GetOptions", "PatchOptions", "CreateOptions", "UpdateOptions");

    private static final String FABRIC8 = "io.fabric8.kubernetes.api.model.";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    static final String RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    /** The body of a PATCH (any of the patch content types), as kube-openapi names it. */
    static final String PATCH = META + "Patch";

    private final Dialect dialect;
    private final Descriptions descriptions;
    private final ObjectMapper mapper = new ObjectMapper();
    private final TreeMap<String, ObjectNode> schemas = new TreeMap<>();

    private OpenApiSchemas(Dialect dialect, Descriptions descriptions) {
        this.dialect = dialect;
        this.descriptions = descriptions;
    }

    /** Every schema reachable from {@code kinds} (e.g. {@link #CORE_KINDS}), by name, sorted. */
    static TreeMap<String, ObjectNode> generate(Dialect dialect, Descriptions descriptions, Map<Class<?>, Gvk> kinds) {
        var g = new OpenApiSchemas(dialect, descriptions);
        kinds.forEach((c, gvk) -> { // any order: the schemas are sorted by name, their properties too
            ObjectNode s = g.schemas.get(g.define(c));
            s.putArray("x-kubernetes-group-version-kind").addObject()
                    .put("group", gvk.group()).put("kind", gvk.kind()).put("version", gvk.version());
        });
        g.schemas.put(PATCH, Json.object().put("type", "object"));
        return g.schemas;
    }

    /** The schema name kube-openapi gives the Go type a fabric8 class stands for. */
    static String name(Class<?> c) {
        if (c == IntOrString.class) return INT_OR_STRING;
        if (c == Quantity.class) return QUANTITY;
        String n = c.getName();
        if (n.startsWith(FABRIC8 + "policy.v1.")) return "io.k8s.api.policy.v1." + c.getSimpleName();
        if (n.startsWith(FABRIC8 + "coordination.v1.")) return "io.k8s.api.coordination.v1." + c.getSimpleName();
        if (n.startsWith(FABRIC8 + "runtime.")) return "io.k8s.apimachinery.pkg.runtime." + c.getSimpleName();
        if (n.equals(FABRIC8 + c.getSimpleName())) {
            return (META_V1.contains(c.getSimpleName()) ? META : "io.k8s.api.core.v1.") + c.getSimpleName();
        }
        throw new IllegalArgumentException("no Kubernetes name for " + n);
    }

    /** Defines the schema of {@code c} (and what it refers to) if not yet defined; returns its name. */
    private String define(Class<?> c) {
        String name = name(c);
        if (schemas.containsKey(name)) return name;
        ObjectNode s = Json.object();
        schemas.put(name, s); // before the properties: types refer to themselves (JSONSchemaProps-like recursion)
        if (c == IntOrString.class) {
            if (dialect == Dialect.V3) {
                s.put("format", "int-or-string");
                s.putArray("oneOf").add(Json.object().put("type", "integer")).add(Json.object().put("type", "string"));
            } else {
                s.put("type", "string").put("format", "int-or-string");
            }
            return name;
        }
        if (c == Quantity.class) {
            if (dialect == Dialect.V3) {
                s.putArray("oneOf").add(Json.object().put("type", "string")).add(Json.object().put("type", "number"));
            } else {
                s.put("type", "string");
            }
            return name;
        }
        if (c == MicroTime.class) {
            s.put("type", "string").put("format", "date-time");
            return name;
        }
        String description = descriptions.describe(c, null);
        if (description != null) s.put("description", description);
        s.put("type", "object");
        if (OpenApiExtensions.atomicStruct(name)) s.put("x-kubernetes-map-type", "atomic");
        var bean = mapper.getSerializationConfig().introspect(mapper.constructType(c));
        var props = new TreeMap<String, ObjectNode>();
        for (var p : bean.findProperties()) {
            if (!p.couldSerialize()) continue;
            ObjectNode ps = property(p.getPrimaryType());
            String about = descriptions.describe(c, p.getName());
            if (about != null) ps.put("description", about);
            OpenApiExtensions.field(name, p.getName()).ifPresent(e -> e.addTo(ps));
            OpenApiExtensions.defaultOf(name, p.getName()).ifPresent(d -> ps.put("default", d));
            props.put(p.getName(), ps);
        }
        if (!props.isEmpty()) s.putObject("properties").setAll(props);
        List<String> required = OpenApiExtensions.required(name);
        if (!required.isEmpty()) {
            var r = s.putArray("required");
            required.forEach(r::add);
        }
        return name;
    }

    /** A property's (or an item's, or a map value's) schema: inline for scalars, a reference for classes. */
    private ObjectNode property(JavaType t) {
        Class<?> c = t.getRawClass();
        if (c == String.class || c == Character.class || c == char.class) return type("string", null);
        if (c == Integer.class || c == int.class || c == Short.class || c == short.class) return type("integer", "int32");
        if (c == Long.class || c == long.class) return type("integer", "int64");
        if (c == Boolean.class || c == boolean.class) return type("boolean", null);
        if (c == Double.class || c == double.class || c == Float.class || c == float.class) return type("number", "double");
        if (java.time.temporal.Temporal.class.isAssignableFrom(c)) return type("string", "date-time"); // Lease's MicroTimes
        if (Collection.class.isAssignableFrom(c)) {
            ObjectNode a = type("array", null);
            a.set("items", property(t.getContentType()));
            return a;
        }
        if (Map.class.isAssignableFrom(c)) {
            ObjectNode o = type("object", null);
            o.set("additionalProperties", property(t.getContentType()));
            return o;
        }
        if (c == Object.class || c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
            // Any object (RawExtension-like fields such as WatchEvent.object, Table rows' cells).
            ObjectNode o = type("object", null);
            if (dialect == Dialect.V3) o.put("x-kubernetes-preserve-unknown-fields", true);
            return o;
        }
        String ref = dialect.refPrefix + define(c);
        ObjectNode r = Json.object();
        if (dialect == Dialect.V3) {
            r.putArray("allOf").addObject().put("$ref", ref);
        } else {
            r.put("$ref", ref);
        }
        return r;
    }

    private static ObjectNode type(String type, String format) {
        ObjectNode n = Json.object().put("type", type);
        if (format != null) n.put("format", format);
        return n;
    }
}
