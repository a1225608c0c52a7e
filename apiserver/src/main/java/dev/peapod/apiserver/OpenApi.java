package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.apiserver.OpenApiSchemas.Dialect;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI documents: {@code /openapi/v2} (Swagger 2.0, all group versions) and
 * {@code /openapi/v3} (an index pointing at one document per {@link GroupVersion}:
 * {@code /openapi/v3/api/v1?hash=…}, {@code /openapi/v3/apis/coordination.k8s.io/v1?hash=…}), each
 * with the paths of the kinds Peapod serves and the schemas of {@link OpenApiSchemas}.
 *
 * <p>Who reads what (kubectl 1.32):
 * <ul>
 *   <li>{@code kubectl explain} reads the v3 document of the group version and finds the kind's schema
 *       by its {@code x-kubernetes-group-version-kind} (a list on schemas).</li>
 *   <li>{@code create}/{@code apply}/{@code edit} validation: cli-runtime's {@code queryParamVerifierV3}
 *       looks for the {@code fieldValidation} parameter on the kind's PATCH operation (whose
 *       {@code x-kubernetes-group-version-kind} is a single object); found, kubectl lets the server
 *       validate ({@code fieldValidation=Strict}, KEP-2885) instead of validating against v2.</li>
 *   <li>Client-side {@code apply}: kubectl's Patcher uses the v3 schema for its strategic merge patch
 *       when the kind's PATCH operation accepts {@code application/strategic-merge-patch+json}; it
 *       resolves {@code $ref} (after {@code allOf[0]}) against {@code components.schemas} and reads the
 *       patch extensions of {@link OpenApiExtensions}.</li>
 *   <li>client-go's {@code OpenAPISchema()} asks {@code /openapi/v2} for protobuf only
 *       ({@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}): {@link OpenApiProto}
 *       writes it; {@code kubectl explain --output plaintext-openapiv2} and kubectl's v2 fallbacks read
 *       it. Accept types other than these two get 406, as from kube-apiserver's negotiation.</li>
 * </ul>
 *
 * <p>The documents (v3 270 KB, v2 260 KB, 190 schemas) are generated at build time
 * ({@link OpenApiBuild}: about 1 s in a fresh JVM, 0.2 s warm), read on first request (milliseconds)
 * and served as those bytes; the v3 index carries the SHA-512 of
 * the v3 document, as kube-apiserver's does, so clients' caches change when it does.
 */
final class OpenApi {
    /** The patch types the server applies: Patches' three and ServerSideApply's. */
    private static final List<String> PATCH_TYPES = List.of("application/apply-patch+yaml",
            "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json");

    private OpenApi() {}

    /**
     * A group version with its own v3 document.
     *
     * @param key      its name in the v3 index ({@code api/v1}, {@code apis/coordination.k8s.io/v1})
     * @param id       its part of operation ids ({@code CoreV1})
     * @param readOnly only get and list are served
     */
    record GroupVersion(String key, String group, String id, Map<Class<?>, OpenApiSchemas.Gvk> kinds, List<ResourceType> types,
                        boolean readOnly) {
        String urlPrefix() { return "/" + key; }

        /** The class-path resource {@link OpenApiBuild} writes its v3 document to. */
        String file() { return "openapi-v3-" + key.replace('/', '_') + ".json"; }
    }

    static final GroupVersion CORE = new GroupVersion("api/v1", "", "CoreV1", OpenApiSchemas.CORE_KINDS, ResourceType.ALL, false);
    static final GroupVersion COORDINATION = new GroupVersion("apis/" + CoordinationGroup.GROUP_VERSION, CoordinationGroup.GROUP,
            "CoordinationV1", OpenApiSchemas.COORDINATION_KINDS, List.of(CoordinationGroup.LEASES), true);
    static final List<GroupVersion> GROUP_VERSIONS = List.of(CORE, COORDINATION);

    /** The v2 document {@link OpenApiBuild} writes at build time (all group versions in one, as kube's). */
    static final String V2_FILE = "openapi-v2.json";

    /**
     * Loaded on first use (class initialisation is lazy and thread safe) and served as these bytes:
     * re-serialising a 270 KB tree for every request would cost milliseconds each time.
     */
    private static final class V3 {
        static final Map<String, byte[]> JSON = new java.util.HashMap<>();
        static final Map<String, String> HASH = new java.util.HashMap<>();

        static {
            for (GroupVersion gv : GROUP_VERSIONS) {
                byte[] json = load(gv.file(), Dialect.V3, List.of(gv));
                JSON.put(gv.key(), json);
                HASH.put(gv.key(), sha512(json));
            }
        }
    }

    private static final class V2 {
        static final byte[] JSON = load(V2_FILE, Dialect.V2, GROUP_VERSIONS);
    }

