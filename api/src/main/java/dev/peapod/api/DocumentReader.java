package dev.peapod.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a manifest stream into documents and turns syntax errors into {@code source:line:column: message}.
 * Like kubectl's {@code YAMLOrJSONDecoder}, a stream whose first non-blank character is {@code {} or
 * {@code [} is read as JSON (one or more concatenated values), anything else as multi-document YAML.
 */
final class DocumentReader {
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)' for `ObjectNode`.*", Pattern.DOTALL);
    private static final Pattern JACKSON_HINT = Pattern.compile("\\s*\\(but (might|could) if .*\\)$", Pattern.DOTALL);

    /**
     * One document of a stream.
     *
     * @param index 1-based position among all documents, empty ones included, so users can count {@code ---}
     * @param line  line on which the document's content starts
     * @param node  the document's content, never empty
     */
    record Document(int index, int line, JsonNode node) { }

    private DocumentReader() { }

    /** The non-empty documents of {@code text}; empty documents ({@code ---} alone, comments, {@code null}) are skipped. */
    static List<Document> read(String text, String source) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        JsonFactory factory = looksLikeJson(body) ? Codec.json() : Codec.yaml();
        List<Document> documents = new ArrayList<>();
        try (JsonParser p = factory.createParser(body)) {
            int index = 0;
            while (p.nextToken() != null) {
                index++;
                int line = p.currentTokenLocation().getLineNr();
                JsonNode node = Codec.mapper().readTree(p);
                if (!isEmpty(node)) {
                    documents.add(new Document(index, line, node));
                }
            }
        } catch (JsonProcessingException e) {
            throw syntaxError(source, e);
        } catch (IOException e) {
            throw new ManifestException("failed to read " + source + ": " + e.getMessage(), e);
        }
        return documents;
    }

    private static boolean looksLikeJson(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static boolean isEmpty(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode()
                || (node.isTextual() && node.textValue().isEmpty());
    }

    private static ManifestException syntaxError(String source, JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
            Mark m = y.getProblemMark();
            String what = y.getContext() == null ? y.getProblem() : y.getContext() + ": " + y.getProblem();
            return new ManifestException(source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1) + ": " + what, e);
        }
        String message = e.getOriginalMessage();
        Matcher dup = DUPLICATE.matcher(message);
        if (dup.matches()) {
            message = "duplicate field " + GoText.quote(dup.group(1));
        }
        message = JACKSON_HINT.matcher(message).replaceAll("");
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
        return new ManifestException(where + ": " + message, e);
    }
}
