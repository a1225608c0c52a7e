package dev.peapod.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.node.PodEvent;
import dev.peapod.node.PodListener;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The engine's reports into the store, as the kubelet's status manager and event recorder write
 * them to the API server: a status change replaces the stored pod's {@code status} (retried on a
 * conflicting write, dropped once the pod is gone or replaced by another of the same name), and
 * each event becomes a v1 Event about the pod.
 */
final class StoreStatusWriter implements PodListener {
    private static final int ATTEMPTS = 10;
    private static final System.Logger LOG = System.getLogger("peapod.daemon");
    private final ObjectStore store;
    private final String nodeName;
    private final PodGenerations generations;

    StoreStatusWriter(ObjectStore store, String nodeName) {
        this(store, nodeName, new PodGenerations());
    }

    /** @param generations what the node acted on: stamped into each status written (observedGeneration) */
    StoreStatusWriter(ObjectStore store, String nodeName, PodGenerations generations) {
        this.store = store;
        this.nodeName = nodeName;
        this.generations = generations;
        generations.listen(this::generationObserved);
    }

    @Override
    public void statusChanged(Pod pod) {
        var key = new Key("pods", pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        var status = StoredObjects.tree(pod.getStatus());
        if (status instanceof ObjectNode o) PodGenerations.stamp(o, generations.of(pod.getMetadata().getUid()));
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Stored current = store.get(key).orElse(null);
            if (current == null || !current.uid().equals(pod.getMetadata().getUid())) return; // deleted: nothing to report to
            if (status.equals(current.object().get("status"))) return;
            ObjectNode next = current.object().deepCopy();
            next.set("status", status);
            // The kubelet's Update entry for pods/status, as kube-apiserver records it.
            next = dev.peapod.apiserver.StatusFields.podStatusWritten(current.object(), next, "kubelet", java.time.Instant.now());
            try {
                store.update(key, next, current.revision());
                return;
            } catch (StoreException.Conflict | StoreException.NotFound e) {
                // another write came between: read again (the NotFound case ends at the uid check)
            }
        }
        LOG.log(System.Logger.Level.WARNING, "pod=" + key.namespace() + "/" + key.name() + " status not written: too many conflicting writes");
    }

    /** The node acted on a new generation of a running pod: its status says so even when nothing else in it changes. */
    void generationObserved(Key key, String uid, long generation) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Stored current = store.get(key).orElse(null);
            if (current == null || !current.uid().equals(uid) || !(current.object().get("status") instanceof ObjectNode)) return;
            ObjectNode next = current.object().deepCopy();
            if (!PodGenerations.stamp((ObjectNode) next.get("status"), generation)) return;
            try {
                store.update(key, next, current.revision());
                return;
            } catch (StoreException.Conflict | StoreException.NotFound e) {
                // another write came between: read again
            }
        }
    }

    @Override
    public void event(PodEvent e) {
        String time = e.time().truncatedTo(ChronoUnit.SECONDS).toString();
        var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Event");
        String name = dev.peapod.apiserver.EventNames.next(e.pod(), e.time()); // in time order, as client-go names them
        o.putObject("metadata").put("name", name).put("namespace", e.namespace()).put("uid", UUID.randomUUID().toString())
                .put("creationTimestamp", time);
        var ref = o.putObject("involvedObject").put("kind", "Pod").put("namespace", e.namespace()).put("name", e.pod())
                .put("uid", e.podUid()).put("apiVersion", "v1");
        if (e.container() != null) ref.put("fieldPath", "spec.containers{" + e.container() + "}");
        o.put("reason", e.reason()).put("message", e.message()).put("type", e.type());
        o.putObject("source").put("component", "kubelet").put("host", nodeName);
        o.put("firstTimestamp", time).put("lastTimestamp", time).put("count", 1)
                .put("reportingComponent", "kubelet").put("reportingInstance", nodeName);
        try {
            store.create(new Key("events", e.namespace(), name), o);
        } catch (StoreException ex) {
            LOG.log(System.Logger.Level.WARNING, "event " + e.reason() + " for pod=" + e.ref() + " not stored: " + ex.getMessage());
        }
    }
}