    private static final class V2Protobuf {
        static final byte[] BYTES = OpenApiProto.document(Json.parse(new String(V2.JSON, StandardCharsets.UTF_8)));
    }

    /** The document written at build time, or (without it) generated now. */
    private static byte[] load(String file, Dialect d, List<GroupVersion> gvs) {
        try (var in = OpenApi.class.getResourceAsStream(file)) {
            if (in != null) return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Json.write(document(d, OpenApiSchemas.Descriptions.NONE, gvs)).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code /openapi/v3}: where each group version's document is. */
    static ObjectNode index() {
        var index = Json.object();
        var paths = index.putObject("paths");
        for (GroupVersion gv : GROUP_VERSIONS) {
            paths.putObject(gv.key()).put("serverRelativeURL", "/openapi/v3/" + gv.key() + "?hash=" + V3.HASH.get(gv.key()));
        }
        return index;
    }

    /**
     * {@code /openapi/v3/{key}} (e.g. {@code api/v1}), in JSON only. Asked for with the current hash
     * (the index's URL), the answer may be cached for good, as kube-openapi's handler says it (a year;
     * ETag the hash), so kubectl's HTTP cache ({@code --cache-dir}) need not fetch it again.
     */
    static Reply v3(String key, String accept, String hash) {
        byte[] json = V3.JSON.get(key);
        if (json == null) throw ApiException.notFoundPath("/openapi/v3/" + key);
        if (!acceptsJson(accept)) throw notAcceptable();
        String current = V3.HASH.get(key);
        if (!current.equals(hash)) return new Reply.Bytes(200, "application/json", json);
        return new Reply.Bytes(200, "application/json", json, Map.of(
                "Cache-Control", "public, immutable",
                "Expires", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusYears(1)),
                "ETag", "\"" + current + "\""));
    }

    /** The core v1 document as a tree (a copy: for tests). */
    static ObjectNode v3() { return v3(CORE); }

    /** A group version's v3 document as a tree (a copy: for tests). */
    static ObjectNode v3(GroupVersion gv) { return (ObjectNode) Json.parse(new String(V3.JSON.get(gv.key()), StandardCharsets.UTF_8)); }

    /** The v2 document as a tree (a copy: for tests). */
    static ObjectNode v2() { return (ObjectNode) Json.parse(new String(V2.JSON, StandardCharsets.UTF_8)); }

    /**
     * {@code /openapi/v2} in the form the Accept header asks for first: JSON, or gnostic's protobuf
     * (client-go's {@code OpenAPISchema()} asks for that only); 406 when neither is acceptable.
     */
    static Reply v2(String accept) {
        if (accept == null || accept.isBlank()) return new Reply.Bytes(200, "application/json", V2.JSON);
        for (String part : accept.split(",")) {
            String type = mediaType(part);
            if (OpenApiProto.isProto(type)) return new Reply.Bytes(200, OpenApiProto.CONTENT_TYPE, V2Protobuf.BYTES);
            if (isJson(type)) return new Reply.Bytes(200, "application/json", V2.JSON);
        }
        throw notAcceptable();
    }

