package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.apiserver.Finalizers;
import dev.peapod.apiserver.Namespaces;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;
import dev.peapod.store.Watch;
import dev.peapod.store.WatchEvent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's pod sync against the store: watches every pod (list, then watch from the list's
 * revision; on the end of a watch or Gone it lists again) and drives the node engine:
 * <ul>
 *   <li>a pod not bound to the node (no {@code spec.nodeName}) is left alone until it is;</li>
 *   <li>a pod without {@code deletionTimestamp} that is not running and not in a terminal phase is started;</li>
 *   <li>a pod given a {@code deletionTimestamp} is terminated with its {@code deletionGracePeriodSeconds};
 *       once it has stopped, its files are removed and the pod is deleted from the store (kubelet's
 *       final delete with grace period 0);</li>
 *   <li>a pod deleted from the store outright (force delete, or a terminal pod) is killed at once and removed.</li>
 * </ul>
 * Contract: {@link #handle} is called from one thread (the sync loop, or a test); engine callbacks
 * arrive on pod worker threads.
 */
final class PodController implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("peapod.daemon");
    private static final Duration POLL = Duration.ofSeconds(1);

    /** What the controller needs of the engine (a narrow seam, faked in tests). */
    interface Node {
        void run(Pod pod);

        /** Runs {@code then} once the pod has finished and its runtime resources are gone. */
        void whenFinished(String uid, Runnable then);

        void terminate(String uid, Duration grace);

        void remove(String uid);

        /** The pod's labels or annotations changed: downwardAPI volumes follow. */
        void updateMetadata(String uid, Map<String, String> labels, Map<String, String> annotations);

        /** The pod's containers' resources changed through the resize subresource: resize in place. */
        void resize(String uid, Map<String, ResourceRequirements> resources);

        /** Containers' images changed by a pod update: restart those containers from the new image. */
        void updateImages(String uid, Map<String, String> images);
    }

    private final ObjectStore store;
    private final Node node;
    /** uid → the pod's key, for every pod the engine has. */
    private final Map<String, Key> running = new ConcurrentHashMap<>();
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    /** Pods whose removal was asked for (deletionTimestamp set, or deleted from the store). */
    private final Set<String> removing = ConcurrentHashMap.newKeySet();
    /** uid → the deletionGracePeriodSeconds the engine was given for it. */
    private final Map<String, Long> deletionGrace = new ConcurrentHashMap<>();
    /** uid → what of the pod's metadata and spec the engine was last given (a running pod may change only these). */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    /**
     * The parts of a stored pod that may change while it runs and that the engine acts on: labels and
     * annotations (downwardAPI volumes), images (restart from the new image), resources (resize).
     */
    private record Seen(JsonNode metadata, Map<String, String> images, JsonNode resources) {
        static Seen of(JsonNode pod) {
            var nodes = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
            var metadata = nodes.objectNode();
            metadata.set("labels", pod.at("/metadata/labels").deepCopy());
            metadata.set("annotations", pod.at("/metadata/annotations").deepCopy());
            var images = new java.util.LinkedHashMap<String, String>();
            var resources = nodes.objectNode();
            for (String list : java.util.List.of("initContainers", "containers")) {
                for (JsonNode c : pod.at("/spec/" + list)) {
                    images.put(c.path("name").asText(), c.path("image").asText());
                    resources.set(c.path("name").asText(), c.path("resources").deepCopy());
                }
            }
            return new Seen(metadata, images, resources);
        }
    }
    private volatile boolean closed;
    private Thread loop;

    private final PodGenerations generations;

    PodController(ObjectStore store, Node node) {
        this(store, node, new PodGenerations());
    }

    /** @param generations where the generation the node acted on is recorded, for the status writer */
    PodController(ObjectStore store, Node node, PodGenerations generations) {
        this.store = store;
        this.node = node;
        this.generations = generations;
    }

    void start() {
        loop = Thread.ofVirtual().name("pod-sync").start(this::syncLoop);
    }

    private void syncLoop() {
        while (!closed) {
            try {
                var listing = store.list("pods", null);
                for (Stored s : listing.items()) handle(WatchEvent.Type.ADDED, s.object());
                // Pods the engine has that the store no longer holds were deleted while no watch ran.
                var present = listing.items().stream().map(Stored::uid).collect(java.util.stream.Collectors.toSet());
                for (String uid : running.keySet()) if (!present.contains(uid)) deleted(uid);
                try (Watch w = store.watch("pods", null, listing.revision())) {
                    while (!closed && w.isOpen()) {
                        WatchEvent e = w.next(POLL);
                        if (e != null) handle(e.type(), e.object());
                    }
                }
            } catch (StoreException.Gone e) {
                // fell behind the log: list again
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) return;
                LOG.log(System.Logger.Level.ERROR, "pod sync failed, listing again: " + e, e);
                sleepQuietly();
            }
        }
    }

    void handle(WatchEvent.Type type, JsonNode pod) {
        String uid = pod.at("/metadata/uid").asText();
        if (type == WatchEvent.Type.DELETED) {
            deleted(uid);
            return;
        }
        Key key = new Key("pods", pod.at("/metadata/namespace").asText(), pod.at("/metadata/name").asText());
        boolean deleting = pod.at("/metadata/deletionTimestamp").isTextual();
        if (!running.containsKey(uid)) {
            if (deleting) {
                finalDelete(key, uid); // never ran here (or ran before a restart): nothing to stop
            } else if (pod.at("/spec/nodeName").asText("").isEmpty()) {
                // Not scheduled (the node is cordoned, or scheduling gates hold it): kubelet only runs
                // pods bound to its node (its apiserver source watches spec.nodeName=NODE). Started
                // when the scheduler binds it (a MODIFIED with the nodeName).
            } else if (!terminal(pod)) {
                start(key, uid, pod);
            }
            return;
        }
        if (deleting) {
            // A second delete may shorten the grace period (the API server only lets it shrink); kubelet
            // then cuts the termination in flight short (pod_workers.go, calculateEffectiveGracePeriod).
            long grace = pod.at("/metadata/deletionGracePeriodSeconds").asLong(30);
            Long before = deletionGrace.get(uid);
            removing.add(uid);
            if (before == null || grace < before) {
                deletionGrace.put(uid, grace);
                node.terminate(uid, Duration.ofSeconds(grace));
            }
            return;
        }
        if (finished.contains(uid)) return;
        // Status writes come back as MODIFIED too: act only on what the engine has not seen.
        Seen now = Seen.of(pod);
        Seen before = seen.put(uid, now);
        if (before == null) return;
        if (!before.metadata().equals(now.metadata())) {
            node.updateMetadata(uid, StoredObjects.stringMap(now.metadata().path("labels")),
                    StoredObjects.stringMap(now.metadata().path("annotations")));
        }
        var changedImages = new java.util.LinkedHashMap<String, String>();
        now.images().forEach((name, image) -> { if (!image.equals(before.images().get(name))) changedImages.put(name, image); });
        if (!changedImages.isEmpty()) node.updateImages(uid, changedImages);
        if (!before.resources().equals(now.resources())) {
            var byName = new java.util.LinkedHashMap<String, ResourceRequirements>();
            now.resources().fields().forEachRemaining(e -> byName.put(e.getKey(), StoredObjects.resources(e.getValue())));
            node.resize(uid, byName);
        }
        generations.acted(key, pod);
    }

    /** Whether the node should run the pod: not being deleted, not in a terminal phase. */
    static boolean wanted(JsonNode pod) {
        return !pod.at("/metadata/deletionTimestamp").isTextual() && !terminal(pod);
    }

    private static boolean terminal(JsonNode pod) {
        String phase = pod.at("/status/phase").asText("");
        return phase.equals("Succeeded") || phase.equals("Failed");
    }

    private void start(Key key, String uid, JsonNode object) {
        Pod pod;
        try {
            pod = StoredObjects.pod(object);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "pod=" + key.namespace() + "/" + key.name() + " cannot be decoded: " + e.getMessage());
            return;
        }
        running.put(uid, key);
        seen.put(uid, Seen.of(object));
        generations.acted(key, object);
        node.run(pod);
        node.whenFinished(uid, () -> finished(uid));
    }

    /** The engine is done with the pod's containers: if its removal was asked for, remove it everywhere. */
    private void finished(String uid) {
        finished.add(uid);
        if (removing.contains(uid)) removeNow(uid);
    }

    private void deleted(String uid) {
        if (!running.containsKey(uid)) return;
        removing.add(uid);
        if (finished.contains(uid)) removeNow(uid);
        else node.terminate(uid, Duration.ZERO);
    }

    private void removeNow(String uid) {
        Key key = running.remove(uid);
        if (key == null) return; // removed already (the finish and the delete raced)
        node.remove(uid);
        finished.remove(uid);
        seen.remove(uid);
        generations.forget(uid);
        removing.remove(uid);
        deletionGrace.remove(uid);
        finalDelete(key, uid);
    }

    /** Deletes the pod from the store if the stored one is still this pod (same uid). */
    private void finalDelete(Key key, String uid) {
        for (int attempt = 0; attempt < 10; attempt++) {
            var current = store.get(key).orElse(null);
            if (current == null || !current.uid().equals(uid)) return;
            try {
                if (Finalizers.finalDelete(store, current)) Namespaces.finishIfEmpty(store, key.namespace()); // its last pod
                return;
            } catch (StoreException.Conflict | StoreException.NotFound e) {
                // a status write came between: read again
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (loop != null) {
            try {
                loop.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
