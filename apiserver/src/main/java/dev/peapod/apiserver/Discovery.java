package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What clients learn before they ask for objects: {@code /version}, {@code /api}, {@code /api/v1},
 * {@code /apis} (coordination.k8s.io, for the node's Lease). The OpenAPI documents are {@link OpenApi}'s.
 */
final class Discovery {
    static final String GIT_VERSION = "v1.32.0-peapod";

    private Discovery() {}

    static ObjectNode version() {
        return Json.object().put("major", "1").put("minor", "32").put("gitVersion", GIT_VERSION)
                .put("gitCommit", "").put("gitTreeState", "clean").put("buildDate", "1970-01-01T00:00:00Z")
                .put("goVersion", "java" + Runtime.version().feature()).put("compiler", "peapod")
                .put("platform", "linux/amd64");
    }

    static ObjectNode apiVersions(String serverAddress) {
        var v = Json.object().put("kind", "APIVersions");
        v.putArray("versions").add("v1");
        v.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return v;
    }

    static ObjectNode apiGroups() {
        var g = Json.object().put("kind", "APIGroupList").put("apiVersion", "v1");
        g.putArray("groups").add(CoordinationGroup.group());
        return g;
    }

    static ObjectNode coreResources() {
        var list = Json.object().put("kind", "APIResourceList").put("groupVersion", "v1");
        var resources = list.putArray("resources");
        for (ResourceType t : ResourceType.ALL) {
            var r = resources.addObject().put("name", t.name()).put("singularName", t.singular())
                    .put("namespaced", t.namespaced()).put("kind", t.kind());
            var verbs = r.putArray("verbs");
            ResourceType.VERBS.forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                var shorts = r.putArray("shortNames");
                t.shortNames().forEach(shorts::add);
            }
            if (t == ResourceType.PODS) r.putArray("categories").add("all");
            if (t.hasStatus()) {
                var s = resources.addObject().put("name", t.name() + "/status").put("singularName", "")
                        .put("namespaced", t.namespaced()).put("kind", t.kind());
                s.putArray("verbs").add("get").add("patch").add("update");
            }
            if (t == ResourceType.PODS) {
                var s = resources.addObject().put("name", "pods/resize").put("singularName", "")
                        .put("namespaced", true).put("kind", "Pod");
                s.putArray("verbs").add("get").add("patch").add("update");
                var e = resources.addObject().put("name", "pods/eviction").put("singularName", "").put("namespaced", true)
                        .put("group", "policy").put("version", "v1").put("kind", "Eviction");
                e.putArray("verbs").add("create");
                resources.addObject().put("name", "pods/log").put("singularName", "").put("namespaced", true)
                        .put("kind", "Pod").putArray("verbs").add("get");
                resources.addObject().put("name", "pods/attach").put("singularName", "").put("namespaced", true)
                        .put("kind", "PodAttachOptions").putArray("verbs").add("create").add("get");
            }
        }
        return list;
    }
}
