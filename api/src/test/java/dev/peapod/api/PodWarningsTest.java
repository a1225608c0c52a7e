package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.GitRepoVolumeSource;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAntiAffinity;
import io.fabric8.kubernetes.api.model.ProjectedVolumeSource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.peapod.api.PodFixtures.container;
import static dev.peapod.api.PodFixtures.init;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Table test: the valid base pod, one mutation per case, the exact texts of kube-apiserver's
 * {@code pkg/api/pod/warnings.go} (cases after its warnings_test.go). Mutations are applied before
 * defaulting, as the API server sees a manifest.
 */
class PodWarningsTest {
    private static List<String> warningsOf(Consumer<Pod> mutation) {
        Pod pod = PodFixtures.basePod();
        mutation.accept(pod);
        PodDefaults.apply(pod);
        return PodWarnings.warnings(pod);
    }

    private static ContainerPort port(int containerPort, String protocol, Integer hostPort, String hostIp) {
        var p = new ContainerPort();
        p.setContainerPort(containerPort);
        p.setProtocol(protocol);
        p.setHostPort(hostPort);
        p.setHostIP(hostIp);
        return p;
    }

    private static void addPort(io.fabric8.kubernetes.api.model.Container c, ContainerPort p) {
        var ports = new ArrayList<>(c.getPorts());
        ports.add(p);
        c.setPorts(ports);
    }

    private static KeyToPath item(String key, String path) {
        var k = new KeyToPath();
        k.setKey(key);
        k.setPath(path);
        return k;
    }

