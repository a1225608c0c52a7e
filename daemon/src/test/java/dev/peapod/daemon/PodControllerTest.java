package dev.peapod.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import dev.peapod.store.WatchEvent;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pod sync over a memory store and a recording fake node: what it asks of the engine, and what it deletes. */
class PodControllerTest {
    static final Key WEB = new Key("pods", "default", "web");

    final MemoryStore store = new MemoryStore();
    final FakeNode node = new FakeNode();
    final PodController controller = new PodController(store, node);

    static final class FakeNode implements PodController.Node {
        final List<String> calls = new ArrayList<>();
        final Map<String, Runnable> onFinish = new HashMap<>();

        @Override public void run(Pod pod) { calls.add("run " + pod.getMetadata().getName()); }
        @Override public void whenFinished(String uid, Runnable then) { onFinish.put(uid, then); }
        @Override public void terminate(String uid, Duration grace) { calls.add("terminate " + uid + " " + grace.toSeconds() + "s"); }
        @Override public void remove(String uid) { calls.add("remove " + uid); }
        @Override public void updateMetadata(String uid, Map<String, String> labels, Map<String, String> annotations) {
            calls.add("metadata " + uid + " " + labels + " " + annotations);
        }
        @Override public void updateImages(String uid, Map<String, String> images) { calls.add("images " + uid + " " + images); }
        @Override public void resize(String uid, Map<String, io.fabric8.kubernetes.api.model.ResourceRequirements> resources) {
            var limits = new java.util.TreeMap<String, String>();
            resources.forEach((c, r) -> limits.put(c, String.valueOf(r.getLimits())));
            calls.add("resize " + uid + " " + limits);
        }

        void finish(String uid) { onFinish.remove(uid).run(); }
    }

    static ObjectNode pod(String uid) {
        var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        o.putObject("metadata").put("name", "web").put("namespace", "default").put("uid", uid);
        o.putObject("spec").put("nodeName", "n1").putArray("containers").addObject().put("name", "app").put("image", "busybox");
        o.putObject("status").put("phase", "Pending");
        return o;
    }

    void sync(WatchEvent.Type type, ObjectNode o) { controller.handle(type, o); }

    @Test
    void aNewPodRunsOnceAndRepeatedEventsChangeNothing() {
        var p = pod("u1");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        sync(WatchEvent.Type.MODIFIED, p);
        assertThat(node.calls).containsExactly("run web");
    }

    @Test
    void aPodNotBoundToTheNodeWaitsAndRunsOnceTheSchedulerBindsIt() {
        var unbound = pod("u1");
        unbound.with("spec").remove("nodeName"); // the node is cordoned: Pending, Unschedulable
        store.create(WEB, unbound);
        sync(WatchEvent.Type.ADDED, unbound);
        assertThat(node.calls).isEmpty();
        sync(WatchEvent.Type.MODIFIED, pod("u1")); // uncordoned: bound to n1
        assertThat(node.calls).containsExactly("run web");
    }

    @Test
    void labelResourceAndImageChangesReachTheEngineOnceAndStatusWritesDoNot() {
        var p = pod("u1");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        var status = p.deepCopy();
        status.with("status").put("phase", "Running");
        sync(WatchEvent.Type.MODIFIED, status);
        var labelled = status.deepCopy();
        labelled.with("metadata").putObject("labels").put("tier", "web");
        sync(WatchEvent.Type.MODIFIED, labelled);
        sync(WatchEvent.Type.MODIFIED, labelled);
        var resized = labelled.deepCopy();
        ((ObjectNode) resized.with("spec").withArray("containers").get(0)).putObject("resources").putObject("limits").put("cpu", "300m");
        sync(WatchEvent.Type.MODIFIED, resized);
        sync(WatchEvent.Type.MODIFIED, resized);
        var reimaged = resized.deepCopy();
        ((ObjectNode) reimaged.with("spec").withArray("containers").get(0)).put("image", "busybox:2");
        sync(WatchEvent.Type.MODIFIED, reimaged);
        sync(WatchEvent.Type.MODIFIED, reimaged);
        assertThat(node.calls).containsExactly("run web", "metadata u1 {tier=web} {}", "resize u1 {app={cpu=300m}}", "images u1 {app=busybox:2}");
    }

