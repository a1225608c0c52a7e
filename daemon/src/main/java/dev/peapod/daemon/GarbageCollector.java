package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.apiserver.ApiHandler;
import dev.peapod.apiserver.ApiRequest;
import dev.peapod.apiserver.Cascade;
import dev.peapod.apiserver.Reply;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.Stored;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The garbage collector of kube-controller-manager, for the kinds Peapod serves
 * (https://kubernetes.io/docs/concepts/architecture/garbage-collection/): objects whose owners
 * ({@code metadata.ownerReferences}, by uid) are all gone are deleted; an owner deleted in the
 * foreground ({@value Cascade#FOREGROUND} finalizer) has its dependents deleted first and goes once
 * no dependent with {@code blockOwnerDeletion} is left; an owner deleted with {@value Cascade#ORPHAN}
 * has its dependents' references to it removed first. {@link #plan} decides (a pure function of the
 * objects); {@link #sweep} carries the decisions out through the API (deletes with a uid
 * precondition, updates with the resourceVersion read), so pods are deleted gracefully as any
 * client's delete would, and a write that loses a race is simply planned again on the next sweep.
 *
 * <p>Owners of kinds Peapod does not serve (a ReplicaSet, say) cannot be looked up: such references
 * count as present, as the collector leaves a dependent alone whose owner it cannot resolve. Events
 * are not collected (kube's collector does; Peapod's events carry no ownerReferences, and listing
 * them every sweep would cost more than the rest together).
 */
final class GarbageCollector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("peapod.daemon");
    static final Duration PERIOD = Duration.ofSeconds(1);

    /** A v1 kind the collector resolves: its store resource and whether it is namespaced. */
    record Kind(String resource, boolean namespaced) {}

    static final Map<String, Kind> KINDS = Map.of(
            "Pod", new Kind("pods", true), "ConfigMap", new Kind("configmaps", true), "Secret", new Kind("secrets", true),
            "ServiceAccount", new Kind("serviceaccounts", true), "Namespace", new Kind("namespaces", false),
            "Node", new Kind("nodes", false));

    /** What one sweep does. */
    sealed interface Action {
        Key key();

        String uid();

        /** Delete the object ({@code policy} Background or Foreground): its owners are all gone or being deleted in the foreground. */
        record Delete(Key key, String uid, String policy) implements Action {}

        /** Remove the references to these owners (absent, orphaning, or waiting for their dependents while others remain). */
        record DropOwners(Key key, String uid, Set<String> owners) implements Action {}

        /** Remove {@code finalizer}: the owner's orphaning or foreground deletion is done. */
        record DropFinalizer(Key key, String uid, String finalizer) implements Action {}
    }

    /** The decisions for {@code objects} (every object of {@link #KINDS}), in the order to carry them out. */
    static List<Action> plan(List<Stored> objects) {
        Map<Key, Stored> byKey = new HashMap<>();
        for (Stored s : objects) byKey.put(s.key(), s);
        // owner uid → (dependent, its reference to that owner)
        Map<String, List<Map.Entry<Stored, JsonNode>>> dependents = new HashMap<>();
        for (Stored s : objects) {
            for (JsonNode ref : s.object().at("/metadata/ownerReferences")) {
                dependents.computeIfAbsent(ref.path("uid").asText(), u -> new ArrayList<>()).add(Map.entry(s, ref));
            }
        }
        List<Action> actions = new ArrayList<>();
        for (Stored s : objects) {
            JsonNode meta = s.object().path("metadata");
            var deps = dependents.getOrDefault(s.uid(), List.of());
            if (deleting(s) && hasFinalizer(s, Cascade.ORPHAN)) {
                for (var d : deps) actions.add(new Action.DropOwners(d.getKey().key(), d.getKey().uid(), Set.of(s.uid())));
                if (deps.isEmpty()) actions.add(new Action.DropFinalizer(s.key(), s.uid(), Cascade.ORPHAN));
            }
            if (deleting(s) && hasFinalizer(s, Cascade.FOREGROUND)
                    && deps.stream().noneMatch(d -> d.getValue().path("blockOwnerDeletion").asBoolean(false))) {
                actions.add(new Action.DropFinalizer(s.key(), s.uid(), Cascade.FOREGROUND));
            }
            if (!meta.path("ownerReferences").isEmpty() && !deleting(s)) {
                Action a = attemptToDelete(s, byKey, !deps.isEmpty());
                if (a != null) actions.add(a);
            }
        }
        return actions;
    }

    /** kube's attemptToDeleteItem: sort the owners into solid, dangling and waiting-for-dependents. */
    private static Action attemptToDelete(Stored s, Map<Key, Stored> byKey, boolean hasDependents) {
        Set<String> dangling = new LinkedHashSet<>(), waiting = new LinkedHashSet<>();
        boolean solid = false;
        for (JsonNode ref : s.object().at("/metadata/ownerReferences")) {
            String uid = ref.path("uid").asText();
            Kind kind = ref.path("apiVersion").asText().equals("v1") ? KINDS.get(ref.path("kind").asText()) : null;
            if (kind == null) {
                solid = true; // not resolvable here: never collect on its account
                continue;
            }
            // A namespaced owner must be in the dependent's namespace; a cluster-scoped dependent can only have cluster-scoped owners.
            Stored owner = kind.namespaced() && s.key().namespace().isEmpty() ? null
                    : byKey.get(new Key(kind.resource(), kind.namespaced() ? s.key().namespace() : "", ref.path("name").asText()));
            if (owner == null || !owner.uid().equals(uid)) dangling.add(uid);
            else if (deleting(owner) && hasFinalizer(owner, Cascade.FOREGROUND)) waiting.add(uid);
            else solid = true;
        }
        if (solid) {
            if (dangling.isEmpty() && waiting.isEmpty()) return null;
            var drop = new LinkedHashSet<>(dangling);
            drop.addAll(waiting);
            return new Action.DropOwners(s.key(), s.uid(), drop);
        }
        // Dependents of a dependent deleted for a foreground owner go first too.
        return new Action.Delete(s.key(), s.uid(), !waiting.isEmpty() && hasDependents ? "Foreground" : "Background");
    }

    private static boolean deleting(Stored s) { return s.object().at("/metadata/deletionTimestamp").isTextual(); }

    private static boolean hasFinalizer(Stored s, String finalizer) {
        for (JsonNode f : s.object().at("/metadata/finalizers")) if (f.asText().equals(finalizer)) return true;
        return false;
    }

    private final ObjectStore store;
    private final ApiHandler api;
    private final String authorization;
    private Periodic loop;
    private long swept = -1;

    /** @param token a bearer token of {@code api}: the collector is a client of the API as kube-controller-manager is */
    GarbageCollector(ObjectStore store, ApiHandler api, String token) {
        this.store = store;
        this.api = api;
        this.authorization = "Bearer " + token;
    }

    /** Sweeps every {@link #PERIOD}, when something was written since the last sweep. */
    void start() {
        loop = Periodic.every(PERIOD, "garbage-collector", () -> {
            long revision = store.revision();
            if (revision == swept) return; // nothing written since: nothing new to decide
            sweep();
            swept = revision;
        });
    }

    /** One pass: plans over the current objects and carries the plan out. Returns the actions taken. */
    List<Action> sweep() {
        List<Stored> objects = new ArrayList<>();
        for (Kind k : KINDS.values()) objects.addAll(store.list(k.resource(), null).items());
        List<Action> actions = plan(objects);
        for (Action a : actions) apply(a);
        return actions;
    }

    private void apply(Action action) {
        Reply.Document r = switch (action) {
            case Action.Delete d -> call("DELETE", d.key(), StoredObjects.JSON.createObjectNode().put("kind", "DeleteOptions")
                    .put("apiVersion", "v1").put("propagationPolicy", d.policy()).set("preconditions",
                            StoredObjects.JSON.createObjectNode().put("uid", d.uid())));
            case Action.DropOwners d -> update(d, o -> {
                ArrayNode kept = StoredObjects.JSON.createArrayNode();
                for (JsonNode ref : o.at("/metadata/ownerReferences")) if (!d.owners().contains(ref.path("uid").asText())) kept.add(ref);
                if (kept.isEmpty()) ((ObjectNode) o.get("metadata")).remove("ownerReferences");
                else ((ObjectNode) o.get("metadata")).set("ownerReferences", kept);
            });
            case Action.DropFinalizer d -> update(d, o -> {
                ArrayNode kept = StoredObjects.JSON.createArrayNode();
                for (JsonNode f : o.at("/metadata/finalizers")) if (!f.asText().equals(d.finalizer())) kept.add(f);
                if (kept.isEmpty()) ((ObjectNode) o.get("metadata")).remove("finalizers");
                else ((ObjectNode) o.get("metadata")).set("finalizers", kept);
            });
        };
        if (r != null && r.status() >= 300 && r.status() != 404 && r.status() != 409) {
            LOG.log(System.Logger.Level.WARNING, "garbage collector: " + action + " refused: " + r.body().path("message").asText());
        }
    }

    /** Changes the stored object (if it is still the one planned for) and writes it back at the revision read. */
    private Reply.Document update(Action action, java.util.function.Consumer<ObjectNode> change) {
        Stored current = store.get(action.key()).orElse(null);
        if (current == null || !current.uid().equals(action.uid())) return null;
        ObjectNode next = current.object().deepCopy();
        change.accept(next);
        return call("PUT", action.key(), next);
    }

    private Reply.Document call(String method, Key key, JsonNode body) {
        String path = key.namespace().isEmpty() ? "/api/v1/" + key.resource() + "/" + key.name()
                : "/api/v1/namespaces/" + key.namespace() + "/" + key.resource() + "/" + key.name();
        var reply = api.handle(new ApiRequest(method, path, Map.of(), "application/json", "application/json", authorization, body.toString()));
        return reply instanceof Reply.Document d ? d : null;
    }

    @Override
    public void close() {
        if (loop != null) loop.close();
    }
}
