package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.apiserver.FieldSet.Path;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * {@code metadata.managedFields}: which manager owns which fields, kept as kube-apiserver's field
 * manager keeps them (https://kubernetes.io/docs/reference/using-api/server-side-apply/ and
 * structured-merge-diff merge/update.go). Non-apply writes record an {@code Update} entry for their
 * manager with the fields they added or changed, taking those fields from everybody else; an apply
 * records an {@code Apply} entry with exactly the fields of the applied configuration, refuses to change
 * a field another manager owns (unless forced) and removes the fields it applied before and no longer
 * applies when nobody else owns them.
 * <p>Pure functions over JSON trees.
 */
final class ManagedFields {
    private ManagedFields() {}

    static final String APPLY = "Apply";
    static final String UPDATE = "Update";
    private static final String API_VERSION = "v1";

    /**
     * One managedFields entry. Its owner identity is (manager, operation, subresource) — and the
     * apiVersion for updates, which is always v1 here (BuildManagerIdentifier).
     *
     * @param subresource "" for the object itself, else e.g. "status"
     * @param time        RFC 3339, or null
     */
    record Entry(String manager, String operation, String apiVersion, String time, String subresource, FieldSet fields) {
        Entry {
            subresource = Objects.requireNonNullElse(subresource, "");
        }

        boolean sameOwner(Entry o) {
            return manager.equals(o.manager) && operation.equals(o.operation) && subresource.equals(o.subresource)
                    && (operation.equals(APPLY) || Objects.equals(apiVersion, o.apiVersion));
        }

        Entry with(FieldSet f) { return new Entry(manager, operation, apiVersion, time, subresource, f); }

        /** How conflicts name the manager (printManager in k8s.io/apiserver's fieldmanager). */
        String display() {
            String s = Json.write(com.fasterxml.jackson.databind.node.TextNode.valueOf(manager));
            if (!subresource.isEmpty()) s += " with subresource \"" + subresource + "\"";
            return operation.equals(UPDATE) ? s + " using " + apiVersion : s;
        }
    }

    static List<Entry> decode(JsonNode managedFields) {
        var out = new ArrayList<Entry>();
        if (managedFields == null || !managedFields.isArray()) return out;
        for (JsonNode e : managedFields) {
            out.add(new Entry(e.path("manager").asText(""), e.path("operation").asText(UPDATE), e.path("apiVersion").asText(API_VERSION),
                    e.hasNonNull("time") ? e.get("time").asText() : null, e.path("subresource").asText(""),
                    e.has("fieldsV1") ? FieldSet.fromFieldsV1(e.get("fieldsV1")) : FieldSet.EMPTY));
        }
        return out;
    }

