package dev.peapod.apiserver;

import java.util.List;
import java.util.Optional;

/**
 * A resource of the core v1 group that Peapod serves: its plural name (the URL segment and the
 * store's resource), kind, scope and kubectl short names, as {@code /api/v1} discovery lists them.
 */
record ResourceType(String name, String singular, String kind, boolean namespaced, List<String> shortNames, boolean hasStatus) {

    static final ResourceType PODS = new ResourceType("pods", "pod", "Pod", true, List.of("po"), true);
    static final ResourceType NAMESPACES = new ResourceType("namespaces", "namespace", "Namespace", false, List.of("ns"), true);
    static final ResourceType CONFIGMAPS = new ResourceType("configmaps", "configmap", "ConfigMap", true, List.of("cm"), false);
    static final ResourceType SECRETS = new ResourceType("secrets", "secret", "Secret", true, List.of(), false);
    static final ResourceType EVENTS = new ResourceType("events", "event", "Event", true, List.of("ev"), false);
    static final ResourceType SERVICE_ACCOUNTS = new ResourceType("serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), false);
    static final ResourceType PERSISTENT_VOLUME_CLAIMS = new ResourceType("persistentvolumeclaims", "persistentvolumeclaim",
            "PersistentVolumeClaim", true, List.of("pvc"), true);

    static final ResourceType NODES = new ResourceType("nodes", "node", "Node", false, List.of("no"), true);

    static final List<ResourceType> ALL = List.of(PODS, NAMESPACES, NODES, CONFIGMAPS, SECRETS, EVENTS, SERVICE_ACCOUNTS, PERSISTENT_VOLUME_CLAIMS);

    static Optional<ResourceType> byName(String name) {
        return ALL.stream().filter(t -> t.name.equals(name)).findFirst();
    }

    /** The verbs discovery advertises; kubectl checks them (e.g. {@code watch} for {@code get -w}). */
    static final List<String> VERBS = List.of("create", "delete", "get", "list", "patch", "update", "watch");
}
