package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * A set of field paths, as structured-merge-diff's {@code fieldpath.Set}, and its wire form
 * {@code FieldsV1} (https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management).
 * A path element is encoded as in FieldsV1: {@code f:<field>} (a field or map key), {@code k:<JSON of the
 * key fields>} (an item of an associative list, key fields sorted by name), {@code v:<JSON value>} (an item
 * of a set list) or {@code i:<index>}. In FieldsV1 a path is a chain of nested objects; a path that is in
 * the set and also has members below it carries a {@code ".": {}} child; a member with nothing below is {@code {}}.
 * <p>Immutable; paths are kept sorted (a path sorts right before everything below it).
 */
final class FieldSet {
    static final FieldSet EMPTY = new FieldSet(new TreeSet<>());

    /** One path: its encoded elements, root first. */
    record Path(List<String> elements) implements Comparable<Path> {
        static final Path ROOT = new Path(List.of());

        Path {
            elements = List.copyOf(elements);
        }

        static Path of(String... elements) { return new Path(List.of(elements)); }

        /** A path of field names: {@code fields("metadata", "labels")}. */
        static Path fields(String... names) {
            var out = new ArrayList<String>();
            for (String n : names) out.add("f:" + n);
            return new Path(out);
        }

        Path child(String element) {
            var out = new ArrayList<>(elements);
            out.add(element);
            return new Path(out);
        }

        Path parent() { return new Path(elements.subList(0, elements.size() - 1)); }

        String last() { return elements.getLast(); }

        boolean isEmpty() { return elements.isEmpty(); }

        /** This path is {@code other} or above it. */
        boolean contains(Path other) {
            return other.elements.size() >= elements.size() && other.elements.subList(0, elements.size()).equals(elements);
        }

        @Override
        public int compareTo(Path o) {
            int n = Math.min(elements.size(), o.elements.size());
            for (int i = 0; i < n; i++) {
                int c = elements.get(i).compareTo(o.elements.get(i));
                if (c != 0) return c;
            }
            return Integer.compare(elements.size(), o.elements.size());
        }

        /**
         * The form conflicts are reported in (fieldpath.Path's String): {@code .spec.containers[name="c"].image},
         * {@code .metadata.finalizers[="x"]}, {@code .items[2]}.
         */
        @Override
        public String toString() {
            var s = new StringBuilder();
            for (String e : elements) {
                String body = e.substring(2);
                switch (e.charAt(0)) {
                    case 'f' -> s.append('.').append(body);
                    case 'k' -> {
                        var parts = new ArrayList<String>();
                        for (var f : Json.parse(body).properties()) parts.add(f.getKey() + "=" + f.getValue());
                        s.append('[').append(String.join(",", parts)).append(']');
                    }
                    case 'v' -> s.append("[=").append(body).append(']');
                    default -> s.append('[').append(body).append(']');
                }
            }
            return s.toString();
        }
    }

    private final NavigableSet<Path> paths;

    private FieldSet(NavigableSet<Path> paths) { this.paths = Collections.unmodifiableNavigableSet(paths); }

    static FieldSet of(Collection<Path> paths) { return new FieldSet(new TreeSet<>(paths)); }

    static FieldSet of(Path... paths) { return of(List.of(paths)); }

    NavigableSet<Path> paths() { return paths; }

    boolean isEmpty() { return paths.isEmpty(); }

    int size() { return paths.size(); }

    boolean contains(Path p) { return paths.contains(p); }

    /** {@code p} or a path below it is in the set. */
    boolean containsOrBelow(Path p) {
        Path next = paths.ceiling(p);
        return next != null && p.contains(next);
    }

    FieldSet union(FieldSet o) {
        if (o.isEmpty()) return this;
        var s = new TreeSet<>(paths);
        s.addAll(o.paths);
        return new FieldSet(s);
    }

    FieldSet minus(FieldSet o) {
        if (o.isEmpty()) return this;
        var s = new TreeSet<>(paths);
        s.removeAll(o.paths);
        return new FieldSet(s);
    }

    FieldSet intersect(FieldSet o) {
        var s = new TreeSet<>(paths);
        s.retainAll(o.paths);
        return new FieldSet(s);
    }

    /** Without the given paths and everything below them. */
    FieldSet withoutSubtrees(Collection<Path> roots) {
        var s = new TreeSet<Path>();
        for (Path p : paths) if (roots.stream().noneMatch(r -> r.contains(p))) s.add(p);
        return new FieldSet(s);
    }

    /** The FieldsV1 object of this set. */
    ObjectNode toFieldsV1() {
        ObjectNode root = Json.object();
        for (Path p : paths) {
            ObjectNode node = root;
            for (int i = 0; i < p.elements().size(); i++) {
                // A member above this path gets its "." before the first child (paths arrive sorted).
                if (i > 0 && node.isEmpty() && paths.contains(new Path(p.elements().subList(0, i)))) node.putObject(".");
                String e = p.elements().get(i);
                node = node.get(e) instanceof ObjectNode child ? child : node.putObject(e);
            }
        }
        return root;
    }

    /** Reads FieldsV1; anything but nested objects is refused. */
    static FieldSet fromFieldsV1(JsonNode fields) {
        var out = new TreeSet<Path>();
        read(fields, Path.ROOT, out);
        return new FieldSet(out);
    }

    private static void read(JsonNode node, Path at, TreeSet<Path> out) {
        if (!node.isObject()) throw new IllegalArgumentException("FieldsV1 nodes must be objects, not " + node);
        for (var e : node.properties()) {
            if (e.getKey().equals(".")) {
                out.add(at);
                continue;
            }
            String k = e.getKey();
            if (k.length() < 2 || k.charAt(1) != ':' || "fkvi".indexOf(k.charAt(0)) < 0) {
                throw new IllegalArgumentException("invalid FieldsV1 path element " + k);
            }
            Path child = at.child(k);
            if (e.getValue().isObject() && e.getValue().isEmpty()) out.add(child);
            else read(e.getValue(), child, out);
        }
    }

    @Override
    public boolean equals(Object o) { return o instanceof FieldSet f && f.paths.equals(paths); }

    @Override
    public int hashCode() { return paths.hashCode(); }

    @Override
    public String toString() { return paths.toString(); }
}