    @Test
    void gracefulDeletionTerminatesWithTheGracePeriodThenRemovesAndDeletesFromTheStore() {
        var p = pod("u1");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        var deleting = p.deepCopy();
        deleting.with("metadata").put("deletionTimestamp", "2026-01-01T00:00:20Z").put("deletionGracePeriodSeconds", 20);
        store.update(WEB, deleting, 0);
        sync(WatchEvent.Type.MODIFIED, deleting);
        sync(WatchEvent.Type.MODIFIED, deleting);
        assertThat(node.calls).containsExactly("run web", "terminate u1 20s");
        assertThat(store.get(WEB)).as("still there while it stops").isPresent();
        node.finish("u1");
        assertThat(node.calls).containsExactly("run web", "terminate u1 20s", "remove u1");
        assertThat(store.get(WEB)).as("the kubelet's final delete").isEmpty();
    }

    @Test
    void aSecondDeleteWithAShorterGracePeriodCutsTheTerminationShortAndALongerOneDoesNot() {
        var p = pod("u1");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        var deleting = p.deepCopy();
        deleting.with("metadata").put("deletionTimestamp", "2026-01-01T00:00:30Z").put("deletionGracePeriodSeconds", 30);
        sync(WatchEvent.Type.MODIFIED, deleting);
        var shorter = deleting.deepCopy();
        shorter.with("metadata").put("deletionGracePeriodSeconds", 5);
        sync(WatchEvent.Type.MODIFIED, shorter);
        sync(WatchEvent.Type.MODIFIED, shorter);
        sync(WatchEvent.Type.MODIFIED, deleting);
        assertThat(node.calls).containsExactly("run web", "terminate u1 30s", "terminate u1 5s");
        // Then force deleted: killed at once.
        sync(WatchEvent.Type.DELETED, shorter);
        assertThat(node.calls).containsExactly("run web", "terminate u1 30s", "terminate u1 5s", "terminate u1 0s");
        node.finish("u1");
        assertThat(node.calls).last().isEqualTo("remove u1");
    }

    @Test
    void aForceDeletedPodIsKilledAtOnceAndRemoved() {
        var p = pod("u1");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        store.delete(WEB, 0);
        sync(WatchEvent.Type.DELETED, p);
        assertThat(node.calls).containsExactly("run web", "terminate u1 0s");
        node.finish("u1");
        assertThat(node.calls).containsExactly("run web", "terminate u1 0s", "remove u1");
    }

    @Test
    void aPodThatFinishedOnItsOwnKeepsItsFilesUntilDeleted() {
        var p = pod("u1");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        node.finish("u1");
        var done = p.deepCopy();
        done.with("status").put("phase", "Succeeded");
        sync(WatchEvent.Type.MODIFIED, done);
        assertThat(node.calls).containsExactly("run web");
        sync(WatchEvent.Type.DELETED, done);
        assertThat(node.calls).containsExactly("run web", "remove u1");
    }

    @Test
    void terminalPodsAreNotStartedAndDeletingPodsNotKnownHereAreDeleted() {
        var done = pod("u1");
        done.with("status").put("phase", "Failed");
        sync(WatchEvent.Type.ADDED, done);
        var deleting = pod("u2");
        deleting.with("metadata").put("deletionTimestamp", "2026-01-01T00:00:00Z");
        store.create(WEB, deleting);
        sync(WatchEvent.Type.ADDED, deleting);
        assertThat(node.calls).isEmpty();
        assertThat(store.get(WEB)).isEmpty();
    }

    @Test
    void aPodWithFinalizersStaysWithGracePeriodZeroAfterItStopped() {
        var p = pod("u1");
        p.with("metadata").putArray("finalizers").add("example.com/keep");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        var deleting = p.deepCopy();
        deleting.with("metadata").put("deletionTimestamp", "2026-01-01T00:00:20Z").put("deletionGracePeriodSeconds", 20);
        store.update(WEB, deleting, 0);
        sync(WatchEvent.Type.MODIFIED, deleting);
        node.finish("u1");
        var held = store.get(WEB).orElseThrow();
        assertThat(held.object().at("/metadata/deletionGracePeriodSeconds").asInt()).isZero();
        long revision = held.revision();
        sync(WatchEvent.Type.MODIFIED, held.object());
        assertThat(store.get(WEB).orElseThrow().revision()).as("no write loop").isEqualTo(revision);
    }

    @Test
    void theFinalDeleteSparesANewPodOfTheSameName() {
        var p = pod("u1");
        store.create(WEB, p);
        sync(WatchEvent.Type.ADDED, p);
        store.delete(WEB, 0);
        store.create(WEB, pod("u2"));
        sync(WatchEvent.Type.DELETED, p);
        node.finish("u1");
        assertThat(store.get(WEB).orElseThrow().uid()).isEqualTo("u2");
    }
}
