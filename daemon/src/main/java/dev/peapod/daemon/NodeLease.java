package dev.peapod.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The node's Lease {@code kube-node-lease/<node>} (coordination.k8s.io/v1), as kubelet keeps it
 * (https://kubernetes.io/docs/concepts/architecture/leases/#node-heart-beats): held by the node,
 * {@code leaseDurationSeconds} 40 (kubelet's nodeLeaseDurationSeconds), {@code renewTime} moved on
 * every heartbeat, owned by the Node object so that it goes with it.
 */
final class NodeLease {
    static final String NAMESPACE = "kube-node-lease";
    static final int DURATION_SECONDS = 40;
    /** metav1.MicroTime: RFC 3339 with microseconds. */
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private NodeLease() {}

    static void renew(ObjectStore store, String node, String nodeUid, Instant now) {
        var key = new Key("leases", NAMESPACE, node);
        String renewTime = MICRO.format(now.truncatedTo(ChronoUnit.MICROS));
        for (int attempt = 0; attempt < 5; attempt++) {
            Stored current = store.get(key).orElse(null);
            try {
                if (current == null) {
                    var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
                    var meta = o.putObject("metadata").put("name", node).put("namespace", NAMESPACE)
                            .put("uid", UUID.randomUUID().toString()).put("creationTimestamp", now.truncatedTo(ChronoUnit.SECONDS).toString());
                    meta.putArray("ownerReferences").addObject().put("apiVersion", "v1").put("kind", "Node").put("name", node).put("uid", nodeUid);
                    o.putObject("spec").put("holderIdentity", node).put("leaseDurationSeconds", DURATION_SECONDS).put("renewTime", renewTime);
                    store.create(key, o);
                } else {
                    ObjectNode o = current.object().deepCopy();
                    ((ObjectNode) (o.get("spec") instanceof ObjectNode s ? s : o.putObject("spec"))).put("holderIdentity", node)
                            .put("leaseDurationSeconds", DURATION_SECONDS).put("renewTime", renewTime);
                    store.update(key, o, current.revision());
                }
                return;
            } catch (StoreException.Conflict | StoreException.AlreadyExists | StoreException.NotFound e) {
                // written concurrently: read again
            }
        }
    }
}
