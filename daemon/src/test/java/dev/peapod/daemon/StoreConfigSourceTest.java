package dev.peapod.daemon;

import dev.peapod.node.ConfigSource;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StoreConfigSourceTest {

    @Test
    void lookupsReadTheStoreAndWatchersHearOfEveryWrite() {
        var store = new MemoryStore();
        try (var source = new StoreConfigSource(store)) {
            var cm = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
            cm.putObject("metadata").put("name", "conf").put("namespace", "default").put("uid", "u1");
            cm.putObject("data").put("k", "v1");
            List<ConfigSource.Change> changes = new CopyOnWriteArrayList<>();
            source.watch(changes::add);
            assertThat(source.configMap("default", "conf")).isEmpty();
            store.create(new Key("configmaps", "default", "conf"), cm);
            assertThat(source.configMap("default", "conf").orElseThrow().getData()).containsEntry("k", "v1");
            var secret = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Secret");
            secret.putObject("metadata").put("name", "s").put("namespace", "team").put("uid", "u2");
            store.create(new Key("secrets", "team", "s"), secret);
            store.delete(new Key("configmaps", "default", "conf"), 0);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(changes).containsExactlyInAnyOrder(
                    new ConfigSource.Change(ConfigSource.Kind.CONFIG_MAP, "default", "conf"),
                    new ConfigSource.Change(ConfigSource.Kind.SECRET, "team", "s"),
                    new ConfigSource.Change(ConfigSource.Kind.CONFIG_MAP, "default", "conf")));
            assertThat(source.configMap("default", "conf")).isEmpty();
        }
    }
}
