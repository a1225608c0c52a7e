package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.api.FieldError;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An update of the Node's spec or metadata by a user (kubectl cordon/uncordon, taint, label,
 * annotate): the status stays the kubelet's ({@link Admission#update}), the taints are validated
 * as kube-apiserver's {@code ValidateNodeUpdate}/{@code validateNodeTaints} does
 * (pkg/apis/core/validation), and the {@code node.kubernetes.io/unschedulable:NoSchedule} taint
 * follows {@code spec.unschedulable}, as the node lifecycle controller keeps it
 * (TaintNodesByCondition, pkg/controller/nodelifecycle: {@code doNoScheduleTaintingPass} adds
 * it while the node is unschedulable and removes it after) — here with the write itself, as there
 * is no controller, so {@code kubectl describe node} shows it at once.
 *
 * <p>kubectl 1.32 cordons with a strategic merge patch {@code {"spec":{"unschedulable":true}}} and
 * uncordons with {@code {"spec":{"unschedulable":null}}} (seen with {@code -v=8}); drain cordons the
 * same way first.
 */
final class NodeUpdate {
    private NodeUpdate() {}

    static final List<String> EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    /** The Node to store for the update {@code o} (status already kept from the stored one). */
    static ObjectNode update(ObjectNode o) {
        ObjectNode spec = o.get("spec") instanceof ObjectNode s ? s : o.putObject("spec");
        List<FieldError> errors = validateTaints(spec.path("taints"));
        if (!errors.isEmpty()) throw ApiException.invalid(ResourceType.NODES, o.at("/metadata/name").asText(), errors);
        syncUnschedulableTaint(spec);
        return o;
    }

    /** Adds or removes the unschedulable taint so that it is there exactly while {@code spec.unschedulable}. */
    static void syncUnschedulableTaint(ObjectNode spec) {
        boolean cordoned = spec.path("unschedulable").asBoolean(false);
        ArrayNode taints = spec.get("taints") instanceof ArrayNode a ? a : null;
        boolean present = false;
        if (taints != null) {
            for (int i = taints.size() - 1; i >= 0; i--) {
                JsonNode t = taints.get(i);
                if (!Scheduler.UNSCHEDULABLE_TAINT.equals(t.path("key").asText()) || !"NoSchedule".equals(t.path("effect").asText())) continue;
                if (cordoned) present = true;
                else taints.remove(i);
            }
        }
        if (cordoned && !present) {
            (taints == null ? spec.putArray("taints") : taints).addObject().put("key", Scheduler.UNSCHEDULABLE_TAINT).put("effect", "NoSchedule");
        }
        if (taints != null && taints.isEmpty()) spec.remove("taints");
    }

    /** validateNodeTaints: a key (a qualified name), a known effect, each key and effect pair once. */
    static List<FieldError> validateTaints(JsonNode taints) {
        List<FieldError> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < taints.size(); i++) {
            JsonNode t = taints.get(i);
            String path = "spec.taints[" + i + "]";
            String key = t.path("key").asText(""), effect = t.path("effect").asText("");
            if (key.isEmpty()) errors.add(FieldError.required(path + ".key", ""));
            if (effect.isEmpty()) errors.add(FieldError.required(path + ".effect", ""));
            else if (!EFFECTS.contains(effect)) errors.add(FieldError.notSupported(path + ".effect", effect, EFFECTS));
            if (!key.isEmpty() && !effect.isEmpty() && !seen.add(key + ":" + effect)) {
                errors.add(FieldError.duplicate(path, t.deepCopy()));
            }
        }
        return errors;
    }
}
