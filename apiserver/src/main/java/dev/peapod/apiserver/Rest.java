package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The verbs on one resource type: get, list, watch, create, update, patch, delete, for objects
 * and their status subresource. Store refusals become {@code metav1.Status} errors here.
 */
final class Rest {
    /** How often a PATCH is retried when another write came between its read and its write (GuaranteedUpdate). */
    static final int PATCH_ATTEMPTS = 5;

    private final ObjectStore store;
    private final Admission admission;
    private final InstantSource clock;
    private final Paging paging;
    private final Scheduler scheduler;

    Rest(ObjectStore store, Admission admission, InstantSource clock) {
        this.store = store;
        this.admission = admission;
        this.clock = clock;
        this.paging = new Paging(store, clock);
        this.scheduler = new Scheduler(store, clock);
    }

    static long revision(String resourceVersion) {
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version: " + resourceVersion);
        }
    }

    private static Key key(ResourceType type, String namespace, String name) {
        return new Key(type.name(), type.namespaced() ? namespace : "", name);
    }

    Reply get(ResourceType type, String namespace, String name, ApiRequest req) {
        JsonNode o = load(type, namespace, name).object();
        return ok(req.wantsTable() ? Tables.table(type, List.of(o), o.at("/metadata/resourceVersion").asText(),
                req.param("includeObject"), clock.instant()) : o);
    }

    Stored load(ResourceType type, String namespace, String name) {
        return store.get(key(type, namespace, name)).orElseThrow(() -> ApiException.notFound(type, name));
    }

    Reply list(ResourceType type, String namespace, ApiRequest req) {
        Predicate<JsonNode> filter = Selector.labels(req.param("labelSelector")).and(Selector.fields(req.param("fieldSelector"), type));
        if (req.flag("watch")) {
            Function<JsonNode, JsonNode> render = req.wantsTable()
                    ? o -> Tables.table(type, List.of(o), o.at("/metadata/resourceVersion").asText(), req.param("includeObject"), clock.instant())
                    : o -> o;
            return new Reply.Stream(new WatchStream(store, type, namespace, req, filter, render, clock));
        }
        boolean selected = req.param("labelSelector") != null && !req.param("labelSelector").isEmpty()
                || req.param("fieldSelector") != null && !req.param("fieldSelector").isEmpty();
        Paging.Page page = paging.list(type.name(), namespace, filter, selected, req.param("limit"), req.param("continue"));
        String rv = Long.toString(page.revision());
        ObjectNode list;
        if (req.wantsTable()) {
            list = Tables.table(type, page.items(), rv, req.param("includeObject"), clock.instant());
        } else {
            list = Json.object().put("kind", type.kind() + "List")
                    .put("apiVersion", type == CoordinationGroup.LEASES ? CoordinationGroup.GROUP_VERSION : "v1");
            list.putObject("metadata").put("resourceVersion", rv);
            var array = list.putArray("items");
            page.items().forEach(array::add);
        }
        if (page.continueToken() != null) Json.meta(list).put("continue", page.continueToken());
        if (page.remainingItemCount() != null) Json.meta(list).put("remainingItemCount", page.remainingItemCount());
        return ok(list);
    }

    Reply create(ResourceType type, String namespace, ApiRequest req) {
        JsonNode body = Json.parse(req.body());
        String manager = ServerSideApply.manager(req);
        return create(type, namespace, body, o -> ManagedFields.recordUpdate(o, null, body, type, manager, "", clock.instant()),
                ServerSideApply.dryRun(req));
    }

    /**
     * Creates the object {@code body} describes; {@code track} sets its managedFields once admitted.
     * A dry run answers with the admitted object and stores nothing.
     */
    Reply create(ResourceType type, String namespace, JsonNode body, java.util.function.UnaryOperator<ObjectNode> track, boolean dryRun) {
        if (type.namespaced()) {
            requireNamespace(namespace);
            if (Namespaces.terminating(store, namespace)) {
                throw new ApiException(403, "Forbidden", type.name() + " is forbidden: unable to create new content in namespace "
                        + namespace + " because it is being terminated", null);
            }
        }
        boolean unbound = body.at("/spec/nodeName").asText("").isEmpty(); // read before admission defaults it
        ObjectNode o = track.apply(admission.create(type, namespace, body, clock.instant()));
        String name = o.at("/metadata/name").asText();
        if (name.isEmpty()) throw ApiException.invalid(type, "", List.of(dev.peapod.api.FieldError.required("metadata.name", "name or generateName is required")));
        if (dryRun) return new Reply.Document(201, o);
        try {
            Key key = key(type, namespace, name);
            Stored s = type == ResourceType.PODS ? scheduler.create(o, unbound, pod -> store.create(key, pod)) : store.create(key, o);
            if (type == ResourceType.NAMESPACES) Bootstrap.defaultServiceAccount(store, name, clock.instant());
            return new Reply.Document(201, s.object(), type == ResourceType.PODS ? Admission.warnings(s.object()) : List.of());
        } catch (StoreException.AlreadyExists e) {
            throw ApiException.alreadyExists(type, name);
        }
    }

    private void requireNamespace(String namespace) {
        if (store.get(new Key("namespaces", "", namespace)).isEmpty()) throw ApiException.notFound(ResourceType.NAMESPACES, namespace);
    }

    /** Which part of an object a write addresses: the object, its {@code status}, or a pod's {@code resize}. */
    enum Subresource {
        NONE, STATUS, RESIZE;

        /** The name managedFields entries record ("" for the object itself). */
        String fieldName() { return this == NONE ? "" : name().toLowerCase(java.util.Locale.ROOT); }
    }

    Optional<Stored> find(ResourceType type, String namespace, String name) { return store.get(key(type, namespace, name)); }

    InstantSource clock() { return clock; }

    ObjectNode admit(Subresource sub, ResourceType type, JsonNode old, JsonNode body) {
        return switch (sub) {
            case NONE -> admission.update(type, old, body);
            case STATUS -> admission.updateStatus(type, old, body);
            case RESIZE -> admission.updateResize(old, body);
        };
    }

    Reply update(ResourceType type, String namespace, String name, Subresource sub, ApiRequest req) {
        JsonNode body = Json.parse(req.body());
        Stored old = load(type, namespace, name);
        String rv = Json.text(body, "/metadata/resourceVersion");
        long expected = rv == null || rv.isEmpty() ? old.revision() : revision(rv);
        ObjectNode next = ManagedFields.recordUpdate(admit(sub, type, old.object(), body), old.object(), body, type,
                ServerSideApply.manager(req), sub.fieldName(), clock.instant());
        if (ServerSideApply.dryRun(req)) return ok(dryWrite(type, name, old, next, expected));
        return ok(write(type, name, next, expected));
    }

    Reply patch(ResourceType type, String namespace, String name, Subresource sub, ApiRequest req) {
        if (ServerSideApply.isApply(req.contentType())) return ServerSideApply.patch(this, type, namespace, name, sub, req);
        ServerSideApply.checkPatchOptions(req);
        JsonNode patch = Json.parse(req.body());
        for (int attempt = 1; ; attempt++) {
            Stored old = load(type, namespace, name);
            JsonNode patched = Patches.apply(req.contentType(), old.object(), patch);
            String rv = Json.text(patched, "/metadata/resourceVersion");
            if (rv != null && !rv.equals(Long.toString(old.revision()))) {
                throw ApiException.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            ObjectNode next = ManagedFields.recordUpdate(admit(sub, type, old.object(), patched), old.object(), patched, type,
                    ServerSideApply.manager(req), sub.fieldName(), clock.instant());
            if (ServerSideApply.dryRun(req)) return ok(dryWrite(type, name, old, next, old.revision()));
            try {
                return ok(write(type, name, next, old.revision()));
            } catch (ApiException e) {
                if (e.code != 409 || rv != null || attempt == PATCH_ATTEMPTS) throw e;
            }
        }
    }

    JsonNode write(ResourceType type, String name, ObjectNode next, long expected) {
        Key key = new Key(type.name(), next.at("/metadata/namespace").asText(""), name);
        if (stripVersion(next).equals(stripVersion(store.get(key).map(Stored::object).orElse(null)))) {
            return store.get(key).orElseThrow().object(); // a no-op update takes no revision, as in kube-apiserver
        }
        try {
            if (Finalizers.releasable(type, next)) {
                JsonNode last = store.delete(key, expected).object();
                if (type == ResourceType.PODS) Namespaces.finishIfEmpty(store, key.namespace());
                return last;
            }
            Stored stored = store.update(key, next, expected);
            JsonNode written = stored.object();
            if (type == ResourceType.NODES) scheduler.nodeWritten(written); // uncordoned: bind the pods waiting
            if (type == ResourceType.PODS) scheduler.podWritten(stored, admission.nodeName()); // its last gate removed
            return written;
        } catch (StoreException.Conflict e) {
            throw ApiException.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
        } catch (StoreException.NotFound e) {
            throw ApiException.notFound(type, name);
        }
    }

    /**
     * {@code dryRun=All} (kubectl's {@code --dry-run=server}, {@code kubectl diff}): the request is decoded,
     * admitted (defaulting, validation, update rules) and checked against the stored revision like a real
     * write, and the object it would store is the answer; nothing is stored (KEP-576).
     */
    private static JsonNode dryWrite(ResourceType type, String name, Stored old, ObjectNode next, long expected) {
        if (expected != old.revision()) {
            throw ApiException.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
        }
        Json.meta(next).put("resourceVersion", Long.toString(old.revision()));
        return next;
    }

    private static JsonNode stripVersion(JsonNode o) {
        if (o == null) return null;
        ObjectNode c = o.deepCopy();
        Json.meta(c).remove("resourceVersion");
        return c;
    }

    /**
     * DELETE. Pods bound to the node are deleted gracefully (kube-apiserver's pod strategy
     * {@code CheckGracefulDelete}): the grace period from the options, else the pod's
     * terminationGracePeriodSeconds, becomes {@code deletionTimestamp}/{@code deletionGracePeriodSeconds};
     * the node stops the pod and then removes it from the store. A grace period of 0 (force), an
     * unbound pod and a pod in a terminal phase are removed at once. Other kinds are removed at once.
     */
    Reply delete(ResourceType type, String namespace, String name, ApiRequest req) {
        JsonNode options = req.body().isBlank() ? Json.object() : Json.parse(req.body());
        Stored old = load(type, namespace, name);
        String preUid = Json.text(options, "/preconditions/uid"), preRv = Json.text(options, "/preconditions/resourceVersion");
        if (preUid != null && !preUid.equals(old.uid())) {
            throw ApiException.conflict(type, name, "Precondition failed: UID in precondition: " + preUid + ", UID in object meta: " + old.uid());
        }
        long expected = preRv == null ? old.revision() : revision(preRv);
        old = Cascade.withFinalizers(old, Cascade.policy(req, options));
        if (ServerSideApply.dryRun(req) || options.path("dryRun").isArray() && !options.path("dryRun").isEmpty()) {
            // Dry run (DeleteOptions.dryRun or ?dryRun=All): the object as it is; nothing is deleted.
            if (expected != old.revision()) {
                throw ApiException.conflict(type, name, "Precondition failed: ResourceVersion in precondition: " + preRv
                        + ", ResourceVersion in object meta: " + old.revision());
            }
            return ok(old.object());
        }
        if (type == ResourceType.NAMESPACES) {
            if (Bootstrap.NAMESPACES.contains(name)) {
                throw new ApiException(403, "Forbidden", "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted", null);
            }
            if (old.object().at("/metadata/deletionTimestamp").isTextual()) return ok(old.object());
            return ok(Namespaces.delete(store, this, old, Json.time(clock.instant())).object());
        }
        if (type == ResourceType.PODS) {
            Long grace = gracePeriod(req.param("gracePeriodSeconds"), options, old.object());
            if (grace > 0) return ok(gracefully(type, name, old, grace, expected));
        }
        if (Finalizers.pending(old.object())) return ok(write(type, name, Finalizers.markDeleted(old.object(), Json.time(clock.instant())), expected));
        try {
            return ok(store.delete(key(type, namespace, name), expected).object());
        } catch (StoreException.Conflict e) {
            throw ApiException.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
        } catch (StoreException.NotFound e) {
            throw ApiException.notFound(type, name);
        }
    }

    /**
     * POST pods/{name}/eviction (policy/v1 Eviction): a graceful delete with the Eviction's
     * {@code deleteOptions}, answered with a Success Status and 201 as kube-apiserver does. There are no
     * PodDisruptionBudgets on one node, so an eviction is never refused with 429.
     */
    Reply evict(String namespace, String name, ApiRequest req) {
        JsonNode body = req.body().isBlank() ? Json.object() : Json.parse(req.body());
        String kind = body.path("kind").asText("Eviction"), apiVersion = body.path("apiVersion").asText("policy/v1");
        if (!kind.equals("Eviction") || !(apiVersion.equals("policy/v1") || apiVersion.equals("policy/v1beta1"))) {
            throw ApiException.badRequest("the body must be a policy/v1 Eviction, not " + apiVersion + " " + kind);
        }
        String named = body.at("/metadata/name").asText(name);
        if (!named.equals(name)) {
            throw ApiException.badRequest("name in URL does not match name in Eviction object");
        }
        JsonNode options = body.path("deleteOptions");
        delete(ResourceType.PODS, namespace, name, new ApiRequest("DELETE", req.path(), java.util.Map.of(), req.accept(),
                "application/json", req.authorization(), options.isObject() ? options.toString() : ""));
        var status = Json.object().put("kind", "Status").put("apiVersion", "v1").put("status", "Success").put("code", 201);
        status.putObject("metadata");
        return new Reply.Document(201, status);
    }

    /** Deletes a pod with its own grace period (namespace deletion). */
    void deletePod(Stored pod, String gracePeriodSeconds) {
        long grace = gracePeriod(gracePeriodSeconds, Json.object(), pod.object());
        if (grace > 0) gracefully(ResourceType.PODS, pod.key().name(), pod, grace, pod.revision());
        else if (Finalizers.pending(pod.object())) write(ResourceType.PODS, pod.key().name(), Finalizers.markDeleted(pod.object(), Json.time(clock.instant())), pod.revision());
        else store.delete(pod.key(), 0);
    }

    private static Long gracePeriod(String query, JsonNode options, JsonNode pod) {
        String phase = pod.at("/status/phase").asText("");
        if (pod.at("/spec/nodeName").asText("").isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) return 0L;
        if (query != null) return Long.parseLong(query);
        if (options.path("gracePeriodSeconds").isNumber()) return options.get("gracePeriodSeconds").asLong();
        return pod.at("/spec/terminationGracePeriodSeconds").asLong(30);
    }

    private JsonNode gracefully(ResourceType type, String name, Stored old, long grace, long expected) {
        ObjectNode o = old.object().deepCopy();
        ObjectNode meta = Json.meta(o);
        long current = meta.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE);
        if (meta.has("deletionTimestamp") && grace >= current) return old.object(); // only a shorter grace period changes anything
        Instant at = clock.instant().plusSeconds(grace);
        meta.put("deletionTimestamp", Json.time(at));
        meta.put("deletionGracePeriodSeconds", grace);
        return write(type, name, o, expected);
    }

    private static Reply ok(JsonNode body) { return new Reply.Document(200, body); }
}
