package dev.peapod.apiserver;

import dev.peapod.store.MemoryStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * fabric8's Java client (the JDK HttpClient transport) against the API server over a memory store, for the watch and
 * patch semantics issue 6 names beside kubectl: a watch sees a label selector's objects come, change and go in
 * order; a watch from a resourceVersion replays only what came after it, and one from a compacted revision ends with
 * 410 Gone (the client's cue to re-list); informers list then watch; strategic merge patches merge containers by
 * name, merge patches delete with null, JSON patches apply atomically (a failed {@code test} changes nothing);
 * an update from a stale copy is a 409 Conflict. No pods run here (no node): pods stay Pending.
 */
@Timeout(60) // a watch the server never establishes blocks fabric8's watch() forever: fail instead
class Fabric8ClientTest {
    /** A short watch log: a few writes compact the start, so a watch from revision 1 meets 410 Gone. */
    static final int WINDOW = 50;
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir static Path dir;
    static TestServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir, PodExec.NONE, PodAttach.NONE, new MemoryStore(WINDOW));
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(server.kubeconfig))).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    static Pod pod(String name, Map<String, String> labels, String... containers) {
        var b = new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().withNewSpec();
        for (String c : containers) b.addNewContainer().withName(c).withImage("peapod/busybox:v1").endContainer();
        return b.endSpec().build();
    }

    static ConfigMap configMap(String ns, String name, Map<String, String> data) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withData(data)
                .build();
    }

    @Test
    void watchSeesASelectorsObjectsComeChangeAndGoInOrder() {
        var events = new CopyOnWriteArrayList<String>();
        try (var ignored = client.pods().inNamespace("default").withLabel("suite", "watch").watch(new Watcher<Pod>() {
            @Override public void eventReceived(Action action, Pod p) {
                events.add(action + " " + p.getMetadata().getName() + " " + p.getMetadata().getLabels().get("step"));
            }
            @Override public void onClose(WatcherException cause) {}
        })) {
            client.pods().inNamespace("default").resource(pod("w1", Map.of("suite", "watch", "step", "1"), "app")).create();
            client.pods().inNamespace("default").resource(pod("unwatched", Map.of("suite", "other"), "app")).create();
            client.pods().inNamespace("default").withName("w1")
                    .edit(p -> new PodBuilder(p).editMetadata().addToLabels("step", "2").endMetadata().build());
            // Leaving the selector is a DELETED for this watch (the object itself is still there), as kube does.
            client.pods().inNamespace("default").withName("w1")
                    .edit(p -> new PodBuilder(p).editMetadata().addToLabels("suite", "gone").endMetadata().build());
            await().atMost(WAIT).until(() -> events.size() >= 3);
            assertThat(events).containsExactly("ADDED w1 1", "MODIFIED w1 2", "DELETED w1 2");
        }
        assertThat(client.pods().inNamespace("default").withName("w1").get().getMetadata().getLabels())
                .containsEntry("suite", "gone");
        client.pods().inNamespace("default").withName("w1").withGracePeriod(0).delete();
        client.pods().inNamespace("default").withName("unwatched").withGracePeriod(0).delete();
        await().atMost(WAIT).until(() -> client.pods().inNamespace("default").withName("w1").get() == null);
    }

    @Test
    void aWatchFromAResourceVersionReplaysOnlyWhatCameAfterIt() {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("replay").endMetadata().build()).create();
        var created = client.configMaps().inNamespace("replay").resource(configMap("replay", "c", Map.of("v", "1"))).create();
        client.configMaps().inNamespace("replay").withName("c")
                .edit(c -> new ConfigMapBuilder(c).addToData("v", "2").build());
        var events = new CopyOnWriteArrayList<String>();
        var options = new ListOptionsBuilder().withResourceVersion(created.getMetadata().getResourceVersion()).build();
        try (var ignored = client.configMaps().inNamespace("replay").watch(options, new Watcher<ConfigMap>() {
            @Override public void eventReceived(Action action, ConfigMap c) {
                events.add(action + " " + c.getMetadata().getName() + " " + c.getData().get("v"));
            }
            @Override public void onClose(WatcherException cause) {}
        })) {
            client.configMaps().inNamespace("replay").resource(configMap("replay", "d", Map.of("v", "9"))).create();
            await().atMost(WAIT).until(() -> events.size() >= 2);
            // Not "ADDED c 1": that revision is the watch's starting point, not news.
            assertThat(events).containsExactly("MODIFIED c 2", "ADDED d 9");
        }
    }

    @Test
    void aWatchFromACompactedRevisionEndsWith410Gone() throws Exception {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("churn").endMetadata().build()).create();
        for (int i = 0; i < WINDOW + 5; i++) {
            client.configMaps().inNamespace("churn").resource(configMap("churn", "c" + i, Map.of())).create();
        }
        var closed = new CompletableFuture<WatcherException>();
        var options = new ListOptionsBuilder().withResourceVersion("1").build();
        try (var ignored = client.configMaps().inNamespace("churn").watch(options, new Watcher<ConfigMap>() {
            @Override public void eventReceived(Action action, ConfigMap c) {}
            @Override public void onClose(WatcherException cause) { closed.complete(cause); }
        })) {
            var cause = closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(cause).isNotNull();
            assertThat(cause.isHttpGone()).as("410 Gone: " + cause.getMessage()).isTrue();
        } catch (KubernetesClientException e) {
            // The client may also refuse the watch outright, from the 410 status of the upgrade request.
            assertThat(e.getCode()).isEqualTo(410);
        }
    }

    @Test
    void anInformerListsThenWatches() {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("inform").endMetadata().build()).create();
        for (String n : List.of("a", "b")) {
            client.configMaps().inNamespace("inform").resource(configMap("inform", n, Map.of("k", n))).create();
        }
        var seen = new CopyOnWriteArrayList<String>();
        var informer = client.configMaps().inNamespace("inform").inform(new ResourceEventHandler<>() {
            @Override public void onAdd(ConfigMap c) { seen.add("add " + c.getMetadata().getName()); }
            @Override public void onUpdate(ConfigMap old, ConfigMap now) {
                seen.add("update " + now.getMetadata().getName() + " " + now.getData().get("k"));
            }
            @Override public void onDelete(ConfigMap c, boolean unknown) { seen.add("delete " + c.getMetadata().getName()); }
        });
        try {
            await().atMost(WAIT).until(() -> informer.hasSynced() && seen.size() >= 2);
            client.configMaps().inNamespace("inform").withName("a").edit(c -> new ConfigMapBuilder(c).addToData("k", "A").build());
            client.configMaps().inNamespace("inform").withName("b").delete();
            await().atMost(WAIT).until(() -> seen.size() >= 4);
            assertThat(seen).containsExactlyInAnyOrder("add a", "add b", "update a A", "delete b");
            assertThat(informer.getStore().list()).extracting(c -> c.getMetadata().getName()).containsExactly("a");
        } finally {
            informer.close();
        }
    }

    @Test
    void aStrategicMergePatchMergesContainersByName() {
        client.pods().inNamespace("default").resource(pod("smp", Map.of("suite", "patch"), "a", "b")).create();
        try {
            var patched = client.pods().inNamespace("default").withName("smp").patch(
                    PatchContext.of(PatchType.STRATEGIC_MERGE),
                    "{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"peapod/busybox:v2\"}]}}");
            assertThat(patched.getSpec().getContainers()).extracting(c -> c.getName() + "=" + c.getImage())
                    .containsExactly("a=peapod/busybox:v1", "b=peapod/busybox:v2");
            assertThat(patched.getMetadata().getGeneration()).isEqualTo(2L);
            // A field kube-apiserver does not let change on a pod: 422, and the pod unchanged.
            assertThatThrownBy(() -> client.pods().inNamespace("default").withName("smp").patch(
                    PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"restartPolicy\":\"Never\"}}"))
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
            assertThat(client.pods().inNamespace("default").withName("smp").get().getSpec().getRestartPolicy())
                    .isEqualTo("Always");
        } finally {
            client.pods().inNamespace("default").withName("smp").withGracePeriod(0).delete();
        }
    }

    @Test
    void mergeAndJsonPatchesOnAConfigMap() {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("patches").endMetadata().build()).create();
        var cms = client.configMaps().inNamespace("patches");
        cms.resource(configMap("patches", "c", Map.of("x", "1", "y", "1"))).create();
        // RFC 7386: null removes a key.
        var merged = cms.withName("c").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"x\":null,\"z\":\"3\"}}");
        assertThat(merged.getData()).isEqualTo(Map.of("y", "1", "z", "3"));
        // RFC 6902: all operations or none.
        var replaced = cms.withName("c").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"test\",\"path\":\"/data/y\",\"value\":\"1\"},{\"op\":\"replace\",\"path\":\"/data/y\",\"value\":\"2\"}]");
        assertThat(replaced.getData()).containsEntry("y", "2");
        String before = replaced.getMetadata().getResourceVersion();
        assertThatThrownBy(() -> cms.withName("c").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/data/z\",\"value\":\"9\"},{\"op\":\"test\",\"path\":\"/data/y\",\"value\":\"1\"}]"))
                .isInstanceOf(KubernetesClientException.class);
        var after = cms.withName("c").get();
        assertThat(after.getData()).isEqualTo(Map.of("y", "2", "z", "3"));
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before);
    }

    @Test
    void anUpdateFromAStaleCopyIsAConflict() {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("occ").endMetadata().build()).create();
        var cms = client.configMaps().inNamespace("occ");
        var stale = cms.resource(configMap("occ", "c", Map.of("v", "0"))).create();
        var first = new ConfigMapBuilder(stale).addToData("v", "1").build();
        var second = new ConfigMapBuilder(stale).addToData("v", "2").build();
        assertThat(cms.resource(first).update().getData()).containsEntry("v", "1");
        assertThatThrownBy(() -> cms.resource(second).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
                });
        assertThat(cms.withName("c").get().getData()).containsEntry("v", "1");
    }
}
