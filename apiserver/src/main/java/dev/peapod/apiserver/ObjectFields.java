package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.peapod.apiserver.FieldSet.Path;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The structured-merge-diff operations server-side apply needs, on JSON trees, with a small schema
 * (below) instead of the OpenAPI one: the fields of an applied configuration ({@code ToFieldSet}),
 * the difference of two objects ({@code Compare}: added, modified, removed), the merge of a
 * configuration into a live object ({@code Merge}) and the removal of fields ({@code RemoveItems}).
 * Semantics: https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy and
 * sigs.k8s.io/structured-merge-diff (typed/tofieldset.go, typed/merge.go).
 * <p>Pure functions; inputs are never modified.
 */
final class ObjectFields {
    private ObjectFields() {}

    // ---- the schema: the one table of list types and atomic fields --------------------------------

    /** A key field of an associative list, with the schema default used when an item omits it. */
    record KeyField(String name, JsonNode absent) {}

    /**
     * Associative lists ({@code +listType=map} with {@code +listMapKey}s in k8s.io/api/core/v1/types.go,
     * {@code x-kubernetes-list-map-keys} in the OpenAPI) of the objects Peapod serves, by field name.
     * Lists not named here (and not sets) are atomic: replaced whole, owned as one field.
     */
    private static final Map<String, List<KeyField>> KEYS = Map.ofEntries(
            Map.entry("containers", keys("name")), Map.entry("initContainers", keys("name")),
            Map.entry("ephemeralContainers", keys("name")), Map.entry("env", keys("name")), Map.entry("volumes", keys("name")),
            Map.entry("volumeMounts", keys("mountPath")), Map.entry("volumeDevices", keys("devicePath")),
            // protocol defaults to TCP in the OpenAPI schema, so an item without it still has its key.
            Map.entry("ports", List.of(new KeyField("containerPort", null), new KeyField("protocol", TextNode.valueOf("TCP")))),
            Map.entry("imagePullSecrets", keys("name")), Map.entry("conditions", keys("type")),
            Map.entry("ownerReferences", keys("uid")), Map.entry("hostAliases", keys("ip")),
            Map.entry("topologySpreadConstraints", keys("topologyKey", "whenUnsatisfiable")),
            Map.entry("resourceClaims", keys("name")), Map.entry("schedulingGates", keys("name")),
            Map.entry("resizePolicy", keys("resourceName")), Map.entry("podIPs", keys("ip")), Map.entry("hostIPs", keys("ip")));

    /** Set lists ({@code +listType=set}): items are owned one by one by value. */
    private static final Set<Path> SETS = Set.of(Path.fields("metadata", "finalizers"));

    /** Maps and structs owned and replaced whole ({@code +mapType=atomic}, {@code +structType=atomic}). */
    private static final Set<String> ATOMIC = Set.of("nodeSelector", "configMapKeyRef", "secretKeyRef", "fieldRef", "resourceFieldRef");

    private static List<KeyField> keys(String... names) {
        var out = new ArrayList<KeyField>();
        for (String n : names) out.add(new KeyField(n, null));
        return out;
    }

    private static boolean atomic(Path p) {
        return !p.isEmpty() && p.last().startsWith("f:") && ATOMIC.contains(p.last().substring(2));
    }

    private enum ListKind { KEYED, SET, ATOMIC }

    /** How the list(s) at {@code p} merge: keyed only when every item of every given list has its key, once. */
    private static ListKind kind(Path p, JsonNode... lists) {
        if (SETS.contains(p)) return ListKind.SET;
        if (p.isEmpty() || !p.last().startsWith("f:") || !KEYS.containsKey(p.last().substring(2))) return ListKind.ATOMIC;
        for (JsonNode list : lists) {
            var seen = new HashSet<String>();
            for (JsonNode item : list) {
                String k = key(p, item);
                if (k == null || !seen.add(k)) return ListKind.ATOMIC;
            }
        }
        return ListKind.KEYED;
    }

    /** The {@code k:} element of an associative list's item, or null when it lacks a key. */
    private static String key(Path list, JsonNode item) {
        if (!item.isObject()) return null;
        var fields = new TreeSet<KeyField>((a, b) -> a.name().compareTo(b.name()));
        fields.addAll(KEYS.get(list.last().substring(2)));
        ObjectNode k = Json.object();
        for (KeyField f : fields) {
            JsonNode v = item.hasNonNull(f.name()) ? item.get(f.name()) : f.absent();
            if (v == null || !v.isValueNode()) return null;
            k.set(f.name(), v);
        }
        return "k:" + Json.write(k);
    }

    private static String value(JsonNode item) { return "v:" + Json.write(item); }

    /** Items of a keyed or set list by their path element, in order. */
    private static Map<String, JsonNode> items(Path p, JsonNode list, ListKind kind) {
        var out = new LinkedHashMap<String, JsonNode>();
        for (JsonNode item : list) out.put(kind == ListKind.KEYED ? key(p, item) : value(item), item);
        return out;
    }

