package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.Arrays;

/**
 * Routes a request: bearer-token authentication first (401 otherwise), then discovery and
 * OpenAPI, then the core v1 resources:
 * <pre>
 *   /api/v1/{resource}                                  list/watch across namespaces; create of cluster-scoped kinds
 *   /api/v1/{resource}/{name}[/status]                   cluster-scoped objects (namespaces)
 *   /api/v1/namespaces/{ns}/{resource}                   list/watch/create in a namespace
 *   /api/v1/namespaces/{ns}/{resource}/{name}[/status]   get/update/patch/delete
 * </pre>
 * Contract: thread safe; each request runs on its own (virtual) thread and may block.
 */
public final class ApiHandler {
    private final byte[] token;
    private final Rest rest;
    private final LogsRoute logs;
    private final ExecRoute exec;
    private final AttachRoute attach;
    private final PortForwardRoute portForward;
    private final String serverAddress;

    /**
     * @param token         the bearer token clients must send
     * @param nodeName      the node every pod is bound to
     * @param serverAddress host:port for {@code /api}'s serverAddressByClientCIDRs
     */
    public ApiHandler(ObjectStore store, String token, String nodeName, String serverAddress, InstantSource clock) {
        this(store, token, nodeName, serverAddress, clock, PodLogs.NONE);
    }

    /** @param logs the node's container logs, for {@code pods/{name}/log} */
    public ApiHandler(ObjectStore store, String token, String nodeName, String serverAddress, InstantSource clock, PodLogs logs) {
        this(store, token, nodeName, serverAddress, clock, logs, ResizeRules.NONE);
    }

    public ApiHandler(ObjectStore store, String token, String nodeName, String serverAddress, InstantSource clock, PodLogs logs,
                      ResizeRules resizeRules) {
        this(store, token, nodeName, serverAddress, clock, logs, resizeRules, PodExec.NONE);
    }

    /** @param exec runs commands in the node's containers, for {@code pods/{name}/exec} */
    public ApiHandler(ObjectStore store, String token, String nodeName, String serverAddress, InstantSource clock, PodLogs logs,
                      ResizeRules resizeRules, PodExec exec) {
        this(store, token, nodeName, serverAddress, clock, logs, resizeRules, exec, PodAttach.NONE);
    }

    /** @param attach the streams of the node's running containers, for {@code pods/{name}/attach} */
    public ApiHandler(ObjectStore store, String token, String nodeName, String serverAddress, InstantSource clock, PodLogs logs,
                      ResizeRules resizeRules, PodExec exec, PodAttach attach) {
        this(store, token, nodeName, serverAddress, clock, logs, resizeRules, exec, attach, PodPortForward.NONE);
    }

