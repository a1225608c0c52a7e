package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static dev.peapod.api.PodFixtures.container;
import static dev.peapod.api.PodFixtures.init;
import static org.assertj.core.api.Assertions.assertThat;

class PodDefaultsTest {

    private static Pod defaulted(String yaml) {
        Pod pod = (Pod) Manifests.parse(yaml, "pod.yaml").getFirst();
        PodDefaults.apply(pod);
        return pod;
    }

    @Test
    void podLevelDefaults() {
        Pod pod = PodFixtures.basePod();
        PodDefaults.apply(pod);
        PodSpec spec = pod.getSpec();
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(spec.getRestartPolicy()).isEqualTo("Always");
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(spec.getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(spec.getSchedulerName()).isEqualTo("default-scheduler");
        assertThat(spec.getSecurityContext()).isNotNull();
        assertThat(Manifests.toJson(spec.getSecurityContext())).isEqualTo("{}\n");
        assertThat(spec.getEnableServiceLinks()).isTrue();
    }

    @Test
    void containerDefaults() {
        Pod pod = PodFixtures.basePod();
        PodDefaults.apply(pod);
        Container app = container(pod, 0);
        assertThat(app.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        assertThat(app.getTerminationMessagePolicy()).isEqualTo("File");
        assertThat(app.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(container(pod, 1).getImagePullPolicy()).isEqualTo("Always");
        assertThat(app.getPorts().getFirst().getProtocol()).isEqualTo("TCP");
        assertThat(app.getEnv().get(1).getValueFrom().getFieldRef().getApiVersion()).isEqualTo("v1");
        assertThat(init(pod, 0).getTerminationMessagePolicy()).isEqualTo("File");
        assertThat(init(pod, 0).getImagePullPolicy()).isEqualTo("IfNotPresent");
    }

    @Test
    void requestsDefaultToLimitsPerResource() {
        Pod pod = defaulted("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                  - name: a
                    image: x
                    resources:
                      limits: {cpu: "2", memory: 1Gi}
                      requests: {cpu: 250m}
                  initContainers:
                  - name: i
                    image: x
                    resources:
                      limits: {memory: 64Mi}
                """);
        assertThat(container(pod, 0).getResources().getRequests())
                .containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("1Gi"));
        assertThat(init(pod, 0).getResources().getRequests()).containsOnlyKeys("memory");
    }

    @Test
    void quantitiesAreRoundedUpToMilliAndCanonical() {
        Pod pod = defaulted("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                  - name: a
                    image: x
                    resources:
                      limits: {cpu: 0.5, memory: 1024Mi, ephemeral-storage: "0.0001"}
                """);
        Map<String, Quantity> limits = container(pod, 0).getResources().getLimits();
        assertThat(Quantities.text(limits.get("cpu"))).isEqualTo("500m");
        assertThat(Quantities.text(limits.get("memory"))).isEqualTo("1Gi");
        assertThat(Quantities.text(limits.get("ephemeral-storage"))).isEqualTo("1m");
    }

    @Test
    void probeAndHandlerDefaults() {
        Pod pod = defaulted("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                  - name: a
                    image: x
                    livenessProbe:
                      httpGet: {port: 8080}
                      periodSeconds: 0
                    readinessProbe:
                      grpc: {port: 9090}
                      periodSeconds: 5
                      failureThreshold: 7
                    startupProbe:
                      exec: {command: [true]}
                    lifecycle:
                      preStop:
                        httpGet: {port: 8080, path: /quit}
                """.replace("[true]", "[\"true\"]"));
        Probe live = container(pod, 0).getLivenessProbe();
        assertThat(live.getTimeoutSeconds()).isEqualTo(1);
        assertThat(live.getPeriodSeconds()).isEqualTo(10);
        assertThat(live.getSuccessThreshold()).isEqualTo(1);
        assertThat(live.getFailureThreshold()).isEqualTo(3);
        assertThat(live.getHttpGet().getPath()).isEqualTo("/");
        assertThat(live.getHttpGet().getScheme()).isEqualTo("HTTP");
        Probe ready = container(pod, 0).getReadinessProbe();
        assertThat(ready.getPeriodSeconds()).isEqualTo(5);
        assertThat(ready.getFailureThreshold()).isEqualTo(7);
        assertThat(ready.getGrpc().getService()).isEmpty();
        assertThat(container(pod, 0).getStartupProbe().getTimeoutSeconds()).isEqualTo(1);
        assertThat(container(pod, 0).getLifecycle().getPreStop().getHttpGet().getPath()).isEqualTo("/quit");
        assertThat(container(pod, 0).getLifecycle().getPreStop().getHttpGet().getScheme()).isEqualTo("HTTP");
    }

    @Test
    void volumeDefaults() {
        Pod pod = defaulted("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  serviceAccountName: sa
                  containers: [{name: a, image: x}]
                  volumes:
                  - name: nothing
                  - name: host
                    hostPath: {path: /srv}
                  - name: sec
                    secret: {secretName: s, defaultMode: 0400}
                  - name: cfg
                    configMap: {name: c}
                  - name: down
                    downwardAPI:
                      items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
                  - name: proj
                    projected:
                      sources:
                      - serviceAccountToken: {path: token}
                      - downwardAPI:
                          items: [{path: name, fieldRef: {fieldPath: metadata.name}}]
                  - name: img
                    image: {reference: quay.io/org/data}
                """);
        var v = pod.getSpec().getVolumes();
        assertThat(v.get(0).getEmptyDir()).isNotNull();
        assertThat(v.get(1).getHostPath().getType()).isEmpty();
        assertThat(v.get(2).getSecret().getDefaultMode()).isEqualTo(0400);
        assertThat(v.get(3).getConfigMap().getDefaultMode()).isEqualTo(0644);
        assertThat(v.get(4).getDownwardAPI().getDefaultMode()).isEqualTo(0644);
        assertThat(v.get(4).getDownwardAPI().getItems().getFirst().getFieldRef().getApiVersion()).isEqualTo("v1");
        assertThat(v.get(5).getProjected().getDefaultMode()).isEqualTo(0644);
        assertThat(v.get(5).getProjected().getSources().get(0).getServiceAccountToken().getExpirationSeconds()).isEqualTo(3600L);
        assertThat(v.get(5).getProjected().getSources().get(1).getDownwardAPI().getItems().getFirst().getFieldRef().getApiVersion())
                .isEqualTo("v1");
        assertThat(v.get(6).getImage().getPullPolicy()).isEqualTo("Always");
    }

    @Test
    void hostNetworkCopiesContainerPortsToHostPorts() {
        Pod pod = defaulted("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  hostNetwork: true
                  containers:
                  - name: a
                    image: x
                    ports: [{containerPort: 80}, {containerPort: 443, hostPort: 443}]
                """);
        assertThat(container(pod, 0).getPorts()).extracting(p -> p.getHostPort()).containsExactly(80, 443);
    }

    @Test
    void explicitValuesAreKept() {
        Pod pod = defaulted("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: team}
                spec:
                  restartPolicy: Never
                  dnsPolicy: Default
                  terminationGracePeriodSeconds: 5
                  enableServiceLinks: false
                  containers:
                  - name: a
                    image: x:latest
                    imagePullPolicy: Never
                    terminationMessagePolicy: FallbackToLogsOnError
                    ports: [{containerPort: 53, protocol: UDP}]
                """);
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("team");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getDnsPolicy()).isEqualTo("Default");
        assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(5L);
        assertThat(pod.getSpec().getEnableServiceLinks()).isFalse();
        assertThat(container(pod, 0).getImagePullPolicy()).isEqualTo("Never");
        assertThat(container(pod, 0).getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        assertThat(container(pod, 0).getPorts().getFirst().getProtocol()).isEqualTo("UDP");
    }

    @Test
    void applyingTwiceChangesNothingMore() {
        Pod once = PodFixtures.basePod();
        PodDefaults.apply(once);
        Pod twice = PodFixtures.basePod();
        PodDefaults.apply(twice);
        PodDefaults.apply(twice);
        assertThat(twice).isEqualTo(once);
    }

    @Test
    void anEmptyPodGetsMetadataAndSpec() {
        Pod pod = new Pod();
        PodDefaults.apply(pod);
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "nginx, Always",
            "nginx:latest, Always",
            "nginx:1.25, IfNotPresent",
            "docker.io/library/nginx:1.25, IfNotPresent",
            "localhost:5000/app, Always",
            "localhost:5000/app:v1, IfNotPresent",
            "registry.example.com:443/team/app, Always",
            "'[::1]:5000/app', Always",
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, IfNotPresent",
            "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, Always",
            "'', IfNotPresent",
            "Nginx:latest, IfNotPresent",
    })
    void imagePullPolicyFollowsTheTag(String image, String policy) {
        assertThat(ImagePullPolicies.defaultFor(image)).isEqualTo(policy);
    }
}
