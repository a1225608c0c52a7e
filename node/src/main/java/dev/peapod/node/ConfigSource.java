package dev.peapod.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where ConfigMaps and Secrets come from: the API store in {@code peapod serve}, the same YAML
 * files in {@code peapod up}. Contract: thread safe, non-blocking lookups.
 */
public interface ConfigSource {
    Optional<ConfigMap> configMap(String namespace, String name);

    Optional<Secret> secret(String namespace, String name);

    ConfigSource EMPTY = of(java.util.List.of(), java.util.List.of());

    /** A fixed set of objects (namespace "default" when unset). */
    static ConfigSource of(Collection<ConfigMap> configMaps, Collection<Secret> secrets) {
        Map<String, ConfigMap> cms = new ConcurrentHashMap<>();
        Map<String, Secret> secs = new ConcurrentHashMap<>();
        for (ConfigMap c : configMaps) cms.put(key(c.getMetadata().getNamespace(), c.getMetadata().getName()), c);
        for (Secret s : secrets) secs.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
        return new ConfigSource() {
            @Override public Optional<ConfigMap> configMap(String ns, String name) { return Optional.ofNullable(cms.get(key(ns, name))); }
            @Override public Optional<Secret> secret(String ns, String name) { return Optional.ofNullable(secs.get(key(ns, name))); }
        };
    }

    private static String key(String ns, String name) { return (ns == null ? "default" : ns) + "/" + name; }
}
