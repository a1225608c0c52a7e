package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * Decodes the Kubernetes protobuf request bodies that kubectl's typed clients send
 * ({@code kubectl create namespace|configmap|secret|serviceaccount}, the DeleteOptions of a delete): the {@code k8s\0} magic, a
 * {@code runtime.Unknown} envelope (typeMeta, raw), and the object in the field numbering of
 * k8s.io/api/core/v1/generated.proto and apimachinery's meta/v1 generated.proto
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding). Into the
 * JSON form, with Go's {@code omitempty}: empty strings, false, 0 and empty messages are left out.
 * Other kinds are refused with 415 ({@code kubectl run} sends its Pod as JSON).
 */
final class Protobuf {
    private Protobuf() {}

    /** INT_SET: an optional (pointer) integer, kept when 0 (DeleteOptions' gracePeriodSeconds: 0 is "now"). */
    private enum T { STRING, BYTES, BOOL, INT, INT_SET, MESSAGE, STRING_MAP, BYTES_MAP, TIME }

    private record F(String name, T type, boolean repeated, Map<Integer, F> message) {
        static F of(String name, T type) { return new F(name, type, false, null); }
        static F list(String name, T type) { return new F(name, type, true, null); }
        static F msg(String name, Map<Integer, F> m) { return new F(name, T.MESSAGE, false, m); }
        static F msgs(String name, Map<Integer, F> m) { return new F(name, T.MESSAGE, true, m); }
    }

    private static final Map<Integer, F> OWNER_REFERENCE = Map.of(1, F.of("kind", T.STRING), 3, F.of("name", T.STRING),
            4, F.of("uid", T.STRING), 5, F.of("apiVersion", T.STRING), 6, F.of("controller", T.BOOL), 7, F.of("blockOwnerDeletion", T.BOOL));
    private static final Map<Integer, F> OBJECT_META = Map.ofEntries(Map.entry(1, F.of("name", T.STRING)),
            Map.entry(2, F.of("generateName", T.STRING)), Map.entry(3, F.of("namespace", T.STRING)),
            Map.entry(5, F.of("uid", T.STRING)), Map.entry(6, F.of("resourceVersion", T.STRING)), Map.entry(7, F.of("generation", T.INT)),
            Map.entry(8, F.of("creationTimestamp", T.TIME)), Map.entry(11, F.of("labels", T.STRING_MAP)),
            Map.entry(12, F.of("annotations", T.STRING_MAP)), Map.entry(13, F.msgs("ownerReferences", OWNER_REFERENCE)),
            Map.entry(14, F.list("finalizers", T.STRING)));
    private static final Map<Integer, F> OBJECT_REFERENCE = Map.of(1, F.of("kind", T.STRING), 2, F.of("namespace", T.STRING),
            3, F.of("name", T.STRING), 4, F.of("uid", T.STRING), 5, F.of("apiVersion", T.STRING));

    private static final Map<String, Map<Integer, F>> KINDS = Map.of(
            "ConfigMap", Map.of(1, F.msg("metadata", OBJECT_META), 2, F.of("data", T.STRING_MAP), 3, F.of("binaryData", T.BYTES_MAP),
                    4, F.of("immutable", T.BOOL)),
            "Secret", Map.of(1, F.msg("metadata", OBJECT_META), 2, F.of("data", T.BYTES_MAP), 3, F.of("type", T.STRING),
                    4, F.of("stringData", T.STRING_MAP), 5, F.of("immutable", T.BOOL)),
            "Namespace", Map.of(1, F.msg("metadata", OBJECT_META), 2, F.msg("spec", Map.of(1, F.list("finalizers", T.STRING)))),
            "ServiceAccount", Map.of(1, F.msg("metadata", OBJECT_META), 2, F.msgs("secrets", OBJECT_REFERENCE),
                    3, F.msgs("imagePullSecrets", Map.of(1, F.of("name", T.STRING))), 4, F.of("automountServiceAccountToken", T.BOOL)),
            // meta/v1 DeleteOptions: what kubectl's typed client sends with a DELETE (kubectl drain --disable-eviction).
            "DeleteOptions", Map.of(1, F.of("gracePeriodSeconds", T.INT_SET),
                    2, F.msg("preconditions", Map.of(1, F.of("uid", T.STRING), 2, F.of("resourceVersion", T.STRING))),
                    3, F.of("orphanDependents", T.BOOL), 4, F.of("propagationPolicy", T.STRING), 5, F.list("dryRun", T.STRING)));

    private static final Map<Integer, F> TYPE_META = Map.of(1, F.of("apiVersion", T.STRING), 2, F.of("kind", T.STRING));

