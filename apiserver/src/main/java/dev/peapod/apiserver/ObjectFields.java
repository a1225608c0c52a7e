package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.apiserver.ApplySchema.KeyField;
import dev.peapod.apiserver.ApplySchema.ListType;
import dev.peapod.apiserver.ApplySchema.Type;
import dev.peapod.apiserver.FieldSet.Path;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The structured-merge-diff operations server-side apply needs, on JSON trees typed by the served
 * OpenAPI schema ({@link ApplySchema}, walked by type along the object as structured-merge-diff walks
 * its schema): the fields of an applied configuration ({@code ToFieldSet}), the difference of two
 * objects ({@code Compare}: added, modified, removed), the merge of a configuration into a live object
 * ({@code Merge}) and the removal of fields ({@code RemoveItems}).
 * Semantics: https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy and
 * sigs.k8s.io/structured-merge-diff (typed/tofieldset.go, typed/merge.go).
 * <p>Pure functions; inputs are never modified.
 */
final class ObjectFields {
    private ObjectFields() {}

    // ---- the schema: list types and atomic objects, from ApplySchema --------------------------------

    /** How the list(s) at a place of type {@code t} merge: keyed only when every item of every given list has its key, once. */
    private static ListType kind(Type t, JsonNode... lists) {
        ListType declared = ApplySchema.listType(t);
        if (declared != ListType.MAP) return declared;
        // structured-merge-diff refuses a list-map item without its key; here such a list is atomic.
        for (JsonNode list : lists) {
            var seen = new HashSet<String>();
            for (JsonNode item : list) {
                String k = key(t, item);
                if (k == null || !seen.add(k)) return ListType.ATOMIC;
            }
        }
        return ListType.MAP;
    }

    /** The {@code k:} element of a list-map's item, or null when it lacks a key (and the schema has no default for it). */
    private static String key(Type list, JsonNode item) {
        if (!item.isObject()) return null;
        ObjectNode k = Json.object();
        for (KeyField f : ApplySchema.keys(list)) {
            JsonNode v = item.hasNonNull(f.name()) ? item.get(f.name()) : f.absent();
            if (v == null || !v.isValueNode()) return null;
            k.set(f.name(), v);
        }
        return "k:" + Json.write(k);
    }

    private static String value(JsonNode item) { return "v:" + Json.write(item); }

    /** Items of a keyed or set list by their path element, in order. */
    private static Map<String, JsonNode> items(Type t, JsonNode list, ListType kind) {
        var out = new LinkedHashMap<String, JsonNode>();
        for (JsonNode item : list) out.put(kind == ListType.MAP ? key(t, item) : value(item), item);
        return out;
    }

    private static boolean granular(Type t, JsonNode n) {
        return n.isObject() && !ApplySchema.atomicObject(t);
    }

    // ---- ToFieldSet ------------------------------------------------------------------------------

    /**
     * The fields an applied configuration of type {@code type} sets (tofieldset.go): every leaf value,
     * every list item, and every field whose value is null or an empty object; a field holding a non-empty
     * object or list is not itself a member (only what is under it).
     */
    static FieldSet fieldsOf(JsonNode config, Type type) {
        var out = new ArrayList<Path>();
        collect(config, type, Path.ROOT, out, false);
        return FieldSet.of(out);
    }

    /** @param all every path including those of non-empty objects and lists (a whole subtree, for Compare) */
    private static void collect(JsonNode n, Type t, Path at, List<Path> out, boolean all) {
        if (all && !at.isEmpty()) out.add(at);
        if (granular(t, n)) {
            for (var e : n.properties()) {
                Path child = at.child("f:" + e.getKey());
                Type ct = ApplySchema.field(t, e.getKey());
                JsonNode v = e.getValue();
                if (nested(ct, v)) collect(v, ct, child, out, all);
                else out.add(child);
            }
        } else if (n.isArray() && !at.isEmpty()) {
            ListType kind = kind(t, n);
            if (kind == ListType.ATOMIC) {
                if (!all) out.add(at);
                return;
            }
            for (var e : items(t, n, kind).entrySet()) {
                Path item = at.child(e.getKey());
                if (kind == ListType.SET) out.add(item);
                else {
                    if (!all) out.add(item);
                    collect(e.getValue(), ApplySchema.item(t), item, out, all);
                }
            }
        }
    }

