package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The {@code Scheduled} event kube-scheduler records when it binds a pod ("Successfully assigned
 * default/web to node-1", from {@code default-scheduler}): Peapod binds every pod to its one node when
 * the pod is created, so {@code kubectl describe pod} starts with this event as on a cluster. Pods
 * created with a {@code nodeName} are not scheduled, and get none (as in Kubernetes).
 */
final class ScheduledEvent {
    private ScheduledEvent() {}

    private static final System.Logger LOG = System.getLogger(ScheduledEvent.class.getName());

    /** Records the event for {@code pod}, which the API server bound when it was created without a nodeName. */
    static void record(ObjectStore store, JsonNode pod, Instant now) {
        String node = pod.at("/spec/nodeName").asText("");
        if (node.isEmpty()) return; // scheduling gates or a cordoned node hold it back
        String namespace = pod.at("/metadata/namespace").asText(), name = pod.at("/metadata/name").asText();
        record(store, pod, now, node, "Normal", "Scheduled", "Binding", "Successfully assigned " + namespace + "/" + name + " to " + node);
    }

    /**
     * Records the {@code FailedScheduling} warning kube-scheduler gives a pod it could not place
     * (action "Scheduling"), with the scheduler's {@code message}.
     */
    static void failed(ObjectStore store, JsonNode pod, Instant now, String node, String message) {
        record(store, pod, now, node, "Warning", "FailedScheduling", "Scheduling", message);
    }

    private static void record(ObjectStore store, JsonNode pod, Instant now, String node, String type, String reason, String action, String message) {
        String namespace = pod.at("/metadata/namespace").asText(), name = pod.at("/metadata/name").asText();
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        String eventName = EventNames.next(name, now);
        ObjectNode o = Json.object().put("apiVersion", "v1").put("kind", "Event");
        o.putObject("metadata").put("name", eventName).put("namespace", namespace).put("uid", UUID.randomUUID().toString())
                .put("creationTimestamp", time);
        o.putObject("involvedObject").put("kind", "Pod").put("namespace", namespace).put("name", name)
                .put("uid", pod.at("/metadata/uid").asText()).put("apiVersion", "v1")
                .put("resourceVersion", pod.at("/metadata/resourceVersion").asText());
        o.put("reason", reason).put("message", message).put("type", type).put("action", action);
        o.putObject("source").put("component", "default-scheduler");
        o.put("firstTimestamp", time).put("lastTimestamp", time).put("count", 1)
                .put("reportingComponent", "default-scheduler").put("reportingInstance", "default-scheduler-" + node);
        try {
            store.create(new Key("events", namespace, eventName), o);
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.WARNING, reason + " event for pod=" + namespace + "/" + name + " not stored: " + e.getMessage());
        }
    }
}
