package dev.peapod.node;

import dev.peapod.api.Manifests;
import dev.peapod.node.volume.ServiceAccountTokens;
import dev.peapod.testing.FakeClock;
import dev.peapod.testing.FakeMounter;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigVolumesTest {
    @TempDir Path dir;
    private final FakeMounter mounter = new FakeMounter();
    private final FakeClock clock = new FakeClock();
    private final ConfigSource.MutableConfigSource source = new ConfigSource.MutableConfigSource();

    private static ConfigMap cm(String value) {
        var c = new ConfigMap();
        c.setMetadata(new ObjectMetaBuilder().withName("app").withNamespace("default").build());
        c.setData(Map.of("mode", value));
        return c;
    }

    private static Pod pod() {
        return (Pod) Manifests.parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default, uid: u1}
                spec:
                  containers: [{name: app, image: x}]
                  volumes:
                  - {name: cfg, configMap: {name: app}}
                  - name: tok
                    projected: {sources: [{serviceAccountToken: {path: token, expirationSeconds: 3600}}]}
                """, "t.yaml").getFirst();
    }

    @Test
    void secretsAndTokensGetATmpfsConfigMapsDoNotAndTearDownUnmountsThem() throws Exception {
        source.put(cm("debug"));
        var volumes = new ConfigVolumes(mounter, source, clock, dir.resolve("sa"));
        var paths = new PodPaths(dir.resolve("run"), dir.resolve("data"));
        Pod pod = pod();
        Path cfg = volumes.setUp(pod, pod.getSpec().getVolumes().get(0), paths);
        Path tok = volumes.setUp(pod, pod.getSpec().getVolumes().get(1), paths);
        assertThat(cfg).isEqualTo(paths.volumes().resolve("kubernetes.io~configmap/cfg"));
        assertThat(mounter.mounted()).containsExactly(tok);
        assertThat(Files.readString(cfg.resolve("mode"))).isEqualTo("debug");

        volumes.tearDown(pod, paths);
        assertThat(mounter.mounted()).isEmpty();
    }

    @Test
    void updatesRewriteOnlyWhatChangedAndTokensAreRenewedAt80PercentOfTheirTtl() throws Exception {
        source.put(cm("debug"));
        var volumes = new ConfigVolumes(mounter, source, clock, dir.resolve("sa"));
        var paths = new PodPaths(dir.resolve("run"), dir.resolve("data"));
        Pod pod = pod();
        Volume cfgVolume = pod.getSpec().getVolumes().get(0), tokVolume = pod.getSpec().getVolumes().get(1);
        Path cfg = volumes.setUp(pod, cfgVolume, paths);
        Path tok = volumes.setUp(pod, tokVolume, paths);
        String firstToken = Files.readString(tok.resolve("token"));
        assertThat(volumes.nextRefresh(pod)).contains(clock.instant().plus(Duration.ofMinutes(48)));

        source.put(cm("release"));
        var change = new ConfigSource.Change(ConfigSource.Kind.CONFIG_MAP, "default", "app");
        assertThat(ConfigVolumes.shows(cfgVolume, change)).isTrue();
        assertThat(ConfigVolumes.shows(tokVolume, change)).isFalse();
        List<String> failures = new ArrayList<>();
        volumes.update(pod, paths, v -> ConfigVolumes.shows(v, change), (v, m) -> failures.add(v + ": " + m));
        assertThat(Files.readString(cfg.resolve("mode"))).isEqualTo("release");
        assertThat(Files.readString(tok.resolve("token"))).isEqualTo(firstToken);

        clock.advance(Duration.ofMinutes(47));
        assertThat(volumes.refreshDue(pod, tokVolume, clock.instant())).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(volumes.refreshDue(pod, tokVolume, clock.instant())).isTrue();
        volumes.update(pod, paths, v -> volumes.refreshDue(pod, v, clock.instant()), (v, m) -> failures.add(v + ": " + m));
        String renewed = Files.readString(tok.resolve("token"));
        assertThat(renewed).isNotEqualTo(firstToken);
        var claims = ServiceAccountTokens.verify(renewed, ServiceAccountTokens.open(dir.resolve("sa")).publicKey());
        assertThat(((Number) claims.get("iat")).longValue()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(volumes.nextRefresh(pod)).contains(clock.instant().plus(Duration.ofMinutes(48)));

        source.removeConfigMap("default", "app");
        volumes.update(pod, paths, v -> v == cfgVolume, (v, m) -> failures.add(v + ": " + m));
        assertThat(failures).containsExactly("cfg: configmap \"app\" not found");
        assertThat(Files.readString(cfg.resolve("mode"))).as("the last good content stays").isEqualTo("release");
    }
}
