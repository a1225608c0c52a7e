package dev.peapod.node;

import dev.peapod.api.Manifests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvResolverTest {
    private static Pod pod(String env) {
        return (Pod) Manifests.parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default, uid: u1}
                spec:
                  containers:
                  - name: app
                    image: x
                    resources: {limits: {cpu: 1500m}}
                """ + env.indent(4), "t.yaml").getFirst();
    }

    /** A source that, like one fed by an older API server or a hand-made store, holds keys kubelet would skip. */
    private static ConfigSource source() {
        var cm = new ConfigMap();
        cm.setMetadata(new ObjectMetaBuilder().withName("app").withNamespace("default").build());
        var data = new LinkedHashMap<String, String>();
        data.put("GOOD", "1");
        data.put("BAD=NAME", "2");
        data.put("ALSO\tBAD", "3");
        cm.setData(data);
        return ConfigSource.of(List.of(cm), List.of());
    }

    private static List<String> resolve(Pod p, ConfigSource s) throws ContainerStartException {
        return EnvResolver.resolve(p, p.getSpec().getContainers().getFirst(), s, "10.0.0.1", "10.85.0.2").stream()
                .map(e -> e.name() + "=" + e.value()).toList();
    }

    @Test
    void envFromSkipsInvalidNamesAndSaysSoInKubeletsWords() throws Exception {
        Pod p = pod("envFrom: [{prefix: P_, configMapRef: {name: app}}]");
        assertThat(resolve(p, source())).containsExactly("P_GOOD=1");
        assertThat(EnvResolver.skippedEnvFromKeys(p, p.getSpec().getContainers().getFirst(), source())).containsExactly(
                "Keys [ALSO\tBAD, BAD=NAME] from the EnvFrom configMap default/app were skipped since they are considered invalid environment variable names.");
    }

    @Test
    void resourceRefsDivideRoundingUpAndAnUnsetRequestIsZero() throws Exception {
        Pod p = pod("""
                env:
                - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
                - {name: CPU_M, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
                - {name: REQ, valueFrom: {resourceFieldRef: {resource: requests.memory}}}
                - {name: IPS, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
                """);
        assertThat(resolve(p, ConfigSource.EMPTY)).containsExactly("CPU=2", "CPU_M=1500", "REQ=0", "IPS=10.85.0.2");
    }

    @Test
    void missingReferencesNameWhatIsMissing() {
        Pod secretKey = pod("env: [{name: X, valueFrom: {secretKeyRef: {name: creds, key: k}}}]");
        assertThatThrownBy(() -> resolve(secretKey, ConfigSource.EMPTY)).isInstanceOf(ContainerStartException.class)
                .hasMessage("secret \"creds\" not found");
        Pod key = pod("env: [{name: X, valueFrom: {configMapKeyRef: {name: app, key: nope}}}]");
        assertThatThrownBy(() -> resolve(key, source())).hasMessage("couldn't find key nope in ConfigMap default/app");
        Pod from = pod("envFrom: [{configMapRef: {name: other}}]");
        assertThatThrownBy(() -> resolve(from, source())).hasMessage("configmap \"other\" not found");
    }
}