    static ObjectNode decode(byte[] body) {
        if (body.length < 4 || body[0] != 'k' || body[1] != '8' || body[2] != 's' || body[3] != 0) {
            throw ApiException.badRequest("protobuf body without the k8s magic prefix");
        }
        var envelope = new Reader(body, 4, body.length);
        ObjectNode typeMeta = null;
        byte[] raw = null;
        while (envelope.more()) {
            int tag = (int) envelope.varint();
            if (tag >>> 3 == 1 && (tag & 7) == 2) typeMeta = message(envelope.bytes(), TYPE_META);
            else if (tag >>> 3 == 2 && (tag & 7) == 2) raw = envelope.bytes();
            else envelope.skip(tag & 7);
        }
        String kind = typeMeta == null ? "" : typeMeta.path("kind").asText();
        Map<Integer, F> schema = KINDS.get(kind);
        if (schema == null || raw == null) {
            throw new ApiException(415, "UnsupportedMediaType", "Peapod does not decode protobuf bodies of kind " + kind
                    + " yet; send JSON (kubectl create -f works)", null);
        }
        ObjectNode o = Json.object();
        o.setAll(typeMeta);
        o.setAll(message(raw, schema));
        return o;
    }

    private static ObjectNode message(byte[] data, Map<Integer, F> schema) {
        var r = new Reader(data, 0, data.length);
        ObjectNode o = Json.object();
        while (r.more()) {
            int tag = (int) r.varint();
            F f = schema.get(tag >>> 3);
            if (f == null) {
                r.skip(tag & 7);
                continue;
            }
            switch (f.type()) {
                case STRING -> add(o, f, Json.MAPPER.getNodeFactory().textNode(new String(r.bytes(), java.nio.charset.StandardCharsets.UTF_8)));
                case BYTES -> add(o, f, Json.MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(r.bytes())));
                case BOOL -> add(o, f, Json.MAPPER.getNodeFactory().booleanNode(r.varint() != 0));
                case INT -> add(o, f, Json.MAPPER.getNodeFactory().numberNode(r.varint()));
                case INT_SET -> o.put(f.name(), r.varint());
                case MESSAGE -> add(o, f, message(r.bytes(), f.message()));
                case TIME -> {
                    long seconds = message(r.bytes(), Map.of(1, F.of("s", T.INT))).path("s").asLong();
                    if (seconds != 0) o.put(f.name(), Json.time(Instant.ofEpochSecond(seconds)));
                }
                case STRING_MAP, BYTES_MAP -> {
                    ObjectNode entry = message(r.bytes(), Map.of(1, F.of("k", T.STRING), 2, F.of("v", f.type() == T.BYTES_MAP ? T.BYTES : T.STRING)));
                    ObjectNode map = o.get(f.name()) instanceof ObjectNode m ? m : o.putObject(f.name());
                    map.put(entry.path("k").asText(""), entry.path("v").asText(""));
                }
            }
        }
        return o;
    }

    /** Adds a decoded value, leaving out Go's omitempty zero values (a repeated field keeps every element). */
    private static void add(ObjectNode o, F f, com.fasterxml.jackson.databind.JsonNode v) {
        if (f.repeated()) {
            (o.get(f.name()) instanceof ArrayNode a ? a : o.putArray(f.name())).add(v);
            return;
        }
        boolean empty = v.isTextual() && v.textValue().isEmpty() || v.isBoolean() && !v.booleanValue()
                || v.isNumber() && v.longValue() == 0 || v.isObject() && v.isEmpty();
        if (!empty) o.set(f.name(), v);
    }

    /** Protobuf wire format: varints and length-delimited fields over a byte range. */
    private static final class Reader {
        private final byte[] data;
        private int pos;
        private final int end;

        Reader(byte[] data, int from, int end) {
            this.data = data;
            this.pos = from;
            this.end = end;
        }

        boolean more() { return pos < end; }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw ApiException.badRequest("truncated protobuf body");
                byte b = data[pos++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) return v;
            }
            throw ApiException.badRequest("malformed protobuf varint");
        }

        byte[] bytes() {
            int n = (int) varint();
            if (n < 0 || pos + n > end) throw ApiException.badRequest("truncated protobuf body");
            var out = new ByteArrayOutputStream(n);
            out.write(data, pos, n);
            pos += n;
            return out.toByteArray();
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> bytes();
                case 5 -> pos += 4;
                default -> throw ApiException.badRequest("unsupported protobuf wire type " + wireType);
            }
        }
    }
}