    private static boolean granular(Path p, JsonNode n) {
        return n.isObject() && !atomic(p);
    }

    // ---- ToFieldSet ------------------------------------------------------------------------------

    /**
     * The fields an applied configuration sets (tofieldset.go): every leaf value, every list item, and
     * every field whose value is null or an empty object; a field holding a non-empty object or list is
     * not itself a member (only what is under it).
     */
    static FieldSet fieldsOf(JsonNode config) {
        var out = new ArrayList<Path>();
        collect(config, Path.ROOT, out, false);
        return FieldSet.of(out);
    }

    /** @param all every path including those of non-empty objects and lists (a whole subtree, for Compare) */
    private static void collect(JsonNode n, Path at, List<Path> out, boolean all) {
        if (all && !at.isEmpty()) out.add(at);
        if (granular(at, n)) {
            for (var e : n.properties()) {
                Path child = at.child("f:" + e.getKey());
                JsonNode v = e.getValue();
                if (nested(child, v)) collect(v, child, out, all);
                else out.add(child);
            }
        } else if (n.isArray() && !at.isEmpty()) {
            ListKind kind = kind(at, n);
            if (kind == ListKind.ATOMIC) {
                if (!all) out.add(at);
                return;
            }
            for (var e : items(at, n, kind).entrySet()) {
                Path item = at.child(e.getKey());
                if (kind == ListKind.SET) out.add(item);
                else {
                    if (!all) out.add(item);
                    collect(e.getValue(), item, out, all);
                }
            }
        }
    }

    /** Every path in {@code n} at {@code at}, {@code at} included: what is added or removed with it. */
    private static void subtree(JsonNode n, Path at, List<Path> out) {
        if (nested(at, n)) collect(n, at, out, true);
        else out.add(at);
    }

    /** Every path below {@code at} in {@code n}, not {@code at} itself. */
    private static void below(JsonNode n, Path at, List<Path> out) {
        var all = new ArrayList<Path>();
        collect(n, at, all, true);
        all.remove(at);
        out.addAll(all);
    }

    /** A non-empty object or keyed/set list: has members of its own. */
    private static boolean nested(Path at, JsonNode n) {
        return granular(at, n) && !n.isEmpty() || n.isArray() && kind(at, n) != ListKind.ATOMIC && !n.isEmpty();
    }

    // ---- Compare ---------------------------------------------------------------------------------

    /** What changed from one object to another: fields added, leaf values modified, fields removed (with all below them). */
    record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {
        boolean isEmpty() { return added.isEmpty() && modified.isEmpty() && removed.isEmpty(); }

        /** Added or modified: what the writer now owns. */
        FieldSet changed() { return added.union(modified); }

        Comparison filter(java.util.function.UnaryOperator<FieldSet> f) {
            return new Comparison(f.apply(added), f.apply(modified), f.apply(removed));
        }
    }

    static Comparison compare(JsonNode before, JsonNode after) {
        var added = new ArrayList<Path>();
        var modified = new ArrayList<Path>();
        var removed = new ArrayList<Path>();
        compare(before, after, Path.ROOT, added, modified, removed);
        return new Comparison(FieldSet.of(added), FieldSet.of(modified), FieldSet.of(removed));
    }

