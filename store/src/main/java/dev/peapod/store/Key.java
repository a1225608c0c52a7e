package dev.peapod.store;

import java.util.Objects;

/**
 * Where an object lives: its resource (plural, lower case: {@code pods}), namespace ({@code ""} for
 * cluster-scoped resources such as namespaces) and name — the etcd key
 * {@code /registry/<resource>/<namespace>/<name>} of kube-apiserver, as a record.
 */
public record Key(String resource, String namespace, String name) {
    public Key {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? resource + "/" + name : resource + "/" + namespace + "/" + name;
    }
}
