package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Peapod's scheduler for its one node. A pod created without a {@code nodeName} is bound to the node
 * at once ({@link Admission}) unless the node is cordoned ({@code spec.unschedulable}) and the pod does
 * not tolerate the {@code node.kubernetes.io/unschedulable:NoSchedule} taint — kube-scheduler's
 * {@code NodeUnschedulable} filter plugin (pkg/scheduler/framework/plugins/nodeunschedulable) — or the
 * node has another NoSchedule/NoExecute taint the pod does not tolerate ({@code TaintToleration}), or
 * the pod's nodeSelector or required node affinity does not match the node ({@code NodeAffinity}):
 * kube-scheduler then rejects the only node, so the pod stays Pending, unbound, with {@code PodScheduled=False},
 * reason {@code Unschedulable} and a {@code FailedScheduling} event. When the node becomes schedulable
 * again (kubectl uncordon, kubectl taint NODE KEY-), the pending pods are bound
 * and the kubelet (the daemon's pod sync, which runs only bound pods) starts them — as kube-scheduler
 * retries its unschedulable queue on a Node update. Pods created with a {@code nodeName} bypass the
 * scheduler, as in Kubernetes; pods already bound keep running when the node is cordoned.
 *
 * <p>Creates and the binding pass after a node or pod write are serialized on one lock, so a pod
 * created while an uncordon is being written is either admitted against the new node or bound by
 * the pass that follows the write.
 */
final class Scheduler {
    /** v1.TaintNodeUnschedulable. */
    static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";
    /**
     * What kube-scheduler says of a pod when its one node is cordoned: the filter's
     * {@code ErrReasonUnschedulable} counted over the nodes, then the preemption plugin's verdict (the
     * filter's status is UnschedulableAndUnresolvable, so preempting cannot help).
     */
    static final String UNSCHEDULABLE_MESSAGE = "0/1 nodes are available: 1 node(s) were unschedulable. "
            + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    /** The preemption plugin's verdict when the filter's status is UnschedulableAndUnresolvable. */
    private static final String PREEMPTION = "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";

    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final ObjectStore store;
    private final InstantSource clock;
    private final Object lock = new Object();

    Scheduler(ObjectStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Why {@code node} cannot take a pod with {@code podSpec}, empty when it can. A missing node (not
     * registered yet) takes every pod, as Peapod did before it had a Node object.
     */
    static Optional<String> unschedulable(JsonNode node, JsonNode podSpec) {
        if (node == null) return Optional.empty();
        JsonNode tolerations = podSpec.path("tolerations");
        // The filter plugins in kube-scheduler's default order; a node is rejected by the first that fails.
        if (node.at("/spec/unschedulable").asBoolean(false) && !tolerates(tolerations, UNSCHEDULABLE_TAINT, "", "NoSchedule")) {
            return Optional.of(UNSCHEDULABLE_MESSAGE);
        }
        // TaintToleration (plugins/tainttoleration): the first NoSchedule or NoExecute taint the pod does
        // not tolerate (PreferNoSchedule only weighs in scoring), named as "{key: value}".
        for (JsonNode t : node.at("/spec/taints")) {
            String effect = t.path("effect").asText(), key = t.path("key").asText(), value = t.path("value").asText("");
            if ((effect.equals("NoSchedule") || effect.equals("NoExecute")) && !tolerates(tolerations, key, value, effect)) {
                return Optional.of("0/1 nodes are available: 1 node(s) had untolerated taint {" + key + ": " + value + "}. " + PREEMPTION);
            }
        }
        // NodeAffinity (plugins/nodeaffinity): spec.nodeSelector and the required node affinity.
        if (!matchesNodeSelector(node, podSpec)) {
            return Optional.of("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. " + PREEMPTION);
        }
        return Optional.empty();
    }

    /**
     * kube-scheduler's NodeAffinity filter (component-helpers nodeaffinity.GetRequiredNodeAffinity):
     * every {@code nodeSelector} label must be on the node, and when
     * {@code affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution} is set, one of its
     * terms must match (a term: all its matchExpressions on labels and matchFields on
     * {@code metadata.name}; a term with neither matches nothing).
     * https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
     */
    static boolean matchesNodeSelector(JsonNode node, JsonNode podSpec) {
        JsonNode labels = node.at("/metadata/labels");
        for (var e : podSpec.path("nodeSelector").properties()) {
            if (!labels.path(e.getKey()).isTextual() || !labels.path(e.getKey()).asText().equals(e.getValue().asText())) return false;
        }
        JsonNode required = podSpec.at("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution");
        if (required.isMissingNode() || required.isNull()) return true;
        for (JsonNode term : required.path("nodeSelectorTerms")) {
            if (term.path("matchExpressions").isEmpty() && term.path("matchFields").isEmpty()) continue;
            boolean all = true;
            for (JsonNode r : term.path("matchExpressions")) all &= requirement(r, labels.path(r.path("key").asText()));
            for (JsonNode r : term.path("matchFields")) {
                all &= r.path("key").asText().equals("metadata.name") && requirement(r, node.at("/metadata/name"));
            }
            if (all) return true;
        }
        return false;
    }

    /** One node selector requirement against the value found (missing when the label is absent). */
    private static boolean requirement(JsonNode r, JsonNode found) {
        boolean present = found.isTextual();
        String value = found.asText("");
        var values = new java.util.ArrayList<String>();
        r.path("values").forEach(v -> values.add(v.asText()));
        return switch (r.path("operator").asText()) {
            case "In" -> present && values.contains(value);
            case "NotIn" -> !present || !values.contains(value);
            case "Exists" -> present;
            case "DoesNotExist" -> !present;
            case "Gt", "Lt" -> present && values.size() == 1 && compare(value, values.getFirst(), r.path("operator").asText());
            default -> false;
        };
    }

    private static boolean compare(String label, String bound, String op) {
        try {
            long l = Long.parseLong(label), b = Long.parseLong(bound);
            return op.equals("Gt") ? l > b : l < b;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Whether one of {@code tolerations} tolerates the taint {@code key=value:effect} (v1
     * {@code Toleration.ToleratesTaint}): an empty effect matches every effect; an empty key with
     * operator Exists matches every key; operator Exists matches any value, Equal (the default) the same value.
     */
    static boolean tolerates(JsonNode tolerations, String key, String value, String effect) {
        for (JsonNode t : tolerations) {
            String tEffect = t.path("effect").asText(""), tKey = t.path("key").asText(""), op = t.path("operator").asText("Equal");
            if (!tEffect.isEmpty() && !tEffect.equals(effect)) continue;
            if (!tKey.isEmpty() && !tKey.equals(key)) continue;
            if (op.equals("Exists")) return true;
            if ((op.isEmpty() || op.equals("Equal")) && !tKey.isEmpty() && t.path("value").asText("").equals(value)) return true;
        }
        return false;
    }

    /**
     * Creates the pod {@code admitted} (bound by admission to its node when it came without one):
     * if that node is cordoned and the pod does not tolerate it, the pod is stored unbound and
     * Unschedulable instead, with a FailedScheduling event; else a pod the scheduler bound gets its
     * Scheduled event. {@code create} stores the object it is given.
     */
    Stored create(ObjectNode admitted, boolean unbound, java.util.function.Function<ObjectNode, Stored> create) {
        if (!unbound) return create.apply(admitted);
        synchronized (lock) {
            String nodeName = admitted.at("/spec/nodeName").asText("");
            if (nodeName.isEmpty()) return create.apply(admitted); // held back by scheduling gates
            Instant now = clock.instant();
            Optional<String> why = unschedulable(node(nodeName), admitted.path("spec"));
            if (why.isEmpty()) {
                Stored s = create.apply(admitted);
                ScheduledEvent.record(store, s.object(), now);
                return s;
            }
            ((ObjectNode) admitted.get("spec")).remove("nodeName");
            setScheduled(admitted, false, "Unschedulable", why.get(), now);
            Stored s = create.apply(admitted);
            ScheduledEvent.failed(store, s.object(), now, nodeName, why.get());
            return s;
        }
    }

    /** After a write of the Node {@code node}: binds the pods waiting for it if it now takes them. */
    void nodeWritten(JsonNode node) {
        synchronized (lock) {
            for (Stored pod : store.list("pods", null).items()) tryBind(pod, node);
        }
    }

    /**
     * After a write of a pod: one whose last scheduling gate was just removed (the only change a pod
     * update may make that lets it be scheduled) is bound now, as kube-scheduler moves it from its
     * gated pods to the active queue on that update. {@code nodeName}: Peapod's node; a node not
     * registered yet takes every pod, as at creation.
     */
    void podWritten(Stored pod, String nodeName) {
        if (!waiting(pod.object())) return;
        synchronized (lock) {
            JsonNode node = node(nodeName);
            Optional<String> why = unschedulable(node, pod.object().path("spec"));
            if (why.isEmpty()) {
                tryBind(pod, node != null ? node : nodeless(nodeName));
                return;
            }
            // Ungated onto a node that does not take it: Unschedulable, as a scheduling attempt says, once.
            for (JsonNode c : pod.object().at("/status/conditions")) {
                if ("PodScheduled".equals(c.path("type").asText()) && "Unschedulable".equals(c.path("reason").asText())) return;
            }
            Instant now = clock.instant();
            ObjectNode marked = pod.object().deepCopy();
            setScheduled(marked, false, "Unschedulable", why.get(), now);
            try {
                Stored s = store.update(pod.key(), marked, pod.revision());
                ScheduledEvent.failed(store, s.object(), now, nodeName, why.get());
            } catch (StoreException.Conflict | StoreException.NotFound e) {
                LOG.log(System.Logger.Level.DEBUG, "pod " + pod.key() + " not marked unschedulable: " + e.getMessage());
            }
        }
    }

    /** A stand-in for a node with no Node object yet: schedulable, with its name. */
    private static JsonNode nodeless(String nodeName) {
        ObjectNode n = Json.object();
        n.putObject("metadata").put("name", nodeName);
        return n;
    }

    /** An unbound pod that is not held back by scheduling gates and not being deleted. */
    private static boolean waiting(JsonNode pod) {
        return pod.at("/spec/nodeName").asText("").isEmpty() && pod.at("/spec/schedulingGates").isEmpty()
                && !pod.at("/metadata/deletionTimestamp").isTextual();
    }

    /** Binds {@code pod} to {@code node} if it waits and the node takes it (as the pods/binding subresource). */
    private void tryBind(Stored pod, JsonNode node) {
        if (node == null || !waiting(pod.object()) || unschedulable(node, pod.object().path("spec")).isPresent()) return;
        Instant now = clock.instant();
        ObjectNode bound = pod.object().deepCopy();
        ((ObjectNode) bound.get("spec")).put("nodeName", node.at("/metadata/name").asText());
        setScheduled(bound, true, null, null, now);
        try {
            Stored s = store.update(pod.key(), bound, pod.revision());
            ScheduledEvent.record(store, s.object(), now);
        } catch (StoreException.Conflict | StoreException.NotFound e) {
            // written or deleted meanwhile: the write's own pass sees it
            LOG.log(System.Logger.Level.DEBUG, "pod " + pod.key() + " not bound: " + e.getMessage());
        }
    }

    /**
     * Sets the PodScheduled condition: the binding sets it True; a failed attempt False, Unschedulable;
     * pod creation False, SchedulingGated, for a pod with scheduling gates.
     */
    static void setScheduled(ObjectNode pod, boolean scheduled, String reason, String message, Instant now) {
        ObjectNode status = pod.get("status") instanceof ObjectNode s ? s : pod.putObject("status");
        status.put("phase", "Pending");
        ArrayNode conditions = status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
        for (int i = conditions.size() - 1; i >= 0; i--) {
            if ("PodScheduled".equals(conditions.get(i).path("type").asText())) conditions.remove(i);
        }
        ObjectNode c = conditions.addObject().put("type", "PodScheduled").put("status", scheduled ? "True" : "False");
        c.putNull("lastProbeTime");
        c.put("lastTransitionTime", Json.time(now));
        if (!scheduled) c.put("reason", reason).put("message", message);
    }

    private JsonNode node(String name) {
        return store.get(new Key("nodes", "", name)).map(Stored::object).orElse(null);
    }
}