    private static void compare(JsonNode a, JsonNode b, Path at, List<Path> added, List<Path> modified, List<Path> removed) {
        if (granular(at, a) && granular(at, b)) {
            var names = new java.util.LinkedHashSet<String>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                Path child = at.child("f:" + name);
                JsonNode x = a.get(name), y = b.get(name);
                if (x == null) subtree(y, child, added);
                else if (y == null) subtree(x, child, removed);
                else if (x.isNull() && nested(child, y)) below(y, child, added); // Go's nil list/map: the field exists, empty
                else if (y.isNull() && nested(child, x)) below(x, child, removed);
                else compare(x, y, child, added, modified, removed);
            }
            return;
        }
        if (a.isArray() && b.isArray() && !at.isEmpty()) {
            ListKind kind = kind(at, a, b);
            if (kind != ListKind.ATOMIC) {
                Map<String, JsonNode> x = items(at, a, kind), y = items(at, b, kind);
                for (var e : y.entrySet()) {
                    Path item = at.child(e.getKey());
                    if (!x.containsKey(e.getKey())) subtree(e.getValue(), item, added);
                    else if (kind == ListKind.KEYED) compare(x.get(e.getKey()), e.getValue(), item, added, modified, removed);
                }
                for (var e : x.entrySet()) if (!y.containsKey(e.getKey())) subtree(e.getValue(), at.child(e.getKey()), removed);
                return;
            }
        }
        if (!same(a, b)) modified.add(at);
    }

    /** Leaf equality; numbers by value (1 and 1.0 read from different decoders are the same). */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0;
        return a.equals(b);
    }

    // ---- Merge -----------------------------------------------------------------------------------

    /**
     * The configuration merged into the live object: objects field by field, associative lists item by
     * item (live order kept, new items appended), set lists as unions, anything else (scalars, atomic
     * lists and maps) replaced by the configuration's value; a null in the configuration removes the field.
     */
    static JsonNode merge(JsonNode live, JsonNode config) { return merge(live, config, Path.ROOT); }

    private static JsonNode merge(JsonNode live, JsonNode config, Path at) {
        if (live == null || live.isNull()) return withoutNulls(config);
        if (granular(at, live) && granular(at, config)) {
            ObjectNode out = ((ObjectNode) live).deepCopy();
            for (var e : config.properties()) {
                if (e.getValue().isNull()) out.remove(e.getKey());
                else out.set(e.getKey(), merge(live.get(e.getKey()), e.getValue(), at.child("f:" + e.getKey())));
            }
            return out;
        }
        if (live.isArray() && config.isArray() && !at.isEmpty()) {
            ListKind kind = kind(at, live, config);
            if (kind != ListKind.ATOMIC) {
                Map<String, JsonNode> merged = new LinkedHashMap<>(items(at, live, kind));
                for (var e : items(at, config, kind).entrySet()) {
                    merged.put(e.getKey(), kind == ListKind.KEYED ? merge(merged.get(e.getKey()), e.getValue(), at.child(e.getKey())) : e.getValue());
                }
                ArrayNode out = Json.array();
                merged.values().forEach(v -> out.add(v.deepCopy()));
                return out;
            }
        }
        return withoutNulls(config);
    }

    private static JsonNode withoutNulls(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = Json.object();
            for (var e : n.properties()) if (!e.getValue().isNull()) out.set(e.getKey(), withoutNulls(e.getValue()));
            return out;
        }
        return n.deepCopy();
    }

    // ---- RemoveItems -----------------------------------------------------------------------------

    /**
     * {@code object} without the fields in {@code remove}, except those that are in {@code keep} or have
     * something in {@code keep} below them (another manager still owns part of them). An object or list
     * emptied by the removal goes too, unless it is kept (Go's omitempty drops it when kube-apiserver
     * serializes the typed object).
     */
    static JsonNode prune(JsonNode object, FieldSet remove, FieldSet keep) {
        JsonNode out = object.deepCopy();
        for (Path p : remove.paths().descendingSet()) {
            if (p.isEmpty() || keep.containsOrBelow(p) || isKeyOfItem(p)) continue;
            removePath(out, p, keep);
        }
        return out;
    }

    /** A key field of an associative list's item: it goes with its item, never alone. */
    private static boolean isKeyOfItem(Path p) {
        if (p.elements().size() < 2 || !p.last().startsWith("f:")) return false;
        String item = p.parent().last();
        return item.startsWith("k:") && Json.parse(item.substring(2)).has(p.last().substring(2));
    }

    private static void removePath(JsonNode root, Path p, FieldSet keep) {
        JsonNode parent = find(root, p.parent());
        if (parent == null) return;
        if (!detach(parent, p)) return;
        // Containers emptied by the removal go with it (bottom-up), unless someone owns them.
        for (Path up = p.parent(); !up.isEmpty() && !keep.containsOrBelow(up); up = up.parent()) {
            JsonNode n = find(root, up);
            if (n == null || !n.isContainerNode() || !n.isEmpty()) break;
            JsonNode holder = find(root, up.parent());
            if (holder == null || !detach(holder, up)) break;
        }
    }

    private static boolean detach(JsonNode parent, Path p) {
        String e = p.last();
        if (parent instanceof ObjectNode o && e.startsWith("f:")) return o.remove(e.substring(2)) != null;
        if (parent instanceof ArrayNode a) {
            int i = indexOf(a, p.parent(), e);
            if (i >= 0) {
                a.remove(i);
                return true;
            }
        }
        return false;
    }

    /** The node at {@code p}, or null. */
    static JsonNode find(JsonNode root, Path p) {
        JsonNode n = root;
        Path at = Path.ROOT;
        for (String e : p.elements()) {
            if (n == null) return null;
            if (e.startsWith("f:")) n = n.isObject() ? n.get(e.substring(2)) : null;
            else if (n.isArray()) {
                int i = indexOf((ArrayNode) n, at, e);
                n = i < 0 ? null : n.get(i);
            } else return null;
            at = at.child(e);
        }
        return n;
    }

    private static int indexOf(ArrayNode list, Path listPath, String element) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String e = element.startsWith("k:") ? key(listPath, item) : element.startsWith("v:") ? value(item) : "i:" + i;
            if (element.equals(e)) return i;
        }
        return -1;
    }
}
