package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;

/**
 * Namespace deletion, as kube-apiserver and the namespace controller do it together: the
 * namespace becomes Terminating ({@code deletionTimestamp}, {@code status.phase}), no new object may
 * be created in it, its objects are deleted (pods gracefully, by the node), and once no pod is left
 * the namespace itself goes. {@link #finishIfEmpty} is the last step, called by whoever removes the
 * last pod (the node's final delete).
 */
public final class Namespaces {
    private Namespaces() {}

    static boolean terminating(ObjectStore store, String namespace) {
        return store.get(new Key("namespaces", "", namespace))
                .map(s -> s.object().at("/metadata/deletionTimestamp").isTextual()).orElse(false);
    }

    /** Removes the namespace if it is Terminating and holds no pod any more. Idempotent. */
    public static void finishIfEmpty(ObjectStore store, String namespace) {
        var key = new Key("namespaces", "", namespace);
        for (int attempt = 0; attempt < 5; attempt++) {
            Stored ns = store.get(key).orElse(null);
            if (ns == null || !ns.object().at("/metadata/deletionTimestamp").isTextual()) return;
            if (!store.list("pods", namespace).items().isEmpty()) return;
            try {
                store.delete(key, ns.revision());
                return;
            } catch (StoreException.Conflict | StoreException.NotFound e) {
                // changed meanwhile: look again
            }
        }
    }

    /** Starts deleting {@code ns}; returns the namespace as it is now (Terminating, or its last state when it went at once). */
    static Stored delete(ObjectStore store, Rest rest, Stored ns, String now) {
        String name = ns.key().name();
        ObjectNode o = ns.object().deepCopy();
        Json.meta(o).put("deletionTimestamp", now);
        ((ObjectNode) (o.get("status") instanceof ObjectNode s ? s : o.putObject("status"))).put("phase", "Terminating");
        Stored terminating = store.update(ns.key(), o, ns.revision());
        for (ResourceType t : ResourceType.ALL) {
            if (!t.namespaced()) continue;
            for (Stored s : store.list(t.name(), name).items()) {
                try {
                    if (t == ResourceType.PODS) rest.deletePod(s, null);
                    else store.delete(s.key(), 0);
                } catch (StoreException.NotFound | ApiException e) {
                    // gone already
                }
            }
        }
        finishIfEmpty(store, name);
        return store.get(ns.key()).orElse(terminating);
    }
}
