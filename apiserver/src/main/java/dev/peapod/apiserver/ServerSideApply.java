package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.peapod.store.Stored;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code PATCH} with {@code Content-Type: application/apply-patch+yaml}: server-side apply
 * (https://kubernetes.io/docs/reference/using-api/server-side-apply/). The applied configuration is
 * merged into the live object by {@link ManagedFields#apply}, and the result then takes the update path
 * (admission: defaulting, validation, pod immutability; then the store with optimistic concurrency), or
 * the create path when the object does not exist yet. Also the field-manager request options of all writes.
 */
final class ServerSideApply {
    private ServerSideApply() {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The apply patch types: YAML (what kubectl sends, with a JSON body) and JSON. */
    static boolean isApply(String contentType) {
        String t = contentType == null ? "" : contentType.split(";")[0].trim();
        return t.equals("application/apply-patch+yaml") || t.equals("application/apply-patch+json");
    }

    /**
     * The field manager of a write: {@code ?fieldManager=}, else the User-Agent up to its first "/"
     * (kube-apiserver's prefixFromUserAgent: {@code kubectl/v1.32.0 (linux/amd64) …} is "kubectl"). kubectl
     * names its own: kubectl-create, kubectl-client-side-apply, kubectl-edit, kubectl-label, kubectl-patch, …
     */
    static String manager(ApiRequest req) {
        String m = req.param("fieldManager");
        if (m != null && !m.isEmpty()) return m;
        String agent = req.userAgent() == null ? "" : req.userAgent();
        String prefix = agent.split("/", 2)[0];
        return prefix.length() > 128 ? prefix.substring(0, 128) : prefix;
    }

    /** ValidatePatchOptions for a non-apply patch: {@code force} is for apply only. */
    static void checkPatchOptions(ApiRequest req) {
        if (req.param("force") != null) throw invalidOptions("force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch");
        checkManager(req);
    }

    private static void checkManager(ApiRequest req) {
        String m = req.param("fieldManager");
        if (m != null && m.length() > 128) throw invalidOptions("fieldManager", "FieldValueTooLong", "Too long: may not be more than 128 bytes");
        if (m != null && !m.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw invalidOptions("fieldManager", "FieldValueInvalid", "Invalid value: " + Json.write(Json.object().textNode(m)) + ": invalid characters");
        }
    }

    /** 422 for PatchOptions, as errors.NewInvalid builds it for the meta.k8s.io group. */
    private static ApiException invalidOptions(String field, String reason, String message) {
        var d = Json.object().put("group", "meta.k8s.io").put("kind", "PatchOptions");
        d.putArray("causes").addObject().put("reason", reason).put("message", message).put("field", field);
        return new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: " + field + ": " + message, d);
    }

    static Reply patch(Rest rest, ResourceType type, String namespace, String name, Rest.Subresource sub, ApiRequest req) {
        String manager = req.param("fieldManager");
        if (manager == null || manager.isEmpty()) throw invalidOptions("fieldManager", "FieldValueRequired", "Required value: is required for apply patch");
        checkManager(req);
        boolean force = req.flag("force");
        boolean dryRun = dryRun(req);
        ObjectNode config = config(type, name, req.body());
        // A resourceVersion in the configuration is a precondition, not a field to apply.
        String rv = Json.text(config, "/metadata/resourceVersion");
        if (rv != null && rv.isEmpty()) rv = null;
        Json.meta(config).remove("resourceVersion");
        String subresource = sub.fieldName();
        for (int attempt = 1; ; attempt++) {
            Optional<Stored> live = rest.find(type, namespace, name);
            String now = Json.time(rest.clock().instant());
            if (live.isEmpty()) {
                // Apply creates (the apply patcher's createIfNotFound); only the Apply entry is recorded.
                if (sub != Rest.Subresource.NONE) throw ApiException.notFound(type, name);
                var applied = ManagedFields.apply(List.of(), ManagedFields.nothing(type), config, type, manager, "", force);
                var entries = ManagedFields.stamp(List.of(), applied.entries(), manager, ManagedFields.APPLY, "", true, now);
                try {
                    return rest.create(type, namespace, applied.object(), o -> ManagedFields.withEntries(o, entries), dryRun);
                } catch (ApiException e) {
                    if (!"AlreadyExists".equals(e.reason) || attempt >= Rest.PATCH_ATTEMPTS) throw e;
                    continue; // created meanwhile: apply to it
                }
            }
            Stored old = live.get();
            if (rv != null && !rv.equals(Long.toString(old.revision()))) {
                throw ApiException.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            List<ManagedFields.Entry> before = ManagedFields.decode(old.object().at("/metadata/managedFields"));
            ManagedFields.Applied applied;
            try {
                applied = ManagedFields.apply(before, old.object(), config, type, manager, subresource, force);
            } catch (ManagedFields.ConflictException e) {
                throw conflict(e);
            }
            ObjectNode next = rest.admit(sub, type, old.object(), syncLastApplied(applied.object(), config, manager));
            boolean changed = !ManagedFields.content(old.object()).equals(ManagedFields.content(next));
            next = ManagedFields.withEntries(next, ManagedFields.stamp(before, applied.entries(), manager, ManagedFields.APPLY, subresource, changed, now));
            if (dryRun) return new Reply.Document(200, next);
            try {
                return new Reply.Document(200, rest.write(type, name, next, old.revision()));
            } catch (ApiException e) {
                if (e.code != 409 || rv != null || attempt >= Rest.PATCH_ATTEMPTS) throw e;
            }
        }
    }

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /**
     * kube-apiserver's lastAppliedUpdater: when "kubectl" applies server-side to an object that carries
     * client-side apply's last-applied annotation, the annotation becomes this configuration, so that a
     * later client-side {@code kubectl apply} (a downgrade) starts from what was applied.
     */
    static JsonNode syncLastApplied(JsonNode merged, ObjectNode config, String manager) {
        if (!manager.equals("kubectl") || !merged.at("/metadata/annotations").has(LAST_APPLIED)) return merged;
        ObjectNode applied = config.deepCopy();
        if (applied.at("/metadata/annotations") instanceof ObjectNode a) {
            a.remove(LAST_APPLIED);
            if (a.isEmpty()) Json.meta(applied).remove("annotations");
        }
        ObjectNode out = merged.deepCopy();
        ((ObjectNode) out.at("/metadata/annotations")).put(LAST_APPLIED, Json.write(sorted(applied)) + "\n");
        return out;
    }

    /** Keys in order, as Go's encoding/json writes a map. */
    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = Json.object();
            var names = new java.util.TreeSet<String>();
            n.fieldNames().forEachRemaining(names::add);
            for (String k : names) out.set(k, sorted(n.get(k)));
            return out;
        }
        if (n.isArray()) {
            var out = Json.array();
            n.forEach(x -> out.add(sorted(x)));
            return out;
        }
        return n;
    }

    /**
     * {@code ?dryRun=All} (kubectl's {@code --dry-run=server} and {@code diff --server-side}): the result is
     * computed and admitted, not stored. Other values are refused (ValidateDryRun).
     */
    static boolean dryRun(ApiRequest req) {
        var values = req.params("dryRun");
        if (values.isEmpty() && req.param("dryRun") != null) values = List.of(req.param("dryRun"));
        for (String v : values) {
            if (!v.equals("All")) throw invalidOptions("dryRun", "FieldValueNotSupported", "Unsupported value: \"" + v + "\": supported values: \"All\"");
        }
        return !values.isEmpty();
    }

    /** The applied configuration: a whole object of the right kind, naming this object, without managedFields. */
    private static ObjectNode config(ResourceType type, String name, String body) {
        JsonNode c;
        try {
            c = YAML.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("error decoding YAML: " + e.getMessage());
        }
        if (!(c instanceof ObjectNode o)) throw ApiException.badRequest("error decoding YAML: the applied configuration must be an object");
        if (o.path("apiVersion").asText("").isEmpty() || o.path("kind").asText("").isEmpty()) {
            throw ApiException.badRequest("apiVersion and kind must be set in the applied configuration of " + type.kind() + " \"" + name + "\"");
        }
        JsonNode managed = o.at("/metadata/managedFields");
        if (!managed.isMissingNode() && !managed.isNull()) throw ApiException.badRequest("metadata.managedFields must be nil");
        ObjectNode meta = Json.meta(o);
        if (!meta.path("name").asText(name).equals(name)) {
            throw ApiException.badRequest("the name of the object (" + meta.path("name").asText() + ") does not match the name on the URL (" + name + ")");
        }
        meta.put("name", name);
        return o;
    }

    /** NewApplyConflict: 409 Conflict, one FieldManagerConflict cause per field. */
    private static ApiException conflict(ManagedFields.ConflictException e) {
        var d = Json.object();
        var causes = d.putArray("causes");
        for (var c : e.conflicts) {
            causes.addObject().put("reason", "FieldManagerConflict").put("message", "conflict with " + c.owner().display()).put("field", c.path().toString());
        }
        return new ApiException(409, "Conflict", e.getMessage(), d);
    }
}
