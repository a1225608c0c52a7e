package dev.peapod.node;

import dev.peapod.api.Manifests;
import dev.peapod.api.PodDefaults;
import dev.peapod.testing.FakeClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pod worker keeps running pods' config volumes current: object changes, metadata changes, token renewals. */
class ConfigVolumeUpdatesTest {
    @TempDir Path tmp;
    private final FakeClock clock = new FakeClock();
    private final ConfigSource.MutableConfigSource source = new ConfigSource.MutableConfigSource();
    private FakeNode node;

    @AfterEach
    void close() { if (node != null) node.close(); }

    private static ConfigMap cm(String name, String value) {
        var c = new ConfigMap();
        c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
        c.setData(Map.of("mode", value));
        return c;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void runningPodsVolumesFollowTheirObjectsTheirLabelsAndTheirTokensTtl() throws Exception {
        source.put(cm("app", "debug"));
        source.put(cm("unrelated", "x"));
        node = new FakeNode(tmp, source, clock);
        Pod pod = (Pod) Manifests.parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, labels: {rev: one}}
                spec:
                  containers: [{name: app, image: busybox:1.36, command: [app]}]
                  volumes:
                  - {name: cfg, configMap: {name: app}}
                  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
                  - name: tok
                    projected: {sources: [{serviceAccountToken: {path: token, expirationSeconds: 3600}}]}
                """, "t.yaml").getFirst();
        PodDefaults.apply(pod);
        node.run(pod);
        var paths = node.paths(pod);
        Path mode = paths.volumes().resolve("kubernetes.io~configmap/cfg/mode");
        Path labels = paths.volumes().resolve("kubernetes.io~downward-api/info/labels");
        Path token = paths.volumes().resolve("kubernetes.io~projected/tok/token");
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(node.running("app")).as("%s", node.listener.events).isTrue());
        assertThat(read(mode)).isEqualTo("debug");
        assertThat(read(labels)).isEqualTo("rev=\"one\"");
        String firstToken = read(token);
        assertThat(firstToken).isNotEmpty();

        source.put(cm("app", "release"));
        await().until(() -> read(mode).equals("release"));

        node.engine.updatePodMetadata(pod.getMetadata().getUid(), Map.of("rev", "two"), null);
        await().until(() -> read(labels).equals("rev=\"two\""));
        assertThat(read(token)).as("nothing asked for a new token yet").isEqualTo(firstToken);

        clock.advance(Duration.ofMinutes(48)); // 80% of the hour
        await().until(() -> !read(token).equals(firstToken));
        assertThat(read(mode)).isEqualTo("release");
    }
}
