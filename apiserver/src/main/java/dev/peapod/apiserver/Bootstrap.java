package dev.peapod.apiserver;

import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The objects a new cluster has: the namespaces {@code default}, {@code kube-system},
 * {@code kube-public} and {@code kube-node-lease} (kube-apiserver's system namespaces controller),
 * and a {@code default} service account in every namespace (the service account controller).
 * Idempotent: runs on every start.
 */
public final class Bootstrap {
    static final List<String> NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

    private Bootstrap() {}

    public static void ensure(ObjectStore store, Instant now) {
        for (String ns : NAMESPACES) {
            var o = Json.object().put("apiVersion", "v1").put("kind", "Namespace");
            o.putObject("metadata").put("name", ns).put("uid", UUID.randomUUID().toString()).put("creationTimestamp", Json.time(now))
                    .putObject("labels").put("kubernetes.io/metadata.name", ns);
            o.putObject("spec").putArray("finalizers").add("kubernetes");
            o.putObject("status").put("phase", "Active");
            createIfAbsent(store, new Key("namespaces", "", ns), o);
        }
        for (var ns : store.list("namespaces", null).items()) defaultServiceAccount(store, ns.key().name(), now);
    }

    static void defaultServiceAccount(ObjectStore store, String namespace, Instant now) {
        var o = Json.object().put("apiVersion", "v1").put("kind", "ServiceAccount");
        o.putObject("metadata").put("name", "default").put("namespace", namespace)
                .put("uid", UUID.randomUUID().toString()).put("creationTimestamp", Json.time(now));
        createIfAbsent(store, new Key("serviceaccounts", namespace, "default"), o);
    }

    private static void createIfAbsent(ObjectStore store, Key key, com.fasterxml.jackson.databind.node.ObjectNode o) {
        if (store.get(key).isPresent()) return;
        try {
            store.create(key, o);
        } catch (StoreException.AlreadyExists e) {
            // created concurrently: fine
        }
    }
}