    /** @param portForward connects in the pods' network namespaces, for {@code pods/{name}/portforward} */
    public ApiHandler(ObjectStore store, String token, String nodeName, String serverAddress, InstantSource clock, PodLogs logs,
                      ResizeRules resizeRules, PodExec exec, PodAttach attach, PodPortForward portForward) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.rest = new Rest(store, new Admission(nodeName, resizeRules), clock);
        this.logs = new LogsRoute(rest, logs);
        this.exec = new ExecRoute(rest, exec);
        this.attach = new AttachRoute(rest, attach);
        this.portForward = new PortForwardRoute(rest, portForward);
        this.serverAddress = serverAddress;
    }

    public Reply handle(ApiRequest req) {
        try {
            authenticate(req);
            return route(req);
        } catch (ApiException e) {
            return new Reply.Document(e.code, e.status());
        } catch (StoreException.Failed e) {
            return new Reply.Document(500, ApiException.internal(e.getMessage()).status());
        } catch (NumberFormatException e) {
            return new Reply.Document(400, ApiException.badRequest(e.getMessage()).status());
        }
    }

    /**
     * The HTTP front's entry: {@code req} without its body, and the body's bytes. Protobuf bodies
     * (kubectl's typed clients: {@code create namespace|configmap|secret|serviceaccount}) are
     * decoded to JSON, after authentication.
     */
    public Reply handle(ApiRequest req, byte[] body) {
        String contentType = req.contentType();
        String text = new String(body, StandardCharsets.UTF_8);
        if (contentType != null && contentType.startsWith("application/vnd.kubernetes.protobuf") && body.length > 0) {
            try {
                authenticate(req);
                text = Json.write(Protobuf.decode(body));
                contentType = "application/json";
            } catch (ApiException e) {
                return new Reply.Document(e.code, e.status());
            }
        }
        return handle(new ApiRequest(req.method(), req.path(), req.query(), req.accept(), contentType, req.authorization(), text, req.lists(), req.userAgent()));
    }

    private void authenticate(ApiRequest req) {
        String h = req.authorization();
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) throw ApiException.unauthorized();
        byte[] given = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) throw ApiException.unauthorized(); // constant time
    }

    private Reply route(ApiRequest req) {
        String path = req.path();
        while (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
        switch (path) {
            case "/version" -> { return doc(Discovery.version()); }
            case "/api" -> { return doc(Discovery.apiVersions(serverAddress)); }
            case "/apis" -> { return doc(Discovery.apiGroups()); }
            case "/api/v1" -> { return doc(Discovery.coreResources()); }
            case "/openapi/v3" -> { return openApi(req, OpenApi.index()); }
            case "/openapi/v2" -> { return OpenApi.v2(req.accept()); }
            case "/healthz", "/livez", "/readyz" -> { return doc(Json.object().put("status", "ok")); }
            default -> {
                if (path.startsWith("/openapi/v3/")) return OpenApi.v3(path.substring("/openapi/v3/".length()), req.accept(), req.param("hash"));
            }
        }
        if (path.startsWith(CoordinationGroup.PREFIX + "/") || path.equals(CoordinationGroup.PREFIX)) return CoordinationGroup.route(rest, req, path);
        if (!path.startsWith("/api/v1/")) throw ApiException.notFoundPath(path);
        String[] s = path.substring("/api/v1/".length()).split("/");
        // /namespaces/{ns}/{resource}...: a namespaced resource; /namespaces/{name}[/status]: the namespace itself.
        if (s[0].equals("namespaces") && s.length >= 3 && !(s.length == 3 && s[2].equals("status"))) {
            ResourceType type = type(s[2], path);
            if (!type.namespaced()) throw ApiException.notFoundPath(path);
            return resource(req, type, s[1], Arrays.copyOfRange(s, 3, s.length));
        }
        ResourceType type = type(s[0], path);
        return resource(req, type, type.namespaced() ? null : "", Arrays.copyOfRange(s, 1, s.length));
    }

    private static ResourceType type(String name, String path) {
        return ResourceType.byName(name).orElseThrow(() -> ApiException.notFoundPath(path));
    }

    /** {@code rest}: [] for the collection, [name] for an object, [name, "status"] for its status, [name, "resize"] for a pod's resources. */
    private Reply resource(ApiRequest req, ResourceType type, String namespace, String[] rest) {
        String m = req.method();
        if (rest.length == 0) {
            return switch (m) {
                case "GET" -> this.rest.list(type, namespace, req);
                case "POST" -> {
                    if (namespace == null) throw ApiException.methodNotAllowed(m);
                    yield this.rest.create(type, namespace, req);
                }
                default -> throw ApiException.methodNotAllowed(m);
            };
        }
        if (namespace == null) throw ApiException.notFoundPath(req.path()); // a namespaced kind needs /namespaces/{ns}/
        String name = rest[0];
        if (rest.length == 2 && rest[1].equals("log") && type == ResourceType.PODS) {
            if (!m.equals("GET")) throw ApiException.methodNotAllowed(m);
            return logs.get(namespace, name, req);
        }
        if (rest.length == 2 && rest[1].equals("exec") && type == ResourceType.PODS) {
            // GET for WebSocket upgrades (kubectl 1.30+), POST as SPDY clients send it.
            if (!m.equals("GET") && !m.equals("POST")) throw ApiException.methodNotAllowed(m);
            return exec.prepare(namespace, name, req);
        }
        if (rest.length == 2 && rest[1].equals("attach") && type == ResourceType.PODS) {
            if (!m.equals("GET") && !m.equals("POST")) throw ApiException.methodNotAllowed(m);
            return attach.prepare(namespace, name, req);
        }
        if (rest.length == 2 && rest[1].equals("portforward") && type == ResourceType.PODS) {
            // GET for the WebSocket tunnel (kubectl 1.31+), POST for SPDY.
            if (!m.equals("GET") && !m.equals("POST")) throw ApiException.methodNotAllowed(m);
            return portForward.prepare(namespace, name);
        }
        if (rest.length == 2 && rest[1].equals("eviction") && type == ResourceType.PODS) {
            if (!m.equals("POST")) throw ApiException.methodNotAllowed(m);
            return this.rest.evict(namespace, name, req);
        }
        Rest.Subresource sub = rest.length == 1 ? Rest.Subresource.NONE
                : rest.length == 2 && rest[1].equals("status") && type.hasStatus() ? Rest.Subresource.STATUS
                : rest.length == 2 && rest[1].equals("resize") && type == ResourceType.PODS ? Rest.Subresource.RESIZE
                : null;
        if (sub == null) throw ApiException.notFoundPath(req.path());
        return switch (m) {
            case "GET" -> this.rest.get(type, namespace, name, req);
            case "PUT" -> this.rest.update(type, namespace, name, sub, req);
            case "PATCH" -> this.rest.patch(type, namespace, name, sub, req);
            case "DELETE" -> {
                if (sub != Rest.Subresource.NONE) throw ApiException.methodNotAllowed(m);
                yield this.rest.delete(type, namespace, name, req);
            }
            default -> throw ApiException.methodNotAllowed(m);
        };
    }

    private static Reply doc(JsonNode body) { return new Reply.Document(200, body); }

    /** An OpenAPI document, in JSON only: a client that takes only protobuf gets 406 (see {@link OpenApi}). */
    private static Reply openApi(ApiRequest req, JsonNode body) {
        if (!OpenApi.acceptsJson(req.accept())) throw OpenApi.notAcceptable();
        return doc(body);
    }
}