    private static String mediaType(String acceptPart) {
        return acceptPart.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean isJson(String type) {
        return type.equals("application/json") || type.equals("application/*") || type.equals("*/*");
    }

    /** Whether a client with this Accept header takes JSON (the v3 documents are not served as protobuf). */
    static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) return true;
        for (String part : accept.split(",")) {
            if (isJson(mediaType(part))) return true;
        }
        return false;
    }

    static ApiException notAcceptable() {
        return new ApiException(406, "NotAcceptable",
                "the server was unable to respond with a content type that the client supports (only application/json)", null);
    }

    /** The document of these group versions (v3: one; v2: all): their paths and the schemas they reach. */
    static ObjectNode document(Dialect d, OpenApiSchemas.Descriptions descriptions, List<GroupVersion> gvs) {
        var doc = Json.object();
        if (d == Dialect.V3) {
            doc.put("openapi", "3.0.0");
        } else {
            doc.put("swagger", "2.0");
        }
        doc.putObject("info").put("title", "Kubernetes").put("version", Discovery.GIT_VERSION);
        var paths = doc.putObject("paths");
        var schemas = new java.util.TreeMap<String, ObjectNode>();
        for (GroupVersion gv : gvs) {
            for (ResourceType t : gv.types()) paths(d, paths, gv, t);
            schemas.putAll(OpenApiSchemas.generate(d, descriptions, gv.kinds()));
        }
        (d == Dialect.V3 ? doc.putObject("components").putObject("schemas") : doc.putObject("definitions")).setAll(schemas);
        return doc;
    }

    private static void paths(Dialect d, ObjectNode paths, GroupVersion gv, ResourceType t) {
        String collection = gv.urlPrefix() + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.name();
        var gvk = new OpenApiSchemas.Gvk(gv.group(), "v1", t.kind());
        String kind = ref(d, schemaName(gv, t.kind()));
        var c = paths.putObject(collection);
        var item = paths.putObject(collection + "/{name}");
        var op = new Op(d, gv, gvk);
        op.add(c, "get", "list", t.kind(), null, ref(d, schemaName(gv, t.kind() + "List")));
        op.add(item, "get", "read", t.kind(), null, kind);
        if (gv.readOnly()) return;
        op.add(c, "post", "create", t.kind(), kind, kind);
        op.add(item, "put", "replace", t.kind(), kind, kind);
        op.add(item, "patch", "patch", t.kind(), ref(d, OpenApiSchemas.PATCH), kind);
        op.add(item, "delete", "delete", t.kind(), ref(d, schemaName(gv, "DeleteOptions")), kind);
        if (t.hasStatus()) {
            var status = paths.putObject(collection + "/{name}/status");
            op.add(status, "get", "read", t.kind() + "Status", null, kind);
            op.add(status, "put", "replace", t.kind() + "Status", kind, kind);
            op.add(status, "patch", "patch", t.kind() + "Status", ref(d, OpenApiSchemas.PATCH), kind);
        }
        if (t == ResourceType.PODS) {
            new Op(d, gv, new OpenApiSchemas.Gvk("policy", "v1", "Eviction")).add(paths.putObject(collection + "/{name}/eviction"),
                    "post", "create", "PodEviction", ref(d, "io.k8s.api.policy.v1.Eviction"), ref(d, schemaName(gv, "Status")));
        }
    }

    private static String schemaName(GroupVersion gv, String kind) {
        return gv.kinds().keySet().stream().filter(c -> c.getSimpleName().equals(kind)).findFirst()
                .map(OpenApiSchemas::name).orElseThrow(() -> new IllegalArgumentException("no schema for " + kind));
    }

    private static String ref(Dialect d, String name) { return d.refPrefix + name; }

    /** The operations of one kind in one dialect. */
    private record Op(Dialect d, GroupVersion gv, OpenApiSchemas.Gvk gvk) {
        void add(ObjectNode path, String method, String verb, String kind, String body, String response) {
            operation(d, path, method, verb, verb + gv.id() + kind, gvk, body, response);
        }
    }

    /**
     * One operation, as kube-openapi writes it: its id ({@code patchCoreV1Pod}), action, GVK,
     * the {@code fieldValidation} parameter on writes, the body it takes and what it answers.
     */
    private static void operation(Dialect d, ObjectNode path, String method, String verb, String operationId,
                                  OpenApiSchemas.Gvk gvk, String body, String response) {
        var op = path.putObject(method);
        op.put("operationId", operationId);
        op.put("x-kubernetes-action", method.equals("get") && verb.equals("read") ? "get"
                : verb.equals("create") ? "post" : verb.equals("replace") ? "put" : verb);
        op.putObject("x-kubernetes-group-version-kind").put("group", gvk.group()).put("kind", gvk.kind()).put("version", gvk.version());
        var params = op.putArray("parameters");
        boolean write = method.equals("post") || method.equals("put") || method.equals("patch");
        if (write) {
            ObjectNode p = params.addObject().put("name", "fieldValidation").put("in", "query")
                    .put("description", "Strict: unknown or duplicate fields fail the request (400).").put("uniqueItems", true);
            if (d == Dialect.V3) {
                p.putObject("schema").put("type", "string");
            } else {
                p.put("type", "string");
            }
        }
        List<String> consumes = method.equals("patch") ? PATCH_TYPES : List.of("*/*");
        if (body != null) {
            if (d == Dialect.V3) {
                var content = op.putObject("requestBody").put("required", !method.equals("delete")).putObject("content");
                for (String type : consumes) content.putObject(type).putObject("schema").put("$ref", body);
            } else {
                params.addObject().put("name", "body").put("in", "body").put("required", !method.equals("delete"))
                        .putObject("schema").put("$ref", body);
                var c = op.putArray("consumes");
                consumes.forEach(c::add);
            }
        }
        if (d == Dialect.V2) op.putArray("produces").add("application/json").add("application/yaml");
        var ok = op.putObject("responses").putObject("200").put("description", "OK");
        if (d == Dialect.V3) {
            ok.putObject("content").putObject("application/json").putObject("schema").put("$ref", response);
        } else {
            ok.putObject("schema").put("$ref", response);
        }
    }

    private static String sha512(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-512").digest(bytes);
            return HexFormat.of().withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
