package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What clients learn before they ask for objects: {@code /version}, {@code /api}, {@code /api/v1},
 * {@code /apis} (coordination.k8s.io, for the node's Lease), and the OpenAPI v3 index and {@code api/v1} document.
 *
 * <p>OpenAPI: kubectl 1.32 validates {@code create}/{@code apply} by asking the server to
 * (the {@code fieldValidation=Strict} query parameter, KEP-2885) once the OpenAPI v3 document of the
 * group version shows that PATCH of the kind accepts that parameter (cli-runtime
 * {@code queryParamVerifierV3}); otherwise it falls back to client-side validation against the
 * OpenAPI v2 schema, which Peapod does not serve. So the v3 document lists, for every kind, its
 * operations with their {@code x-kubernetes-group-version-kind} and the {@code fieldValidation}
 * parameter; the server decodes strictly (unknown fields are a 400), as kube-apiserver does under
 * Strict. The document carries no schemas yet ({@code kubectl explain} needs them).
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

    /** {@code /openapi/v3}: where each group version's document is. */
    static ObjectNode openApiIndex() {
        var index = Json.object();
        index.putObject("paths").putObject("api/v1").put("serverRelativeURL", "/openapi/v3/api/v1?hash=" + HASH);
        return index;
    }

    private static final String HASH = Integer.toHexString(coreDocument().toString().hashCode()).toUpperCase();

    /** {@code /openapi/v3/api/v1}: operations with their GVK and query parameters, no schemas (see the class comment). */
    static ObjectNode coreDocument() {
        var doc = Json.object().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", GIT_VERSION);
        var paths = doc.putObject("paths");
        for (ResourceType t : ResourceType.ALL) {
            String collection = t.namespaced() ? "/api/v1/namespaces/{namespace}/" + t.name() : "/api/v1/" + t.name();
            var c = paths.putObject(collection);
            operation(c, "get", t, "list");
            operation(c, "post", t, "post");
            var item = paths.putObject(collection + "/{name}");
            operation(item, "get", t, "get");
            operation(item, "put", t, "put");
            operation(item, "patch", t, "patch");
            operation(item, "delete", t, "delete");
        }
        return doc;
    }

    private static void operation(ObjectNode path, String method, ResourceType t, String action) {
        var op = path.putObject(method);
        op.put("operationId", action + "CoreV1" + t.kind());
        op.put("x-kubernetes-action", action);
        op.putObject("x-kubernetes-group-version-kind").put("group", "").put("version", "v1").put("kind", t.kind());
        if (method.equals("post") || method.equals("put") || method.equals("patch")) {
            op.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query")
                    .put("description", "Strict: unknown or duplicate fields fail the request (400).")
                    .putObject("schema").put("type", "string").put("uniqueItems", true);
        }
        op.putObject("responses").putObject("200").put("description", "OK");
    }
}
