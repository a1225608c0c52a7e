package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code coordination.k8s.io/v1} group, for one resource: the node's Lease
 * ({@code kube-node-lease/<node>}), which the node renews as kubelet does and {@code kubectl
 * describe node} shows (https://kubernetes.io/docs/concepts/architecture/leases/#node-heart-beats).
 * Read-only here: get and list; only the node writes it.
 * <pre>
 *   /apis/coordination.k8s.io[/v1]                                     discovery
 *   /apis/coordination.k8s.io/v1/leases                               list across namespaces
 *   /apis/coordination.k8s.io/v1/namespaces/{ns}/leases[/{name}]      list, get
 * </pre>
 */
final class CoordinationGroup {
    static final String GROUP = "coordination.k8s.io";
    static final String PREFIX = "/apis/" + GROUP;
    static final String GROUP_VERSION = GROUP + "/v1";
    static final ResourceType LEASES = new ResourceType("leases", "lease", "Lease", true, java.util.List.of(), false);

    private CoordinationGroup() {}

    /** The group as {@code /apis} lists it. */
    static ObjectNode group() {
        var g = Json.object().put("kind", "APIGroup").put("apiVersion", "v1").put("name", GROUP);
        g.putArray("versions").addObject().put("groupVersion", GROUP_VERSION).put("version", "v1");
        g.putObject("preferredVersion").put("groupVersion", GROUP_VERSION).put("version", "v1");
        return g;
    }

    static Reply route(Rest rest, ApiRequest req, String path) {
        if (path.equals(PREFIX)) return new Reply.Document(200, group());
        if (path.equals(PREFIX + "/v1")) {
            var list = Json.object().put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", GROUP_VERSION);
            var r = list.putArray("resources").addObject().put("name", "leases").put("singularName", "lease")
                    .put("namespaced", true).put("kind", "Lease");
            r.putArray("verbs").add("get").add("list");
            return new Reply.Document(200, list);
        }
        String rest1 = path.startsWith(PREFIX + "/v1/") ? path.substring((PREFIX + "/v1/").length()) : "";
        String[] s = rest1.split("/");
        String namespace, name;
        if (s.length == 1 && s[0].equals("leases")) {
            namespace = null;
            name = null;
        } else if (s.length >= 3 && s.length <= 4 && s[0].equals("namespaces") && s[2].equals("leases")) {
            namespace = s[1];
            name = s.length == 4 ? s[3] : null;
        } else {
            throw ApiException.notFoundPath(path);
        }
        if (!req.method().equals("GET")) throw ApiException.methodNotAllowed(req.method());
        if (name != null) return rest.get(LEASES, namespace, name, req);
        if (req.flag("watch")) throw ApiException.methodNotAllowed("WATCH");
        return rest.list(LEASES, namespace, req);
    }
}