    /** The entries as kube-apiserver stores them: Apply before Update, then oldest first, then by manager. */
    static ArrayNode encode(List<Entry> entries) {
        var sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::operation).thenComparing(e -> Objects.requireNonNullElse(e.time(), ""))
                .thenComparing(Entry::manager).thenComparing(Entry::subresource));
        ArrayNode out = Json.array();
        for (Entry e : sorted) {
            ObjectNode o = out.addObject().put("manager", e.manager()).put("operation", e.operation()).put("apiVersion", e.apiVersion());
            if (e.time() != null) o.put("time", e.time());
            o.put("fieldsType", "FieldsV1");
            o.set("fieldsV1", e.fields().toFieldsV1());
            if (!e.subresource().isEmpty()) o.put("subresource", e.subresource());
        }
        return out;
    }

    /** Fields nobody owns: identity and system metadata (stripmeta.go in the field manager). */
    private static final FieldSet STRIPPED = FieldSet.of(Path.fields("apiVersion"), Path.fields("kind"), Path.fields("metadata"),
            Path.fields("metadata", "name"), Path.fields("metadata", "namespace"), Path.fields("metadata", "creationTimestamp"),
            Path.fields("metadata", "selfLink"), Path.fields("metadata", "uid"), Path.fields("metadata", "generation"),
            Path.fields("metadata", "managedFields"), Path.fields("metadata", "resourceVersion"));

    /**
     * The part of an object a write through {@code subresource} cannot own: the fields its strategy resets
     * ({@code GetResetFields}): status for the object itself, everything but status for the status subresource.
     */
    static FieldSet owned(FieldSet fields, ResourceType type, String subresource) {
        FieldSet f = fields.minus(STRIPPED);
        if (subresource.equals("status")) return f.withoutSubtrees(List.of(Path.fields("spec"), Path.fields("metadata")));
        return type.hasStatus() ? f.withoutSubtrees(List.of(Path.fields("status"))) : f;
    }

    /**
     * What an object was before it was created, for the creator's Update entry: Go's empty object as
     * kube-apiserver compares against (a pod's {@code spec.containers} and {@code status} exist, empty).
     */
    static JsonNode nothing(ResourceType type) {
        ObjectNode o = Json.object();
        o.putObject("metadata");
        if (type == ResourceType.PODS) {
            o.putObject("spec").putNull("containers");
            o.putObject("status");
        } else if (type == ResourceType.NAMESPACES || type == ResourceType.NODES) {
            o.putObject("spec");
            o.putObject("status");
        }
        return o;
    }

    /**
     * The managed fields before a non-apply write, as decodeLiveOrNew decides: the request's own
     * {@code managedFields} when it sets any, none when it sets the reset value {@code [{}]}, else the
     * live object's. An empty list does not reset ("Setting the managedFields to an empty list will not
     * reset the field", server-side-apply docs, Clearing managedFields); nor does an undecodable one.
     */
    static List<Entry> before(JsonNode live, JsonNode request) {
        JsonNode given = request == null ? null : request.at("/metadata/managedFields");
        List<Entry> liveEntries = live == null ? List.of() : decode(live.at("/metadata/managedFields"));
        if (given == null || !given.isArray() || given.isEmpty()) return liveEntries;
        if (given.size() == 1 && given.get(0).isObject() && given.get(0).isEmpty()) return List.of();
        try {
            return decode(given);
        } catch (IllegalArgumentException e) {
            return liveEntries;
        }
    }

    /**
     * The entries after a non-apply write by {@code manager} from {@code before} to {@code after}: every
     * other manager loses the fields that changed or went, the writer's Update entry gains what it added
     * or changed (merge/update.go Update).
     */
    static List<Entry> update(List<Entry> entries, JsonNode before, JsonNode after, ResourceType type, String manager, String subresource) {
        var cmp = ObjectFields.compare(before, after, ApplySchema.served().root(type)).filter(f -> owned(f, type, subresource));
        Entry mine = new Entry(manager, UPDATE, API_VERSION, null, subresource, FieldSet.EMPTY);
        var out = new ArrayList<Entry>();
        FieldSet gone = cmp.changed().union(cmp.removed());
        for (Entry e : entries) {
            if (e.sameOwner(mine)) mine = new Entry(manager, UPDATE, API_VERSION, e.time(), subresource, e.fields());
            else out.add(e.with(e.fields().minus(gone)));
        }
        out.add(mine.with(mine.fields().union(cmp.changed()).minus(cmp.removed())));
        out.removeIf(e -> e.fields().isEmpty());
        return out;
    }

    /** A refused apply: each path another manager owns and the apply would change. */
    record Conflict(Entry owner, Path path) {}

    static final class ConflictException extends RuntimeException {
        final List<Conflict> conflicts;

        ConflictException(List<Conflict> conflicts) {
            super(message(conflicts));
            this.conflicts = List.copyOf(conflicts);
        }

        /** getConflictMessage in k8s.io/apiserver's fieldmanager: one line for one conflict, else grouped by manager. */
        private static String message(List<Conflict> conflicts) {
            if (conflicts.size() == 1) {
                return "Apply failed with 1 conflict: conflict with " + conflicts.getFirst().owner().display() + ": " + conflicts.getFirst().path();
            }
            var byManager = new java.util.TreeMap<String, List<Path>>();
            for (Conflict c : conflicts) byManager.computeIfAbsent(c.owner().display(), k -> new ArrayList<>()).add(c.path());
            var lines = new ArrayList<String>();
            byManager.forEach((m, paths) -> {
                lines.add("conflicts with " + m + ":");
                for (Path p : paths) lines.add("- " + p);
            });
            return "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
        }
    }

    /** The result of an apply: the merged object (before admission) and the new entries. */
    record Applied(JsonNode object, List<Entry> entries) {}

    /**
     * Server-side apply of {@code config} by {@code manager} to {@code live} (merge/update.go Apply): the
     * configuration merges into the live object; a field another manager owns whose value would change is
     * a conflict (refused unless {@code force}, which takes the field from that manager); fields this
     * manager applied last time and no longer applies are removed unless another manager owns them; the
     * manager's Apply entry becomes exactly the configuration's fields.
     */
    static Applied apply(List<Entry> entries, JsonNode live, JsonNode config, ResourceType type, String manager, String subresource, boolean force) {
        ApplySchema.Type root = ApplySchema.served().root(type);
        JsonNode merged = ObjectFields.merge(live, config, root);
        FieldSet applied = owned(ObjectFields.fieldsOf(config, root), type, subresource);
        FieldSet changed = ObjectFields.compare(live, merged, root).filter(f -> owned(f, type, subresource)).changed();
        Entry mine = new Entry(manager, APPLY, API_VERSION, null, subresource, applied);
        FieldSet last = FieldSet.EMPTY;
        var conflicts = new ArrayList<Conflict>();
        FieldSet others = FieldSet.EMPTY;
        for (Entry e : entries) {
            if (e.sameOwner(mine)) {
                last = e.fields();
                mine = new Entry(manager, APPLY, API_VERSION, e.time(), subresource, applied);
                continue;
            }
            for (Path p : e.fields().intersect(changed).paths()) conflicts.add(new Conflict(e, p));
            others = others.union(e.fields().minus(changed));
        }
        if (!conflicts.isEmpty() && !force) throw new ConflictException(conflicts);
        JsonNode pruned = ObjectFields.prune(merged, last.minus(applied), applied.union(others), root);
        var cmp = ObjectFields.compare(live, pruned, root).filter(f -> owned(f, type, subresource));
        FieldSet gone = cmp.changed().union(cmp.removed());
        var out = new ArrayList<Entry>();
        for (Entry e : entries) if (!e.sameOwner(mine)) out.add(e.with(e.fields().minus(gone)));
        out.add(mine);
        out.removeIf(e -> e.fields().isEmpty());
        return new Applied(pruned, out);
    }

    /**
     * The entries to store: the acting manager's entry gets {@code now} when the object changed or the
     * entry is new (or had no time); everyone else's keep theirs. At most {@value #MAX_UPDATERS} Update
     * entries are kept ({@link #cap}).
     */
    static List<Entry> stamp(List<Entry> before, List<Entry> after, String manager, String operation, String subresource,
                             boolean objectChanged, String now) {
        var out = new ArrayList<Entry>();
        for (Entry e : after) {
            boolean acting = e.manager().equals(manager) && e.operation().equals(operation) && e.subresource().equals(subresource);
            boolean existed = before.stream().anyMatch(b -> b.sameOwner(e));
            if (acting && (objectChanged || !existed || e.time() == null)) {
                out.add(new Entry(e.manager(), e.operation(), e.apiVersion(), now, e.subresource(), e.fields()));
            } else out.add(e);
        }
        return cap(out);
    }

    static final int MAX_UPDATERS = 10;
    static final String ANCIENT = "ancient-changes";

    /**
     * kube-apiserver's capManagersManager: beyond {@value #MAX_UPDATERS} Update entries, the oldest are
     * merged into one Update entry of the manager "ancient-changes" (with the newest merged time), so
     * that an object written by many clients does not grow without bound. Apply entries are not capped.
     */
    static List<Entry> cap(List<Entry> entries) {
        var updaters = new ArrayList<Entry>();
        for (Entry e : entries) if (e.operation().equals(UPDATE)) updaters.add(e);
        if (updaters.size() <= MAX_UPDATERS) return entries;
        updaters.sort(Comparator.comparing(e -> Objects.requireNonNullElse(e.time(), "")));
        var merged = new java.util.HashSet<Entry>();
        FieldSet fields = FieldSet.EMPTY;
        String time = null;
        int count = updaters.size();
        for (Entry e : updaters) {
            if (count <= MAX_UPDATERS) break;
            merged.add(e);
            fields = fields.union(e.fields());
            time = e.time();
            // The bucket takes one place: merging the first entry into it frees none.
            if (merged.size() > 1) count--;
        }
        var out = new ArrayList<Entry>();
        Entry bucket = null;
        for (Entry e : entries) {
            if (e.manager().equals(ANCIENT) && e.operation().equals(UPDATE) && !merged.contains(e)) bucket = e;
            else if (!merged.contains(e)) out.add(e);
        }
        if (bucket != null) {
            fields = fields.union(bucket.fields());
            if (time == null || bucket.time() != null && bucket.time().compareTo(time) > 0) time = bucket.time();
        }
        out.add(new Entry(ANCIENT, UPDATE, API_VERSION, time, "", fields));
        return out;
    }

    /**
     * {@code next}, the admitted result of a non-apply write (create when {@code live} is null), with the
     * managedFields that write leaves: the Update entry of {@code manager} and everyone else's, less what changed.
     *
     * @param request the object the client sent (or the patched object), for its own {@code managedFields}
     */
    static ObjectNode recordUpdate(ObjectNode next, JsonNode live, JsonNode request, ResourceType type, String manager,
                                   String subresource, java.time.Instant now) {
        List<Entry> before = before(live, request);
        List<Entry> after = update(before, live == null ? nothing(type) : live, next, type, manager, subresource);
        boolean changed = live == null || !content(live).equals(content(next));
        return withEntries(next, stamp(before, after, manager, UPDATE, subresource, changed, Json.time(now)));
    }

    /**
     * {@code o} with these entries as its managedFields (none: the field is left out), re-read from its
     * text so that numbers compare as the stored object's do (an int and a long 1 are the same field value).
     */
    static ObjectNode withEntries(ObjectNode o, List<Entry> entries) {
        ObjectNode meta = Json.meta(o);
        if (entries.isEmpty()) meta.remove("managedFields");
        else meta.set("managedFields", encode(entries));
        return (ObjectNode) Json.parse(Json.write(o));
    }

    /** The object without what does not count as a change (managedFields, resourceVersion). */
    static JsonNode content(JsonNode o) {
        ObjectNode c = (ObjectNode) Json.parse(Json.write(o));
        if (c.get("metadata") instanceof ObjectNode m) {
            m.remove("managedFields");
            m.remove("resourceVersion");
        }
        return c;
    }
}