    /** Every path in {@code n} at {@code at}, {@code at} included: what is added or removed with it. */
    private static void subtree(JsonNode n, Type t, Path at, List<Path> out) {
        if (nested(t, n)) collect(n, t, at, out, true);
        else out.add(at);
    }

    /** Every path below {@code at} in {@code n}, not {@code at} itself. */
    private static void below(JsonNode n, Type t, Path at, List<Path> out) {
        var all = new ArrayList<Path>();
        collect(n, t, at, all, true);
        all.remove(at);
        out.addAll(all);
    }

    /** A non-empty granular object or keyed/set list: has members of its own. */
    private static boolean nested(Type t, JsonNode n) {
        return granular(t, n) && !n.isEmpty() || n.isArray() && kind(t, n) != ListType.ATOMIC && !n.isEmpty();
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

    static Comparison compare(JsonNode before, JsonNode after, Type type) {
        var added = new ArrayList<Path>();
        var modified = new ArrayList<Path>();
        var removed = new ArrayList<Path>();
        compare(before, after, type, Path.ROOT, added, modified, removed);
        return new Comparison(FieldSet.of(added), FieldSet.of(modified), FieldSet.of(removed));
    }

    private static void compare(JsonNode a, JsonNode b, Type t, Path at, List<Path> added, List<Path> modified, List<Path> removed) {
        if (granular(t, a) && granular(t, b)) {
            var names = new java.util.LinkedHashSet<String>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                Path child = at.child("f:" + name);
                Type ct = ApplySchema.field(t, name);
                JsonNode x = a.get(name), y = b.get(name);
                if (x == null) subtree(y, ct, child, added);
                else if (y == null) subtree(x, ct, child, removed);
                else if (x.isNull() && nested(ct, y)) below(y, ct, child, added); // Go's nil list/map: the field exists, empty
                else if (y.isNull() && nested(ct, x)) below(x, ct, child, removed);
                else compare(x, y, ct, child, added, modified, removed);
            }
            return;
        }
        if (a.isArray() && b.isArray() && !at.isEmpty()) {
            ListType kind = kind(t, a, b);
            if (kind != ListType.ATOMIC) {
                Type it = ApplySchema.item(t);
                Map<String, JsonNode> x = items(t, a, kind), y = items(t, b, kind);
                for (var e : y.entrySet()) {
                    Path item = at.child(e.getKey());
                    if (!x.containsKey(e.getKey())) subtree(e.getValue(), it, item, added);
                    else if (kind == ListType.MAP) compare(x.get(e.getKey()), e.getValue(), it, item, added, modified, removed);
                }
                for (var e : x.entrySet()) if (!y.containsKey(e.getKey())) subtree(e.getValue(), it, at.child(e.getKey()), removed);
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
    static JsonNode merge(JsonNode live, JsonNode config, Type type) { return merge(live, config, type, Path.ROOT); }

    private static JsonNode merge(JsonNode live, JsonNode config, Type t, Path at) {
        if (live == null || live.isNull()) return withoutNulls(config);
        if (granular(t, live) && granular(t, config)) {
            ObjectNode out = ((ObjectNode) live).deepCopy();
            for (var e : config.properties()) {
                if (e.getValue().isNull()) out.remove(e.getKey());
                else out.set(e.getKey(), merge(live.get(e.getKey()), e.getValue(), ApplySchema.field(t, e.getKey()), at.child("f:" + e.getKey())));
            }
            return out;
        }
        if (live.isArray() && config.isArray() && !at.isEmpty()) {
            ListType kind = kind(t, live, config);
            if (kind != ListType.ATOMIC) {
                Type it = ApplySchema.item(t);
                Map<String, JsonNode> merged = new LinkedHashMap<>(items(t, live, kind));
                for (var e : items(t, config, kind).entrySet()) {
                    merged.put(e.getKey(), kind == ListType.MAP ? merge(merged.get(e.getKey()), e.getValue(), it, at.child(e.getKey())) : e.getValue());
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
     * {@code object} (of type {@code type}) without the fields in {@code remove}, except those that are in
     * {@code keep} or have something in {@code keep} below them (another manager still owns part of them).
     * An object or list emptied by the removal goes too, unless it is kept (Go's omitempty drops it when
     * kube-apiserver serializes the typed object).
     */
    static JsonNode prune(JsonNode object, FieldSet remove, FieldSet keep, Type type) {
        JsonNode out = object.deepCopy();
        for (Path p : remove.paths().descendingSet()) {
            if (p.isEmpty() || keep.containsOrBelow(p) || isKeyOfItem(p)) continue;
            removePath(out, type, p, keep);
        }
        return out;
    }

    /** A key field of an associative list's item: it goes with its item, never alone. */
    private static boolean isKeyOfItem(Path p) {
        if (p.elements().size() < 2 || !p.last().startsWith("f:")) return false;
        String item = p.parent().last();
        return item.startsWith("k:") && Json.parse(item.substring(2)).has(p.last().substring(2));
    }

    private static void removePath(JsonNode root, Type type, Path p, FieldSet keep) {
        JsonNode parent = find(root, type, p.parent());
        if (parent == null) return;
        if (!detach(parent, typeAt(type, p.parent()), p)) return;
        // Containers emptied by the removal go with it (bottom-up), unless someone owns them.
        for (Path up = p.parent(); !up.isEmpty() && !keep.containsOrBelow(up); up = up.parent()) {
            JsonNode n = find(root, type, up);
            if (n == null || !n.isContainerNode() || !n.isEmpty()) break;
            JsonNode holder = find(root, type, up.parent());
            if (holder == null || !detach(holder, typeAt(type, up.parent()), up)) break;
        }
    }

    /** Removes the member {@code p} names from {@code parent}, the value at {@code p}'s parent, of type {@code t}. */
    private static boolean detach(JsonNode parent, Type t, Path p) {
        String e = p.last();
        if (parent instanceof ObjectNode o && e.startsWith("f:")) return o.remove(e.substring(2)) != null;
        if (parent instanceof ArrayNode a) {
            int i = indexOf(a, t, e);
            if (i >= 0) {
                a.remove(i);
                return true;
            }
        }
        return false;
    }

    /** The type at {@code p} below a value of type {@code root}. */
    private static Type typeAt(Type root, Path p) {
        Type t = root;
        for (String e : p.elements()) t = e.startsWith("f:") ? ApplySchema.field(t, e.substring(2)) : ApplySchema.item(t);
        return t;
    }

    /** The node at {@code p} in {@code root}, an object of type {@code type}, or null. */
    static JsonNode find(JsonNode root, Type type, Path p) {
        JsonNode n = root;
        Type t = type;
        for (String e : p.elements()) {
            if (n == null) return null;
            if (e.startsWith("f:")) {
                n = n.isObject() ? n.get(e.substring(2)) : null;
                t = ApplySchema.field(t, e.substring(2));
            } else if (n.isArray()) {
                int i = indexOf((ArrayNode) n, t, e);
                n = i < 0 ? null : n.get(i);
                t = ApplySchema.item(t);
            } else return null;
        }
        return n;
    }

    private static int indexOf(ArrayNode list, Type listType, String element) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String e = element.startsWith("k:") ? key(listType, item) : element.startsWith("v:") ? value(item) : "i:" + i;
            if (element.equals(e)) return i;
        }
        return -1;
    }
}
