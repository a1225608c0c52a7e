package dev.peapod.daemon;

import dev.peapod.node.ConfigSource;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Watch;
import dev.peapod.store.WatchEvent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * ConfigMaps, Secrets and PersistentVolumeClaims for pods come from the store in {@code peapod serve}:
 * lookups read the current object; watchers hear of every write to a ConfigMap or Secret (one store watch per kind, started
 * with the first watcher, resumed after the last revision seen, from the current one after Gone).
 */
final class StoreConfigSource implements ConfigSource, AutoCloseable {
    private static final Duration POLL = Duration.ofSeconds(1);
    private final ObjectStore store;
    private final List<Consumer<Change>> watchers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private boolean started;

    StoreConfigSource(ObjectStore store) { this.store = store; }

    @Override
    public Optional<ConfigMap> configMap(String namespace, String name) {
        return store.get(new Key("configmaps", namespace, name)).map(s -> StoredObjects.typed(s.object()));
    }

    @Override
    public Optional<Secret> secret(String namespace, String name) {
        return store.get(new Key("secrets", namespace, name)).map(s -> StoredObjects.typed(s.object()));
    }

    /** A claim the apiserver admitted (bound at once); a claim being deleted still serves the pods that use it. */
    @Override
    public Optional<PersistentVolumeClaim> persistentVolumeClaim(String namespace, String name) {
        return store.get(new Key("persistentvolumeclaims", namespace, name)).map(s -> StoredObjects.typed(s.object()));
    }

    @Override
    public synchronized void watch(Consumer<Change> watcher) {
        watchers.add(watcher);
        if (started) return;
        started = true;
        long from = store.revision();
        Thread.ofVirtual().name("config-watch").start(() -> follow("configmaps", Kind.CONFIG_MAP, from));
        Thread.ofVirtual().name("secret-watch").start(() -> follow("secrets", Kind.SECRET, from));
    }

    private void follow(String resource, Kind kind, long from) {
        long after = from;
        while (!closed) {
            try (Watch w = store.watch(resource, null, after)) {
                while (!closed && w.isOpen()) {
                    WatchEvent e = w.next(POLL);
                    if (e == null) continue;
                    after = e.revision();
                    var change = new Change(kind, e.key().namespace(), e.key().name());
                    watchers.forEach(c -> c.accept(change));
                }
            } catch (StoreException.Gone e) {
                after = store.revision();
            } catch (InterruptedException | StoreException.Failed e) {
                return; // stopping, or the store is closed
            }
        }
    }

    @Override
    public void close() { closed = true; }
}
