package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How server-side apply merges each value of an object, read from the OpenAPI document Peapod serves
 * ({@link OpenApi#v2()}, generated at build time from fabric8's model and {@link OpenApiExtensions}), so
 * that kubectl's strategic merge patches and server-side apply follow one table. kube-apiserver does the
 * same: its field manager converts the OpenAPI models into structured-merge-diff's schema
 * (k8s.io/kube-openapi pkg/schemaconv: VisitKind, VisitArray, VisitMap, makeRef) and walks that schema
 * along the object, by type (sigs.k8s.io/structured-merge-diff typed/tofieldset.go, typed/merge.go).
 * Walking by type matters: the same field name means different things in different types
 * ({@code imagePullSecrets} is a list-map on name in a PodSpec, atomic in a ServiceAccount).
 * <p>Fields the schema does not know are deduced as structured-merge-diff deduces them: objects field by
 * field, lists atomic. The served schema is loaded once ({@link #served()}); the types are immutable.
 */
final class ApplySchema {

    /** The type of a value. Named types are {@link Ref}s, resolved in their schema (types refer to themselves). */
    sealed interface Type permits Struct, MapOf, ListOf, Leaf, Deduced, Ref {}

    /**
     * An object of known fields.
     *
     * @param atomic {@code x-kubernetes-map-type: atomic} ({@code +structType=atomic}): owned and replaced whole
     */
    record Struct(Map<String, Type> fields, boolean atomic) implements Type {}

    /** A map ({@code additionalProperties}); atomic: {@code x-kubernetes-map-type: atomic} ({@code +mapType=atomic}). */
    record MapOf(Type values, boolean atomic) implements Type {}

    /** How a list's items are identified: not at all (replaced whole), by value, or by key fields. */
    enum ListType { ATOMIC, SET, MAP }

    /**
     * A list; {@code keys} are the {@code x-kubernetes-list-map-keys} of a {@link ListType#MAP}, sorted by
     * name as FieldsV1 writes them, with the items' defaults for them.
     */
    record ListOf(Type items, ListType listType, List<KeyField> keys) implements Type {}

    /** A scalar: string, number, boolean, int-or-string, quantity, time. */
    record Leaf() implements Type {}

    /** What the schema does not describe (unknown fields, untyped objects): objects by field, lists atomic. */
    record Deduced() implements Type {}

    /** A named type ({@code $ref}). Equal by name and schema identity; printed by name. */
    record Ref(String name, ApplySchema schema) implements Type {
        @Override
        public String toString() { return "Ref[" + name + "]"; }
    }

    static final Leaf LEAF = new Leaf();
    static final Deduced DEDUCED = new Deduced();

    /** A key field of a list-map, with the default used when an item omits it (null: none). */
    record KeyField(String name, JsonNode absent) {}

    private final Map<String, Type> named;
    /** The schema name of each kind ({@code x-kubernetes-group-version-kind}). */
    private final Map<String, String> kinds;
    private ApplySchema(Map<String, Type> named, Map<String, String> kinds) {
        this.named = named;
        this.kinds = kinds;
    }

    private static final class Served {
        static final ApplySchema SCHEMA = of(OpenApi.v2());
    }

    /** The schema of what Peapod serves, read from its OpenAPI v2 document on first use. */
    static ApplySchema served() { return Served.SCHEMA; }

    /** The schema of a Swagger 2.0 document's {@code definitions}. */
    static ApplySchema of(JsonNode document) {
        var named = new HashMap<String, Type>();
        var kinds = new HashMap<String, String>();
        var schema = new ApplySchema(java.util.Collections.unmodifiableMap(named), java.util.Collections.unmodifiableMap(kinds));
        JsonNode definitions = document.path("definitions");
        for (var d : definitions.properties()) {
            named.put(d.getKey(), schema.convert(d.getValue(), definitions));
            for (JsonNode gvk : d.getValue().path("x-kubernetes-group-version-kind")) {
                // Core first: a kind served in two groups is the core one (none is, today).
                String kind = gvk.path("kind").asText();
                if (gvk.path("group").asText().isEmpty() || !kinds.containsKey(kind)) kinds.put(kind, d.getKey());
            }
        }
        return schema;
    }

    /** The type of a served kind's objects; deduced when the document has no such kind. */
    Type root(ResourceType type) {
        String name = kinds.get(type.kind());
        return name == null ? DEDUCED : new Ref(name, this);
    }

    /** schemaconv's conversion of one OpenAPI schema ({@code definitions}: what its references name). */
    private Type convert(JsonNode s, JsonNode definitions) {
        if (s.has("$ref")) {
            String ref = s.get("$ref").asText();
            return new Ref(ref.substring(ref.lastIndexOf('/') + 1), this);
        }
        boolean atomic = "atomic".equals(s.path("x-kubernetes-map-type").asText());
        switch (s.path("type").asText()) {
            case "array" -> {
                return list(s, convert(s.path("items"), definitions), itemSchema(s.path("items"), definitions));
            }
            case "object" -> {
                if (s.has("properties")) {
                    var fields = new HashMap<String, Type>();
                    for (var p : s.get("properties").properties()) fields.put(p.getKey(), convert(p.getValue(), definitions));
                    return new Struct(Map.copyOf(fields), atomic);
                }
                if (s.has("additionalProperties")) return new MapOf(convert(s.get("additionalProperties"), definitions), atomic);
                return DEDUCED;
            }
            case "" -> {
                return s.isObject() && s.isEmpty() ? DEDUCED : LEAF;
            }
            default -> {
                return LEAF;
            }
        }
    }

    /** The schema of a list's items, its {@code $ref} followed. */
    private static JsonNode itemSchema(JsonNode items, JsonNode definitions) {
        if (!items.has("$ref")) return items;
        String ref = items.get("$ref").asText();
        return definitions.path(ref.substring(ref.lastIndexOf('/') + 1));
    }

    /**
     * schemaconv's VisitArray: {@code x-kubernetes-list-type} decides; without it a {@code merge} patch
     * strategy makes a list-map on the patch merge key (a set without one); anything else is atomic.
     * A key's default is the items' schema {@code default} for it (structured-merge-diff fills an item's
     * missing key from it: a container port without protocol is keyed as TCP).
     */
    private static ListOf list(JsonNode s, Type items, JsonNode itemSchema) {
        String listType = s.path("x-kubernetes-list-type").asText();
        if (listType.equals("set")) return new ListOf(items, ListType.SET, List.of());
        var keys = new ArrayList<String>();
        if (listType.equals("map")) s.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
        if (listType.isEmpty()) {
            String strategy = s.path("x-kubernetes-patch-strategy").asText();
            if (!strategy.equals("merge") && !strategy.equals("merge,retainKeys")) return new ListOf(items, ListType.ATOMIC, List.of());
            if (!s.has("x-kubernetes-patch-merge-key")) return new ListOf(items, ListType.SET, List.of());
            keys.add(s.get("x-kubernetes-patch-merge-key").asText());
        }
        if (keys.isEmpty()) return new ListOf(items, ListType.ATOMIC, List.of());
        var fields = new ArrayList<KeyField>();
        for (String k : keys.stream().sorted().toList()) {
            JsonNode d = itemSchema.path("properties").path(k).get("default");
            fields.add(new KeyField(k, d));
        }
        return new ListOf(items, ListType.MAP, List.copyOf(fields));
    }

    // ---- walking: pure functions over types -------------------------------------------------------

    /** The type a reference names (deduced when the schema has none by that name); other types as they are. */
    static Type resolve(Type t) {
        return t instanceof Ref r ? r.schema.named.getOrDefault(r.name, DEDUCED) : t;
    }

    /** The type of the field (or map key) {@code name} of an object of type {@code t}. */
    static Type field(Type t, String name) {
        return switch (resolve(t)) {
            case Struct s -> s.fields.getOrDefault(name, DEDUCED);
            case MapOf m -> m.values;
            default -> DEDUCED;
        };
    }

    /** The type of the items of a list of type {@code t}. */
    static Type item(Type t) {
        return resolve(t) instanceof ListOf l ? l.items : DEDUCED;
    }

    /** An object of this type is owned and replaced whole. */
    static boolean atomicObject(Type t) {
        return switch (resolve(t)) {
            case Struct s -> s.atomic;
            case MapOf m -> m.atomic;
            default -> false;
        };
    }

    /** How a list of this type identifies its items; atomic for anything but a known list. */
    static ListType listType(Type t) {
        return resolve(t) instanceof ListOf l ? l.listType : ListType.ATOMIC;
    }

    /** The key fields of a list-map of this type, sorted by name as FieldsV1 writes them, with their defaults. */
    static List<KeyField> keys(Type t) {
        return resolve(t) instanceof ListOf l ? l.keys : List.of();
    }

    @Override
    public String toString() { return "ApplySchema[" + named.size() + " types]"; }
}
