package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Label and field selectors as the API server parses them (k8s.io/apimachinery/pkg/labels and
 * pkg/fields): comma-separated requirements, all of which must hold. Labels: {@code k=v},
 * {@code k==v}, {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}.
 * Fields: {@code k=v}, {@code k==v}, {@code k!=v} over the fields each resource supports.
 */
final class Selector {
    private Selector() {}

    /** Field selectors each resource supports beyond metadata.name and metadata.namespace (kube-apiserver's field label conversion funcs). */
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "pods", Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                    "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
            "events", Set.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                    "reportingComponent", "source", "type"),
            "namespaces", Set.of("status.phase"),
            "secrets", Set.of("type"));

    static Predicate<JsonNode> labels(String selector) {
        if (selector == null || selector.isBlank()) return o -> true;
        List<Predicate<JsonNode>> reqs = new ArrayList<>();
        for (String r : splitTopLevel(selector)) reqs.add(labelRequirement(r.trim(), selector));
        return o -> reqs.stream().allMatch(p -> p.test(o));
    }

    private static Predicate<JsonNode> labelRequirement(String r, String selector) {
        if (r.isEmpty()) throw ApiException.badRequest("unable to parse requirement: found '', expected: identifier in " + quote(selector));
        var setOp = java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(r);
        if (setOp.matches()) {
            String key = setOp.group(1);
            Set<String> values = new java.util.HashSet<>();
            for (String v : setOp.group(3).split(",")) values.add(v.trim());
            boolean in = setOp.group(2).equals("in");
            return o -> {
                String v = label(o, key);
                return in ? v != null && values.contains(v) : v == null || !values.contains(v);
            };
        }
        String[] eq = splitOperator(r);
        if (eq != null) {
            String key = eq[0], value = eq[2];
            boolean not = eq[1].equals("!=");
            return o -> not ? !value.equals(label(o, key)) : value.equals(label(o, key));
        }
        if (r.startsWith("!")) {
            String key = r.substring(1).trim();
            return o -> label(o, key) == null;
        }
        if (r.contains(" ") || r.contains("(")) throw ApiException.badRequest("unable to parse requirement: " + quote(r));
        return o -> label(o, r) != null;
    }

    static Predicate<JsonNode> fields(String selector, ResourceType type) {
        if (selector == null || selector.isBlank()) return o -> true;
        List<Predicate<JsonNode>> reqs = new ArrayList<>();
        for (String r : selector.split(",")) {
            String[] eq = splitOperator(r.trim());
            if (eq == null) throw ApiException.badRequest("invalid selector: '" + selector + "'; can't understand '" + r + "'");
            String field = eq[0], value = eq[2];
            if (!field.equals("metadata.name") && !field.equals("metadata.namespace")
                    && !FIELDS.getOrDefault(type.name(), Set.of()).contains(field)) {
                throw ApiException.badRequest("field label not supported: " + field);
            }
            boolean not = eq[1].equals("!=");
            reqs.add(o -> not != value.equals(field(o, field)));
        }
        return o -> reqs.stream().allMatch(p -> p.test(o));
    }

    /** A field's value as the selector compares it: absent is "" (as Go's zero value), booleans as "true"/"false". */
    private static String field(JsonNode o, String path) {
        JsonNode n = o.at("/" + path.replace('.', '/'));
        if (n.isMissingNode() || n.isNull()) return path.equals("spec.hostNetwork") ? "false" : "";
        return n.isTextual() ? n.textValue() : n.toString();
    }

    private static String label(JsonNode o, String key) {
        JsonNode n = o.path("metadata").path("labels").get(key);
        return n == null || !n.isTextual() ? null : n.textValue();
    }

    /** {@code [key, op, value]} for {@code k=v}, {@code k==v}, {@code k!=v}; null otherwise. */
    private static String[] splitOperator(String r) {
        int i = r.indexOf("!=");
        if (i > 0) return new String[] {r.substring(0, i).trim(), "!=", r.substring(i + 2).trim()};
        i = r.indexOf("==");
        if (i > 0) return new String[] {r.substring(0, i).trim(), "==", r.substring(i + 2).trim()};
        i = r.indexOf('=');
        if (i > 0) return new String[] {r.substring(0, i).trim(), "=", r.substring(i + 1).trim()};
        return null;
    }

    /** Splits on commas outside parentheses ({@code a in (x,y),b} is two requirements). */
    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static String quote(String s) { return "\"" + s + "\""; }
}
