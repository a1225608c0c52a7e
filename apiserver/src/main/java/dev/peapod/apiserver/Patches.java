package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * The three patch types kubectl sends: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
 * strategic merge patch (a merge patch whose lists of objects with a patch merge key merge by
 * that key, with {@code $patch} directives; https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md).
 */
final class Patches {
    private Patches() {}

    static JsonNode apply(String contentType, JsonNode target, JsonNode patch) {
        String type = contentType == null ? "" : contentType.split(";")[0].trim();
        return switch (type) {
            case "application/merge-patch+json" -> merge(target, patch, false);
            case "application/strategic-merge-patch+json" -> merge(target, patch, true);
            case "application/json-patch+json" -> jsonPatch(target, patch);
            default -> throw ApiException.unsupportedMediaType(type);
        };
    }

    /**
     * Patch merge keys of the core v1 types reachable from the objects Peapod serves (the
     * {@code patchMergeKey} tags in k8s.io/api/core/v1/types.go), by the field's name.
     * Fields not listed are replaced whole, as atomic lists are.
     */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"),
            Map.entry("volumes", "name"), Map.entry("env", "name"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("ports", "containerPort"), Map.entry("imagePullSecrets", "name"),
            Map.entry("conditions", "type"), Map.entry("ownerReferences", "uid"), Map.entry("hostAliases", "ip"),
            Map.entry("topologySpreadConstraints", "topologyKey"), Map.entry("resourceClaims", "name"),
            Map.entry("schedulingGates", "name"), Map.entry("containerStatuses", "name"), Map.entry("initContainerStatuses", "name"),
            Map.entry("podIPs", "ip"), Map.entry("secrets", "name"));

    static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic) {
        if (!patch.isObject()) return patch.deepCopy();
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
        if (strategic && "replace".equals(Json.text(patch, "/$patch"))) {
            ObjectNode replaced = ((ObjectNode) patch).deepCopy();
            replaced.remove("$patch");
            return replaced;
        }
        for (var e : patch.properties()) {
            String name = e.getKey();
            JsonNode value = e.getValue();
            if (strategic && name.startsWith("$")) continue; // $setElementOrder, $retainKeys: order and pruning are not kept
            if (value.isNull()) {
                result.remove(name);
            } else if (strategic && value.isArray() && MERGE_KEYS.containsKey(name) && result.get(name) instanceof ArrayNode old) {
                result.set(name, mergeList(old, (ArrayNode) value, MERGE_KEYS.get(name)));
            } else if (value.isObject()) {
                result.set(name, merge(result.get(name), value, strategic));
            } else {
                result.set(name, value.deepCopy());
            }
        }
        return result;
    }

    /** Strategic merge of a list keyed by {@code key}: patch items update or append; {@code $patch: delete} removes. */
    private static ArrayNode mergeList(ArrayNode old, ArrayNode patch, String key) {
        ArrayNode result = old.deepCopy();
        for (JsonNode item : patch) {
            if (!item.isObject() || !item.has(key)) {
                return patch.deepCopy(); // not a keyed list after all: replace, as for atomic lists
            }
            int at = indexOf(result, key, item.get(key));
            boolean delete = "delete".equals(Json.text(item, "/$patch"));
            if (delete) {
                if (at >= 0) result.remove(at);
            } else if (at >= 0) {
                result.set(at, merge(result.get(at), item, true));
            } else {
                result.add(merge(null, item, true));
            }
        }
        return result;
    }

    private static int indexOf(ArrayNode list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) if (value.equals(list.get(i).get(key))) return i;
        return -1;
    }

    static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) throw ApiException.badRequest("json patch must be an array of operations");
        JsonNode doc = target.deepCopy();
        for (JsonNode op : patch) {
            String kind = Json.text(op, "/op"), path = Json.text(op, "/path");
            if (kind == null || path == null) throw ApiException.badRequest("json patch operation needs op and path: " + op);
            doc = switch (kind) {
                case "add" -> put(doc, path, value(op), true);
                case "replace" -> put(remove(doc, path), path, value(op), true);
                case "remove" -> remove(doc, path);
                case "move" -> {
                    JsonNode v = get(doc, Json.text(op, "/from"));
                    yield put(remove(doc, Json.text(op, "/from")), path, v, true);
                }
                case "copy" -> put(doc, path, get(doc, Json.text(op, "/from")).deepCopy(), true);
                case "test" -> {
                    if (!get(doc, path).equals(value(op))) throw ApiException.badRequest("the json patch test operation failed at " + path);
                    yield doc;
                }
                default -> throw ApiException.badRequest("unknown json patch operation " + kind);
            };
        }
        return doc;
    }

    private static JsonNode value(JsonNode op) {
        if (!op.has("value")) throw ApiException.badRequest("json patch operation " + op + " needs a value");
        return op.get("value").deepCopy();
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode n = path == null ? null : doc.at(path);
        if (n == null || n.isMissingNode()) throw ApiException.badRequest("the json patch path " + path + " does not exist");
        return n;
    }

    private static JsonNode put(JsonNode doc, String path, JsonNode value, boolean insert) {
        if (path.isEmpty()) return value;
        int slash = path.lastIndexOf('/');
        JsonNode parent = doc.at(path.substring(0, slash));
        String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            if (last.equals("-")) a.add(value);
            else {
                int i = index(last, a.size(), path);
                if (insert) a.insert(i, value);
                else a.set(i, value);
            }
        } else {
            throw ApiException.badRequest("the json patch path " + path + " has no parent");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        get(doc, path);
        int slash = path.lastIndexOf('/');
        JsonNode parent = doc.at(path.substring(0, slash));
        String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (parent instanceof ObjectNode o) o.remove(last);
        else if (parent instanceof ArrayNode a) a.remove(index(last, a.size() - 1, path));
        return doc;
    }

    private static int index(String s, int max, String path) {
        try {
            int i = Integer.parseInt(s);
            if (i < 0 || i > max) throw ApiException.badRequest("the json patch index in " + path + " is out of range");
            return i;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("the json patch path " + path + " needs an array index");
        }
    }
}
