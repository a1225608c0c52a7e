package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The OpenAPI v2 document in the protobuf form client-go asks for
 * ({@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}): gnostic's
 * {@code openapi.v2.Document} (google/gnostic openapiv2/OpenAPIv2.proto), which kubectl parses with
 * kube-openapi's {@code proto.NewOpenAPIData} for {@code explain --output plaintext-openapiv2} and
 * its v2 fallbacks (validation, apply). Written from the JSON document, only the parts Peapod's
 * document has: info, paths with their operations (id, consumes/produces, query and body parameters,
 * responses), definitions with {@code $ref}, type, format, required, properties, items,
 * additionalProperties, allOf. Vendor extensions ({@code x-kubernetes-*}) are gnostic's
 * {@code NamedAny} with the value as YAML text ({@code Any.yaml}), as gnostic's compiler stores them
 * and kube-openapi reads them back (JSON is YAML).
 */
final class OpenApiProto {
    /**
     * The Content-Type of the answer. Clients ask with an {@code @} (client-go's Accept), which is not a
     * valid media type ({@code @} is a MIME tspecial: Go's mime.ParseMediaType refuses it), so
     * kube-openapi's handler answers with a {@code .} in its place, and so does Peapod.
     */
    static final String CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private OpenApiProto() {}

    /** Whether an Accept media type names the v2 protobuf form (with the {@code @} clients send, or a {@code .}). */
    static boolean isProto(String mediaType) {
        return mediaType.equals(CONTENT_TYPE) || mediaType.equals("application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
    }

    static byte[] document(JsonNode d) {
        var m = new Message();
        m.string(1, d.path("swagger").asText());
        m.message(2, new Message().string(1, d.at("/info/title").asText()).string(2, d.at("/info/version").asText()));
        var paths = new Message();
        for (var p : d.path("paths").properties()) {
            var item = new Message();
            int[] fields = {2, 3, 4, 5, 8};
            String[] methods = {"get", "put", "post", "delete", "patch"};
            for (int i = 0; i < methods.length; i++) {
                if (p.getValue().has(methods[i])) item.message(fields[i], operation(p.getValue().get(methods[i])));
            }
            paths.message(2, named(p.getKey(), item));
        }
        m.message(8, paths);
        var definitions = new Message();
        for (var e : d.path("definitions").properties()) definitions.message(1, named(e.getKey(), schema(e.getValue())));
        m.message(9, definitions);
        return m.bytes();
    }

    private static Message operation(JsonNode op) {
        var m = new Message();
        m.string(5, op.path("operationId").asText());
        op.path("produces").forEach(t -> m.string(6, t.asText()));
        op.path("consumes").forEach(t -> m.string(7, t.asText()));
        for (JsonNode p : op.path("parameters")) {
            Message parameter;
            if (p.path("in").asText().equals("body")) {
                parameter = new Message().message(1, new Message().string(1, p.path("description").asText())
                        .string(2, p.path("name").asText()).string(3, "body").bool(4, p.path("required").asBoolean())
                        .message(5, schema(p.path("schema"))));
            } else {
                var query = new Message().bool(1, p.path("required").asBoolean()).string(2, p.path("in").asText())
                        .string(3, p.path("description").asText()).string(4, p.path("name").asText())
                        .string(6, p.path("type").asText()).bool(20, p.path("uniqueItems").asBoolean());
                parameter = new Message().message(2, new Message().message(3, query));
            }
            m.message(8, new Message().message(1, parameter));
        }
        var responses = new Message();
        for (var r : op.path("responses").properties()) {
            var response = new Message().string(1, r.getValue().path("description").asText());
            if (r.getValue().has("schema")) response.message(2, new Message().message(1, schema(r.getValue().get("schema"))));
            responses.message(1, named(r.getKey(), new Message().message(1, response)));
        }
        m.message(9, responses);
        extensions(m, 13, op);
        return m;
    }

    private static Message schema(JsonNode s) {
        var m = new Message();
        m.string(1, s.path("$ref").asText());
        m.string(2, s.path("format").asText());
        m.string(4, s.path("description").asText());
        s.path("required").forEach(r -> m.string(19, r.asText()));
        if (s.has("additionalProperties")) m.message(21, new Message().message(1, schema(s.get("additionalProperties"))));
        if (s.has("type")) m.message(22, new Message().string(1, s.get("type").asText()));
        if (s.has("items")) m.message(23, new Message().message(1, schema(s.get("items"))));
        s.path("allOf").forEach(a -> m.message(24, schema(a)));
        if (s.has("properties")) {
            var props = new Message();
            for (var p : s.get("properties").properties()) props.message(1, named(p.getKey(), schema(p.getValue())));
            m.message(25, props);
        }
        extensions(m, 31, s);
        return m;
    }

    /** {@code x-…} members as {@code NamedAny{name, Any{yaml}}} in field {@code field}. */
    private static void extensions(Message m, int field, JsonNode node) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getKey().startsWith("x-")) continue;
            m.message(field, named(e.getKey(), new Message().string(2, Json.write(e.getValue()))));
        }
    }

    /** gnostic's {@code Named*} pairs: name 1, value 2. */
    private static Message named(String name, Message value) { return new Message().string(1, name).message(2, value); }

    /** A protobuf message being written: proto3, so empty strings and false are left out. */
    static final class Message {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Message string(int field, String s) {
            if (s == null || s.isEmpty()) return this;
            return lengthDelimited(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Message bool(int field, boolean b) {
            if (!b) return this;
            varint((long) field << 3);
            varint(1);
            return this;
        }

        /** An embedded message, written even when empty (its presence is what a oneof or an optional says). */
        Message message(int field, Message m) { return lengthDelimited(field, m.bytes()); }

        byte[] bytes() { return out.toByteArray(); }

        private Message lengthDelimited(int field, byte[] b) {
            varint(((long) field << 3) | 2);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
