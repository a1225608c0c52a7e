package dev.peapod.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns one document's tree into typed objects: dispatches on apiVersion/kind (without fabric8's
 * classpath-scanning KubernetesDeserializer), expands {@code v1 List}, and decodes strictly.
 */
final class ObjectDecoder {
    private static final Map<String, Class<? extends HasMetadata>> V1_KINDS =
            Map.of("Pod", Pod.class, "ConfigMap", ConfigMap.class, "Secret", Secret.class,
                    "PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class);
    private static final Set<String> LIST_FIELDS = Set.of("apiVersion", "kind", "metadata", "items");
    private static final String SUPPORTED = "supported: v1 Pod, v1 ConfigMap, v1 Secret, v1 PersistentVolumeClaim, v1 List";

    private final String source;

    ObjectDecoder(String source) {
        this.source = source;
    }

    /** Appends the objects in {@code node} (one, or a List's items) to {@code out}. */
    void decode(JsonNode node, String where, List<HasMetadata> out) {
        if (!node.isObject()) {
            throw fail(where, "expected an object with apiVersion and kind, got " + describe(node));
        }
        String apiVersion = requiredText(node, "apiVersion", where);
        String kind = requiredText(node, "kind", where);
        if (!"v1".equals(apiVersion) || !(V1_KINDS.containsKey(kind) || "List".equals(kind))) {
            throw fail(where, "unsupported kind " + GoText.quote(kind) + " in apiVersion "
                    + GoText.quote(apiVersion) + " (" + SUPPORTED + ")");
        }
        if ("List".equals(kind)) {
            decodeList(node, where, out);
        } else {
            out.add(decodeObject(node, V1_KINDS.get(kind), kind, where));
        }
    }

    private void decodeList(JsonNode node, String where, List<HasMetadata> out) {
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(f -> {
            if (!LIST_FIELDS.contains(f)) {
                unknown.add(f);
            }
        });
        if (!unknown.isEmpty()) {
            throw fail(where, "List: " + strictError(unknown));
        }
        JsonNode items = node.path("items");
        if (items.isMissingNode() || items.isNull()) {
            return;
        }
        if (!items.isArray()) {
            throw fail(where, "List: failed to decode items: expected a list, got " + describe(items));
        }
        for (int i = 0; i < items.size(); i++) {
            decode(items.get(i), where + ", items[" + i + "]", out);
        }
    }

    private <T extends HasMetadata> T decodeObject(JsonNode node, Class<T> type, String kind, String where) {
        JsonNode name = node.path("metadata").path("name");
        String subject = name.isTextual() ? kind + " " + GoText.quote(name.textValue()) : where + ": " + kind;
        List<String> unknown = new ArrayList<>();
        ObjectReader reader = Codec.mapper().readerFor(type).withAttribute(Codec.UNKNOWN_FIELDS, unknown);
        T value;
        try (JsonParser p = reader.treeAsTokens(node)) {
            value = reader.readValue(p);
        } catch (JsonMappingException e) {
            throw new ManifestException(source + ": " + subject + ": failed to decode "
                    + decodeProblem(node, e), e);
        } catch (IOException e) {
            throw new ManifestException(source + ": " + subject + ": failed to decode: " + e.getMessage(), e);
        }
        if (!unknown.isEmpty()) {
            throw new ManifestException(source + ": " + subject + ": " + strictError(unknown));
        }
        String badBytes = switch (value) {
            case Secret secret -> firstBadBase64("data", secret.getData());
            case ConfigMap cm -> firstBadBase64("binaryData", cm.getBinaryData());
            default -> null;
        };
        if (badBytes != null) {
            throw new ManifestException(source + ": " + subject + ": failed to decode " + badBytes + ": illegal base64 data");
        }
        return value;
    }

    /** Secret.data and ConfigMap.binaryData are []byte in Go, so their text must be base64 (RFC 4648, padded). */
    private static String firstBadBase64(String field, Map<String, String> values) {
        if (values == null) {
            return null;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            if (!isPaddedBase64(e.getValue() == null ? "" : e.getValue())) {
                return field + "[" + e.getKey() + "]";
            }
        }
        return null;
    }

    /** Go's StdEncoding insists on padding; Java's decoder alone would accept unpadded text. */
    private static boolean isPaddedBase64(String v) {
        if (v.length() % 4 != 0) {
            return false;
        }
        try {
            Base64.getDecoder().decode(v);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** kube-apiserver's wording: {@code strict decoding error: unknown field "a", unknown field "b"}. */
    private static String strictError(List<String> unknownPaths) {
        return unknownPaths.stream().map(p -> "unknown field " + GoText.quote(p))
                .collect(Collectors.joining(", ", "strict decoding error: ", ""));
    }

    private String requiredText(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
            throw fail(where, "missing " + GoText.quote(field) + " (every object needs apiVersion and kind, e.g. apiVersion: v1, kind: Pod)");
        }
        if (!v.isTextual()) {
            throw fail(where, GoText.quote(field) + " must be a string, got " + describe(v));
        }
        return v.textValue();
    }

    private ManifestException fail(String where, String message) {
        return new ManifestException(source + ": " + where + ": " + message);
    }

    /** {@code <path>: expected <type>, got <what>} for a value that does not fit the schema. */
    private static String decodeProblem(JsonNode root, JsonMappingException e) {
        String path = pathOf(e.getPath());
        JsonNode offending = nodeAt(root, e.getPath());
        String got = describe(offending);
        String problem;
        if (e instanceof InvalidFormatException f && f.getTargetType() == Quantity.class) {
            problem = e.getOriginalMessage();
        } else if (e.getCause() instanceof InputCoercionException c) {
            problem = "expected " + expected(c.getTargetType()) + ", got " + got + " (out of range)";
        } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            problem = "expected " + expected(m.getTargetType()) + ", got " + got;
        } else if (e instanceof ValueInstantiationException v) {
            problem = "expected " + expected(v.getType().getRawClass()) + ", got " + got;
        } else {
            problem = e.getOriginalMessage();
        }
        return path.isEmpty() ? problem : path + ": " + problem;
    }

    private static String pathOf(List<JsonMappingException.Reference> refs) {
        StringBuilder s = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null && r.getFrom() instanceof Map) {
                s.append('[').append(r.getFieldName()).append(']');
            } else if (r.getFieldName() != null) {
                s.append(s.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                s.append('[').append(r.getIndex()).append(']');
            }
        }
        return s.toString();
    }

    private static JsonNode nodeAt(JsonNode root, List<JsonMappingException.Reference> refs) {
        JsonNode n = root;
        for (JsonMappingException.Reference r : refs) {
            n = r.getFieldName() != null ? n.path(r.getFieldName()) : n.path(r.getIndex());
        }
        return n;
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a different type";
        } else if (type == String.class) {
            return "a string";
        } else if (type == Integer.class || type == Long.class || type == Short.class
                || type == int.class || type == long.class) {
            return "an integer";
        } else if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        } else if (Number.class.isAssignableFrom(type)) {
            return "a number";
        } else if (type == IntOrString.class) {
            return "an integer or a string";
        } else if (type == Quantity.class) {
            return "a quantity";
        } else if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "an object";
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        } else if (n.isTextual()) {
            return "string " + GoText.quote(n.textValue());
        } else if (n.isNumber()) {
            return "number " + n.asText();
        } else if (n.isBoolean()) {
            return "boolean " + n.asText();
        } else if (n.isNull()) {
            return "null";
        }
        return n.isArray() ? "a list" : "an object";
    }
}
