package dev.peapod.node;

import dev.peapod.api.Manifests;
import dev.peapod.node.volume.FileProjection;
import dev.peapod.node.volume.ServiceAccountTokens;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumePayloadsTest {
    private static final String OBJECTS = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: app}
            data: {app.conf: "port=80\\n", mode: debug}
            binaryData: {blob: AAEC}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            data: {password: czNjcjN0}
            stringData: {user: admin}
            """;
    private final List<ServiceAccountTokens.Request> issued = new ArrayList<>();
    private final VolumePayloads.Tokens tokens = r -> {
        issued.add(r);
        Instant now = Instant.parse("2026-11-23T20:00:00Z");
        return new ServiceAccountTokens.Token("jwt-for-" + r.serviceAccount(), now, now.plus(r.ttl()));
    };

    private static ConfigSource source() {
        var objects = Manifests.parse(OBJECTS, "t.yaml");
        return ConfigSource.of(objects.stream().filter(o -> o instanceof ConfigMap).map(o -> (ConfigMap) o).toList(),
                objects.stream().filter(o -> o instanceof Secret).map(o -> (Secret) o).toList());
    }

    private static Pod pod(String volumesYaml) {
        return (Pod) Manifests.parse("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: default
                  uid: uid-1
                  labels: {app: web, tier: "front end"}
                  annotations: {note: "say \\"hi\\""}
                spec:
                  serviceAccountName: builder
                  containers:
                  - name: app
                    image: x
                    resources: {limits: {memory: 64Mi, cpu: 500m}, requests: {cpu: 250m}}
                  volumes:
                """ + volumesYaml.indent(2), "t.yaml").getFirst();
    }

    private Map<String, String> files(String volumeYaml) {
        Pod p = pod(volumeYaml);
        Volume v = p.getSpec().getVolumes().getFirst();
        var out = new TreeMap<String, String>();
        VolumePayloads.of(p, v, source(), tokens).files().forEach((k, f) ->
                out.put(k, Integer.toOctalString(f.mode()) + " " + new String(f.data(), StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void aConfigMapWithoutItemsShowsEveryKeyAndBinaryDataWithTheDefaultMode() {
        Pod p = pod("- {name: c, configMap: {name: app}}");
        var payload = VolumePayloads.of(p, p.getSpec().getVolumes().getFirst(), source(), tokens).files();
        assertThat(payload.keySet()).containsExactly("app.conf", "blob", "mode");
        assertThat(payload.get("blob")).isEqualTo(new FileProjection(new byte[] {0, 1, 2}, 0644));
        assertThat(files("- {name: c, configMap: {name: app, defaultMode: 0400}}")).containsEntry("mode", "400 debug");
    }

    @Test
    void itemsChoosePathsAndModes() {
        assertThat(files("- {name: c, configMap: {name: app, defaultMode: 0440, items: [{key: app.conf, path: etc/app.conf, mode: 0600}, {key: mode, path: m}]}}"))
                .containsExactly(Map.entry("etc/app.conf", "600 port=80\n"), Map.entry("m", "440 debug"));
    }

    @Test
    void aMissingKeyOrObjectFailsInKubeletsWordsUnlessOptional() {
        assertThatThrownBy(() -> files("- {name: c, configMap: {name: app, items: [{key: nope, path: x}]}}"))
                .hasMessage("configmap references non-existent config key: nope");
        assertThatThrownBy(() -> files("- {name: c, configMap: {name: gone}}")).hasMessage("configmap \"gone\" not found");
        assertThatThrownBy(() -> files("- {name: s, secret: {secretName: gone}}")).hasMessage("secret \"gone\" not found");
        assertThatThrownBy(() -> files("- {name: s, secret: {secretName: creds, items: [{key: nope, path: x}]}}"))
                .hasMessage("references non-existent secret key: nope");
        assertThat(files("- {name: c, configMap: {name: gone, optional: true}}")).isEmpty();
        assertThat(files("- {name: c, configMap: {name: app, optional: true, items: [{key: nope, path: x}, {key: mode, path: m}]}}"))
                .containsOnlyKeys("m");
    }

    @Test
    void aSecretShowsDecodedDataAndStringData() {
        assertThat(files("- {name: s, secret: {secretName: creds}}"))
                .containsExactly(Map.entry("password", "644 s3cr3t"), Map.entry("user", "644 admin"));
    }

    @Test
    void downwardApiFilesFormatLabelsLikeKubeletAndDivideResources() {
        assertThat(files("""
                - name: d
                  downwardAPI:
                    items:
                    - {path: labels, fieldRef: {fieldPath: metadata.labels}}
                    - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
                    - {path: tier, fieldRef: {fieldPath: "metadata.labels['tier']"}}
                    - {path: name, fieldRef: {fieldPath: metadata.name}, mode: 0400}
                    - {path: uid, fieldRef: {fieldPath: metadata.uid}}
                    - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
                    - {path: cpu, resourceFieldRef: {containerName: app, resource: requests.cpu, divisor: 1m}}
                """)).containsExactly(
                Map.entry("annotations", "644 note=\"say \\\"hi\\\"\""),
                Map.entry("cpu", "644 250"),
                Map.entry("labels", "644 app=\"web\"\ntier=\"front end\""),
                Map.entry("mem", "644 64"),
                Map.entry("name", "400 web"),
                Map.entry("tier", "644 front end"),
                Map.entry("uid", "644 uid-1"));
    }

    @Test
    void aProjectedVolumeCombinesSourcesAndSignsATokenForThePodsServiceAccount() {
        Pod p = pod("""
                - name: p
                  projected:
                    defaultMode: 0440
                    sources:
                    - configMap: {name: app, items: [{key: mode, path: cfg/mode}]}
                    - secret: {name: creds, items: [{key: user, path: user}]}
                    - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
                    - serviceAccountToken: {path: token, audience: vault, expirationSeconds: 3600}
                    - secret: {name: absent, optional: true}
                """);
        var payload = VolumePayloads.of(p, p.getSpec().getVolumes().getFirst(), source(), tokens);
        assertThat(payload.files().keySet()).containsExactly("cfg/mode", "name", "token", "user");
        assertThat(new String(payload.files().get("token").data(), StandardCharsets.US_ASCII)).isEqualTo("jwt-for-builder");
        assertThat(payload.files().get("token").mode()).isEqualTo(0440);
        assertThat(issued).singleElement().satisfies(r -> {
            assertThat(r.audience()).isEqualTo("vault");
            assertThat(r.podUid()).isEqualTo("uid-1");
            assertThat(r.ttl()).hasSeconds(3600);
        });
        assertThat(payload.refreshAt()).contains(Instant.parse("2026-11-23T20:48:00Z"));
    }

    @Test
    void goQuotingMatchesStrconvQuote() {
        assertThat(VolumePayloads.goQuote("a\tb\\c\u0001ü")).isEqualTo("\"a\\tb\\\\c\\x01ü\"");
    }
}
