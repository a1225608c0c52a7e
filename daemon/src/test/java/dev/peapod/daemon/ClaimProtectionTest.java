package dev.peapod.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.apiserver.Claims;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A deleted claim stays while a pod object or a pod on the node uses it; then its directory and the claim go. */
class ClaimProtectionTest {
    @TempDir Path dataDir;

    static ObjectNode claim(String name, boolean deleted, String... finalizers) {
        var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
        var meta = o.putObject("metadata").put("name", name).put("namespace", "default").put("uid", "u-" + name);
        var f = meta.putArray("finalizers");
        for (String s : finalizers) f.add(s);
        if (deleted) meta.put("deletionTimestamp", "2026-11-24T03:00:00Z");
        return o;
    }

    static ObjectNode pod(String name, String claim) {
        var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        o.putObject("metadata").put("name", name).put("namespace", "default").put("uid", "p-" + name);
        o.putObject("spec").putArray("volumes").addObject().put("name", "data").putObject("persistentVolumeClaim").put("claimName", claim);
        return o;
    }

    @Test
    void aDeletedClaimIsReleasedOnceNoPodUsesItAndItsDirectoryGoes() throws Exception {
        var store = new MemoryStore();
        Path dir = Files.createDirectories(dataDir.resolve("volumes/pvc/default/data"));
        Files.writeString(dir.resolve("f"), "x");
        store.create(new Key("persistentvolumeclaims", "default", "data"), claim("data", true, Claims.PROTECTION));
        store.create(new Key("persistentvolumeclaims", "default", "live"), claim("live", false, Claims.PROTECTION));
        store.create(new Key("pods", "default", "user"), pod("user", "data"));
        var protection = new ClaimProtection(store, dataDir);

        assertThat(protection.sweep()).as("a pod object names it").isZero();
        assertThat(dir).exists();

        store.delete(new Key("pods", "default", "user"), 0);
        Path podDir = Files.createDirectories(dataDir.resolve("pods/p-user"));
        Files.writeString(podDir.resolve("claims"), "default/data\n");
        assertThat(protection.sweep()).as("the node still has a pod that mounted it").isZero();
        assertThat(store.get(new Key("persistentvolumeclaims", "default", "data"))).isPresent();

        Files.delete(podDir.resolve("claims"));
        assertThat(protection.sweep()).isEqualTo(1);
        assertThat(dir).doesNotExist();
        assertThat(store.get(new Key("persistentvolumeclaims", "default", "data"))).isEmpty();
        assertThat(store.get(new Key("persistentvolumeclaims", "default", "live"))).as("not deleted: kept").isPresent();
    }

    @Test
    void anotherFinalizerKeepsTheClaimWithoutOurs() {
        var store = new MemoryStore();
        store.create(new Key("persistentvolumeclaims", "default", "data"), claim("data", true, "example.com/keep", Claims.PROTECTION));
        assertThat(new ClaimProtection(store, dataDir).sweep()).as("never mounted: no directory, released all the same").isEqualTo(1);
        var left = store.get(new Key("persistentvolumeclaims", "default", "data")).orElseThrow().object();
        assertThat(left.at("/metadata/finalizers").toString()).isEqualTo("[\"example.com/keep\"]");
    }
}
