package dev.peapod.daemon;

import dev.peapod.node.ConfigSource;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;

import java.util.Optional;

/** ConfigMaps and Secrets for pods come from the store in {@code peapod serve}: always the current object. */
final class StoreConfigSource implements ConfigSource {
    private final ObjectStore store;

    StoreConfigSource(ObjectStore store) { this.store = store; }

    @Override
    public Optional<ConfigMap> configMap(String namespace, String name) {
        return store.get(new Key("configmaps", namespace, name)).map(s -> StoredObjects.typed(s.object()));
    }

    @Override
    public Optional<Secret> secret(String namespace, String name) {
        return store.get(new Key("secrets", namespace, name)).map(s -> StoredObjects.typed(s.object()));
    }
}
