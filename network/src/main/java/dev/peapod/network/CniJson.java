package dev.peapod.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON helpers. CNI documents are handled as trees, not bound to classes, because the spec
 * (1.0, section 1) requires unknown plugin fields to pass through unchanged.
 */
final class CniJson {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private CniJson() {}

    /** Parses a JSON object; throws {@link IllegalArgumentException} with the parser's reason. */
    static ObjectNode parseObject(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return (ObjectNode) node;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode JSON tree: " + e.getMessage(), e);
        }
    }

    static String pretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode JSON tree: " + e.getMessage(), e);
        }
    }

    /** A text field, or null when absent, null or not text. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** A text field, or "" when absent. */
    static String textOrEmpty(JsonNode node, String field) {
        String value = text(node, field);
        return value == null ? "" : value;
    }

    /** The text elements of an array field; empty when absent. */
    static List<String> texts(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        JsonNode array = node == null ? null : node.get(field);
        if (array != null && array.isArray()) {
            array.forEach(e -> { if (e.isTextual()) out.add(e.asText()); });
        }
        return List.copyOf(out);
    }
}
