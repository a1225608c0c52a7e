package dev.peapod.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Where ConfigMaps, Secrets and PersistentVolumeClaims come from: the API store in {@code peapod serve}, the same YAML
 * files in {@code peapod up}. Contract: thread safe, non-blocking lookups. A source whose objects
 * change tells its {@link #watch watchers} after each change (created, updated or deleted), on the
 * changing thread; watchers must not block.
 */
public interface ConfigSource {
    Optional<ConfigMap> configMap(String namespace, String name);

    Optional<Secret> secret(String namespace, String name);

    /** The claim a {@code persistentVolumeClaim} volume names; none unless the source holds claims. */
    default Optional<PersistentVolumeClaim> persistentVolumeClaim(String namespace, String name) { return Optional.empty(); }

    /** What changed: the kind, namespace and name of one object. */
    enum Kind { CONFIG_MAP, SECRET }

    record Change(Kind kind, String namespace, String name) {}

    /** Registers a watcher of changes. A fixed source never calls it. */
    default void watch(Consumer<Change> watcher) {}

    ConfigSource EMPTY = of(java.util.List.of(), java.util.List.of());

    /** A fixed set of objects (namespace "default" when unset). */
    static ConfigSource of(Collection<ConfigMap> configMaps, Collection<Secret> secrets) {
        return of(configMaps, secrets, java.util.List.of());
    }

    /** A fixed set of objects, claims included (namespace "default" when unset). */
    static ConfigSource of(Collection<ConfigMap> configMaps, Collection<Secret> secrets, Collection<PersistentVolumeClaim> claims) {
        var source = new MutableConfigSource();
        configMaps.forEach(source::put);
        secrets.forEach(source::put);
        var byKey = new java.util.HashMap<String, PersistentVolumeClaim>();
        claims.forEach(c -> byKey.put(key(c.getMetadata().getNamespace(), c.getMetadata().getName()), c));
        return new ConfigSource() {
            @Override public Optional<ConfigMap> configMap(String ns, String name) { return source.configMap(ns, name); }
            @Override public Optional<Secret> secret(String ns, String name) { return source.secret(ns, name); }
            @Override public Optional<PersistentVolumeClaim> persistentVolumeClaim(String ns, String name) {
                return Optional.ofNullable(byKey.get(key(ns, name)));
            }
        };
    }

    private static String key(String ns, String name) { return (ns == null ? "default" : ns) + "/" + name; }

    /**
     * A source that changes: what {@code peapod serve}'s store will feed, and what tests use to
     * change a ConfigMap under a running pod.
     */
    final class MutableConfigSource implements ConfigSource {
        private final Map<String, ConfigMap> configMaps = new ConcurrentHashMap<>();
        private final Map<String, Secret> secrets = new ConcurrentHashMap<>();
        private final java.util.List<Consumer<Change>> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override public Optional<ConfigMap> configMap(String ns, String name) { return Optional.ofNullable(configMaps.get(key(ns, name))); }

        @Override public Optional<Secret> secret(String ns, String name) { return Optional.ofNullable(secrets.get(key(ns, name))); }

        @Override public void watch(Consumer<Change> watcher) { watchers.add(watcher); }

        /** Creates or replaces a ConfigMap (namespace "default" when unset) and tells the watchers. */
        public void put(ConfigMap c) {
            configMaps.put(key(c.getMetadata().getNamespace(), c.getMetadata().getName()), c);
            notify(Kind.CONFIG_MAP, c.getMetadata().getNamespace(), c.getMetadata().getName());
        }

        /** Creates or replaces a Secret (namespace "default" when unset) and tells the watchers. */
        public void put(Secret s) {
            secrets.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
            notify(Kind.SECRET, s.getMetadata().getNamespace(), s.getMetadata().getName());
        }

        public void removeConfigMap(String namespace, String name) {
            if (configMaps.remove(key(namespace, name)) != null) notify(Kind.CONFIG_MAP, namespace, name);
        }

        public void removeSecret(String namespace, String name) {
            if (secrets.remove(key(namespace, name)) != null) notify(Kind.SECRET, namespace, name);
        }

        private void notify(Kind kind, String ns, String name) {
            var change = new Change(kind, ns == null ? "default" : ns, name);
            watchers.forEach(w -> w.accept(change));
        }
    }
}