    @Test
    void theBasePodHasNoWarnings() {
        assertThat(warningsOf(p -> { })).isEmpty();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("two containers on the same port: one bind will fail", (Consumer<Pod>) p ->
                                addPort(container(p, 1), port(80, null, null, null)),
                        List.of("spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]")),
                argumentSet("an init sidecar shares the port space, and init containers come first", (Consumer<Pod>) p ->
                                addPort(init(p, 1), port(80, "TCP", null, null)),
                        List.of("spec.containers[0].ports[0]: duplicate port definition with spec.initContainers[1].ports[0]")),
                argumentSet("same port within one container", (Consumer<Pod>) p ->
                                addPort(container(p, 0), port(80, "TCP", null, null)),
                        List.of("spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]")),
                argumentSet("a third declaration is reported against each earlier one", (Consumer<Pod>) p -> {
                    addPort(container(p, 1), port(80, "TCP", null, null));
                    addPort(init(p, 1), port(80, "TCP", null, null));
                }, List.of("spec.containers[0].ports[0]: duplicate port definition with spec.initContainers[1].ports[0]",
                        "spec.containers[1].ports[0]: duplicate port definition with spec.initContainers[1].ports[0]",
                        "spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]")),
                argumentSet("same number, other protocol: no clash", (Consumer<Pod>) p ->
                        addPort(container(p, 1), port(80, "UDP", null, null)), List.of()),
                argumentSet("one side with a hostPort: overlapping", (Consumer<Pod>) p ->
                                addPort(container(p, 1), port(80, "TCP", 8080, null)),
                        List.of("spec.containers[1].ports[0]: overlapping port definition with spec.containers[0].ports[0]")),
                argumentSet("different hostPorts: fine", (Consumer<Pod>) p -> {
                    container(p, 0).getPorts().getFirst().setHostPort(8080);
                    addPort(container(p, 1), port(80, "TCP", 8081, null));
                }, List.of()),
                argumentSet("same hostPort, one hostIP: dangerously ambiguous", (Consumer<Pod>) p -> {
                    container(p, 0).getPorts().getFirst().setHostPort(8080);
                    addPort(container(p, 1), port(80, "TCP", 8080, "127.0.0.1"));
                }, List.of("spec.containers[1].ports[0]: dangerously ambiguous port definition with spec.containers[0].ports[0]")),
                argumentSet("hostIP without hostPort, printed like Go's %+v", (Consumer<Pod>) p ->
                                container(p, 0).getPorts().getFirst().setHostIP("127.0.0.1"),
                        List.of("spec.containers[0].ports[0]: hostIP set without hostPort: "
                                + "{Name:http HostPort:0 ContainerPort:80 Protocol:TCP HostIP:127.0.0.1}")),
                argumentSet("env redefined with a plain value hides the first", (Consumer<Pod>) p ->
                                container(p, 0).getEnv().add(new EnvVar("MODE", "dev", null)),
                        List.of("spec.containers[0].env[2]: hides previous definition of \"MODE\", which may be dropped when using apply")),
                argumentSet("env redefined as an extension of itself is fine", (Consumer<Pod>) p ->
                        container(p, 0).getEnv().add(new EnvVar("MODE", "$(MODE)-canary", null)), List.of()),
                argumentSet("env redefined as exactly $(X) or from valueFrom warns", (Consumer<Pod>) p -> {
                    container(p, 0).getEnv().add(new EnvVar("MODE", "$(MODE)", null));
                    container(p, 0).getEnv().add(new EnvVar("MODE", null,
                            new EnvVarSource(null, new ObjectFieldSelector(null, "metadata.name"), null, null, null)));
                }, List.of("spec.containers[0].env[2]: hides previous definition of \"MODE\", which may be dropped when using apply",
                        "spec.containers[0].env[3]: hides previous definition of \"MODE\", which may be dropped when using apply")),
                argumentSet("duplicate hostAliases ip", (Consumer<Pod>) p -> p.getSpec().setHostAliases(List.of(
                                new HostAlias(List.of("a"), "10.0.0.1"), new HostAlias(List.of("b"), "10.0.0.1"))),
                        List.of("spec.hostAliases[1].ip: duplicate ip \"10.0.0.1\"")),
                argumentSet("duplicate and empty imagePullSecrets", (Consumer<Pod>) p -> p.getSpec().setImagePullSecrets(List.of(
                                new LocalObjectReference("reg"), new LocalObjectReference("reg"), new LocalObjectReference(""))),
                        List.of("spec.imagePullSecrets[1].name: duplicate name \"reg\"",
                                "spec.imagePullSecrets[2].name: invalid empty name \"\"")),
                argumentSet("fractional memory limit (requests default from it)", (Consumer<Pod>) p ->
                                container(p, 0).getResources().getLimits().put("memory", new Quantity("0.5")),
                        List.of("spec.containers[0].resources.limits[memory]: fractional byte value \"500m\" is invalid, must be an integer",
                                "spec.containers[0].resources.requests[memory]: fractional byte value \"500m\" is invalid, must be an integer")),
                argumentSet("deprecated node label in nodeSelector", (Consumer<Pod>) p ->
                                p.getSpec().setNodeSelector(Map.of("beta.kubernetes.io/os", "linux")),
                        List.of("spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead")),
                argumentSet("topology spread: deprecated key and null selector", (Consumer<Pod>) p -> {
                    var t = new TopologySpreadConstraint();
                    t.setTopologyKey("failure-domain.beta.kubernetes.io/zone");
                    p.getSpec().setTopologySpreadConstraints(List.of(t));
                }, List.of("spec.topologySpreadConstraints[0].topologyKey: failure-domain.beta.kubernetes.io/zone is deprecated"
                                + " since v1.17; use \"topology.kubernetes.io/zone\" instead",
                        "spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod")),
                argumentSet("pod anti-affinity term without selector", (Consumer<Pod>) p -> {
                    var anti = new PodAntiAffinity();
                    anti.setRequiredDuringSchedulingIgnoredDuringExecution(List.of(new PodAffinityTerm()));
                    var a = new Affinity();
                    a.setPodAntiAffinity(anti);
                    p.getSpec().setAffinity(a);
                }, List.of("spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector:"
                        + " a null labelSelector results in matching no pod")),
                argumentSet("deprecated annotation", (Consumer<Pod>) p ->
                                p.getMetadata().getAnnotations().put("scheduler.alpha.kubernetes.io/critical-pod", ""),
                        List.of("metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+;"
                                + " use the \"priorityClassName\" field instead")),
                argumentSet("seccomp annotations without the field", (Consumer<Pod>) p -> {
                    p.getMetadata().getAnnotations().put("seccomp.security.alpha.kubernetes.io/pod", "runtime/default");
                    p.getMetadata().getAnnotations().put("container.seccomp.security.alpha.kubernetes.io/app", "runtime/default");
                }, List.of("metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+;"
                                + " use the \"seccompProfile\" field instead",
                        "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]: non-functional in v1.27+;"
                                + " use the \"seccompProfile\" field instead")),
                argumentSet("negative terminationGracePeriodSeconds", (Consumer<Pod>) p ->
                                p.getSpec().setTerminationGracePeriodSeconds(-1L),
                        List.of("spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1")),
                argumentSet("gitRepo volume", (Consumer<Pod>) p -> {
                    var v = new Volume();
                    v.setName("src");
                    v.setGitRepo(new GitRepoVolumeSource("", "https://example.com/x.git", null));
                    p.getSpec().getVolumes().add(v);
                }, List.of("spec.volumes[3].gitRepo: deprecated in v1.11")),
                argumentSet("configMap items on one path and under it", (Consumer<Pod>) p ->
                                p.getSpec().getVolumes().get(1).getConfigMap().setItems(List.of(
                                        item("a", "conf"), item("b", "conf/extra"), item("c", "other/"), item("d", "other"))),
                        List.of("volume \"config\" (ConfigMap \"app-config\"): overlapping paths: \"conf/extra\" with \"conf\"",
                                "volume \"config\" (ConfigMap \"app-config\"): overlapping paths: \"other\" with \"other\"")),
                argumentSet("projected: a token path clashing with a configMap item, and an empty source", (Consumer<Pod>) p -> {
                    var token = new VolumeProjection();
                    var sat = new ServiceAccountTokenProjection();
                    sat.setPath("token");
                    token.setServiceAccountToken(sat);
                    var cm = new VolumeProjection();
                    cm.setConfigMap(new ConfigMapProjection(List.of(item("k", "token")), "cm", null));
                    var v = new Volume();
                    v.setName("proj");
                    var projected = new ProjectedVolumeSource();
                    projected.setSources(List.of(token, cm, new VolumeProjection()));
                    v.setProjected(projected);
                    p.getSpec().getVolumes().add(v);
                }, List.of("volume \"proj\" (Projected ConfigMap \"cm\"): overlapping paths: \"token\" with \"token\"",
                        "volume \"proj\" (Projected) has no sources provided")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void warnsLikeKubeApiserver(Consumer<Pod> mutation, List<String> expected) {
        assertThat(warningsOf(mutation)).containsExactlyElementsOf(expected);
    }

    @Test
    void anUndefaultedPortReadsAsTcp() {
        Pod pod = PodFixtures.basePod();
        addPort(container(pod, 1), port(80, null, null, null));
        assertThat(container(pod, 0).getPorts().getFirst().getProtocol()).isNull();
        assertThat(PodWarnings.warnings(pod))
                .containsExactly("spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]");
    }
}
