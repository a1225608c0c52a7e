package dev.peapod.api;

import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerRestartRule;
import io.fabric8.kubernetes.api.model.ContainerRestartRuleOnExitCodes;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;
import io.fabric8.kubernetes.api.model.SleepAction;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Table test in the style of kubelet's TestComputePodActions: one valid base pod, one small mutation
 * per case, the exact kube-apiserver error texts expected. Mutations are applied before defaulting,
 * as a manifest would be written.
 */
class PodValidatorTest {
    private static final String DNS_LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric"
            + " characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or"
            + " '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private static final String NOT_FOR_INIT = "may not be set for init containers without restartPolicy=Always";

    private static io.fabric8.kubernetes.api.model.PodSecurityContext podSecurity(Pod p) {
        if (p.getSpec().getSecurityContext() == null) p.getSpec().setSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContext());
        return p.getSpec().getSecurityContext();
    }

    private static List<String> errorsOf(Consumer<Pod> mutation) {
        Pod pod = PodFixtures.basePod();
        mutation.accept(pod);
        PodDefaults.apply(pod);
        return PodValidator.validate(pod).stream().map(FieldError::toString).toList();
    }

    @Test
    void theBasePodIsValid() {
        assertThat(errorsOf(p -> { })).isEmpty();
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                argumentSet("a sidecar may have every probe and hook", (Consumer<Pod>) p -> {
                    init(p, 1).setLivenessProbe(tcpProbe(9901));
                    init(p, 1).setStartupProbe(tcpProbe(9901));
                    init(p, 1).setLifecycle(preStopSleep(5L));
                }),
                argumentSet("env names may use any printable ASCII but '=' (relaxed since 1.30)", (Consumer<Pod>) p ->
                        container(p, 0).getEnv().add(new EnvVar("my.var-1 $x", "v", null))),
                argumentSet("a label can be read through a subscripted fieldRef", (Consumer<Pod>) p ->
                        container(p, 0).getEnv().add(fieldRefEnv("APP", "metadata.labels['app']"))),
                argumentSet("a regular container may set restartPolicy with rules (KEP-5307, 1.35)", (Consumer<Pod>) p -> {
                    container(p, 0).setRestartPolicy("Never");
                    container(p, 0).setRestartPolicyRules(List.of(
                            new ContainerRestartRule("Restart", new ContainerRestartRuleOnExitCodes("In", List.of(42)))));
                }),
                argumentSet("a readiness probe may need several successes", (Consumer<Pod>) p ->
                        init(p, 1).getReadinessProbe().setSuccessThreshold(3)),
                argumentSet("a preStop sleep of zero seconds", (Consumer<Pod>) p -> container(p, 0).setLifecycle(preStopSleep(0L))),
                argumentSet("an empty label value", (Consumer<Pod>) p -> p.getMetadata().getLabels().put("empty", "")));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void accepts(Consumer<Pod> mutation) {
        assertThat(errorsOf(mutation)).isEmpty();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                // metadata
                c("a pod without a name", p -> p.getMetadata().setName(null),
                        "metadata.name: Required value: name or generateName is required"),
                c("a pod name with capitals", p -> p.getMetadata().setName("Web"),
                        "metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case"
                                + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                                + " (e.g. 'example.com', regex used for validation is"
                                + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                c("a namespace with a dot", p -> p.getMetadata().setNamespace("team.a"),
                        "metadata.namespace: Invalid value: \"team.a\": must not contain dots"),
                c("a label value that is too long", p -> p.getMetadata().getLabels().put("app", "x".repeat(64)),
                        "metadata.labels: Invalid value: \"" + "x".repeat(64) + "\": must be no more than 63 bytes"),
                c("a label value starting with a dash", p -> p.getMetadata().getLabels().put("app", "-web"),
                        "metadata.labels: Invalid value: \"-web\": a valid label must be an empty string or consist of"
                                + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric"
                                + " character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is"
                                + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
                c("a label key with two slashes", p -> p.getMetadata().getLabels().put("a/b/c", "x"),
                        "metadata.labels: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric"
                                + " characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g."
                                + " 'MyName',  or 'my.name',  or '123-abc', regex used for validation is"
                                + " '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/'"
                                + " (e.g. 'example.com/MyName')"),
                c("an annotation key with an empty prefix", p -> p.getMetadata().getAnnotations().put("/owner", "x"),
                        "metadata.annotations: Invalid value: \"/owner\": prefix part must be non-empty"),
                // containers
                c("no containers", p -> p.getSpec().setContainers(new ArrayList<>()), "spec.containers: Required value"),
                c("two containers with one name", p -> container(p, 1).setName("app"),
                        "spec.containers[1].name: Duplicate value: \"app\""),
                c("an init container named like a container", p -> init(p, 0).setName("sidecar"),
                        "spec.initContainers[0].name: Duplicate value: \"sidecar\""),
                c("a container name with an underscore", p -> container(p, 1).setName("side_car"),
                        "spec.containers[1].name: Invalid value: \"side_car\": " + DNS_LABEL),
                c("a container without image", p -> container(p, 0).setImage(null),
                        "spec.containers[0].image: Required value"),
                c("an image with trailing whitespace", p -> container(p, 0).setImage("nginx:1.25 "),
                        "spec.containers[0].image: Invalid value: \"nginx:1.25 \": must not have leading or trailing whitespace"),
                c("an unknown pull policy", p -> container(p, 0).setImagePullPolicy("Sometimes"),
                        "spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values:"
                                + " \"Always\", \"IfNotPresent\", \"Never\""),
                c("an unknown termination message policy", p -> container(p, 0).setTerminationMessagePolicy("Log"),
                        "spec.containers[0].terminationMessagePolicy: Unsupported value: \"Log\": supported values:"
                                + " \"File\", \"FallbackToLogsOnError\""),
                // ports
                c("a port without number", p -> port(p).setContainerPort(null),
                        "spec.containers[0].ports[0].containerPort: Required value"),
                c("a port above 65535", p -> port(p).setContainerPort(70000),
                        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
                c("a host port below 1", p -> port(p).setHostPort(-1),
                        "spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive"),
                c("an HTTP protocol", p -> port(p).setProtocol("HTTP"),
                        "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
                c("a port name that is not an IANA service name", p -> port(p).setName("Web--Port"),
                        "spec.containers[0].ports[0].name: Invalid value: \"Web--Port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                        "spec.containers[0].ports[0].name: Invalid value: \"Web--Port\": must not contain consecutive hyphens"),
                c("two ports with one name", p -> container(p, 0).getPorts().add(new ContainerPort(81, null, null, "http", null)),
                        "spec.containers[0].ports[1].name: Duplicate value: \"http\""),
                c("two containers on one host port", p -> {
                    port(p).setHostPort(8080);
                    container(p, 1).getPorts().add(new ContainerPort(9090, null, 8080, null, null));
                }, "spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\""),
                c("a host port that differs from the container port under hostNetwork", p -> {
                    p.getSpec().setHostNetwork(true);
                    port(p).setHostPort(8080);
                }, "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true"),
                // env
                c("an env name with '='", p -> container(p, 0).getEnv().getFirst().setName("A=B"),
                        "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist"
                                + " only of printable ASCII characters other than '='"),
                c("an env var without name", p -> container(p, 0).getEnv().getFirst().setName(""),
                        "spec.containers[0].env[0].name: Required value"),
                c("an env var with both value and valueFrom", p -> container(p, 0).getEnv().get(1).setValue("x"),
                        "spec.containers[0].env[1].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"),
                c("an env var with two sources", p -> container(p, 0).getEnv().get(1).getValueFrom()
                                .setSecretKeyRef(new SecretKeySelector("k", "s", null)),
                        "spec.containers[0].env[1].valueFrom: Invalid value: \"\": may not have more than one field specified at a time"),
                c("an env var with an empty valueFrom", p -> container(p, 0).getEnv().get(1).setValueFrom(new EnvVarSource()),
                        "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`,"
                                + " `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"),
                c("an env var from an unsupported pod field", p -> container(p, 0).getEnv().add(fieldRefEnv("L", "metadata.labels")),
                        "spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: \"metadata.labels\":"
                                + " supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\","
                                + " \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""),
                c("an env var from an unknown pod field", p -> container(p, 0).getEnv().add(fieldRefEnv("X", "spec.bogus")),
                        "spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.bogus\": error converting"
                                + " fieldPath: field label not supported: spec.bogus"),
                c("envFrom without a source", p -> container(p, 0).getEnvFrom().add(new EnvFromSource()),
                        "spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"),
                // volumes and mounts
                c("two volumes with one name", p -> p.getSpec().getVolumes().get(1).setName("data"),
                        "spec.volumes[1].name: Duplicate value: \"data\"",
                        "spec.containers[0].volumeMounts[1].name: Not found: \"config\""),
                c("a volume name with capitals", p -> p.getSpec().getVolumes().get(2).setName("Host"),
                        "spec.volumes[2].name: Invalid value: \"Host\": " + DNS_LABEL),
                c("a volume with two sources", p -> hostPathVolume(p).setConfigMap(new ConfigMapVolumeSource()),
                        "spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type"),
                c("a hostPath without path", p -> hostPath(p).setPath(""), "spec.volumes[2].hostPath.path: Required value"),
                c("a relative hostPath", p -> hostPath(p).setPath("var/log"),
                        "spec.volumes[2].hostPath.path: Invalid value: \"var/log\": must be an absolute path"),
                c("a hostPath climbing out", p -> hostPath(p).setPath("/var/../etc"),
                        "spec.volumes[2].hostPath.path: Invalid value: \"/var/../etc\": must not contain '..'"),
                c("an unknown hostPath type", p -> hostPath(p).setType("Dir"),
                        "spec.volumes[2].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\","
                                + " \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""),
                c("an emptyDir on an unknown medium", p -> scratch(p).getEmptyDir().setMedium("Disk"),
                        "spec.volumes[3].emptyDir.medium: Unsupported value: \"Disk\": supported values: \"\", \"HugePages\", \"Memory\""),
                c("an emptyDir with a negative size limit", p -> scratch(p).getEmptyDir().setSizeLimit(new Quantity("-1Gi")),
                        "spec.volumes[3].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity"),
                c("a configMap mode above 0777", p -> p.getSpec().getVolumes().get(1).getConfigMap().setDefaultMode(01000),
                        "spec.volumes[1].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
                        "spec.containers[0].volumeMounts[1].name: Not found: \"config\""),
                c("a configMap item escaping the volume", p -> p.getSpec().getVolumes().get(1).getConfigMap().getItems()
                                .add(new KeyToPath("k", null, "../x", null)),
                        "spec.volumes[1].configMap.items[0].path: Invalid value: \"../x\": must not contain '..'",
                        "spec.containers[0].volumeMounts[1].name: Not found: \"config\""),
                c("a secret volume without secretName", p -> p.getSpec().getVolumes().add(volume("sec", v -> v.setSecret(new SecretVolumeSource()))),
                        "spec.volumes[3].secret.secretName: Required value"),
                c("an image volume without reference", p -> p.getSpec().getVolumes().add(volume("img",
                                v -> v.setImage(new io.fabric8.kubernetes.api.model.ImageVolumeSource("IfNotPresent", null)))),
                        "spec.volumes[3].image.reference: Required value"),
                c("an image volume with an unknown pull policy", p -> p.getSpec().getVolumes().add(volume("img",
                                v -> v.setImage(new io.fabric8.kubernetes.api.model.ImageVolumeSource("Sometimes", "busybox:1.36")))),
                        "spec.volumes[3].image.pullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\""),
                c("a mount of an unknown volume", p -> mount(p, 0, 0).setName("nope"),
                        "spec.containers[0].volumeMounts[0].name: Not found: \"nope\""),
                c("mounts of an invalid volume are not found either", p -> p.getSpec().getVolumes().getFirst().setName("Data"),
                        "spec.volumes[0].name: Invalid value: \"Data\": " + DNS_LABEL,
                        "spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
                        "spec.containers[1].volumeMounts[0].name: Not found: \"data\""),
                c("a mount without mountPath", p -> mount(p, 0, 0).setMountPath(null),
                        "spec.containers[0].volumeMounts[0].mountPath: Required value"),
                c("two mounts on one path", p -> mount(p, 0, 1).setMountPath("/data"),
                        "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be unique"),
                c("a subPath with '..'", p -> mount(p, 1, 0).setSubPath("../etc"),
                        "spec.containers[1].volumeMounts.subPath: Invalid value: \"../etc\": must not contain '..'"),
                c("an absolute subPath", p -> mount(p, 1, 0).setSubPath("/logs"),
                        "spec.containers[1].volumeMounts.subPath: Invalid value: \"/logs\": must be a relative path"),
                c("subPath and subPathExpr together", p -> mount(p, 1, 0).setSubPathExpr("$(POD_NAME)"),
                        "spec.containers[1].volumeMounts[0].subPathExpr: Invalid value: \"$(POD_NAME)\": subPathExpr and subPath are mutually exclusive"),
                c("bidirectional propagation without privilege", p -> mount(p, 0, 0).setMountPropagation("Bidirectional"),
                        "spec.containers[0].volumeMounts.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers"),
                // resources
                c("a request above its limit", p -> container(p, 0).getResources().setRequests(Map.of("cpu", new Quantity("1"))),
                        "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m"),
                c("a negative memory limit", p -> container(p, 0).getResources().getLimits().put("memory", new Quantity("-1Mi")),
                        "spec.containers[0].resources.limits[memory]: Invalid value: \"-1Mi\": must be greater than or equal to 0",
                        "spec.containers[0].resources.requests[memory]: Invalid value: \"-1Mi\": must be greater than or equal to 0"),
                c("a resource that is not one", p -> container(p, 0).getResources().getLimits().put("gpu", new Quantity("1")),
                        "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
                        "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource for containers",
                        "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
                        "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource for containers"),
                c("half an extended resource", p -> container(p, 0).getResources().getLimits().put("example.com/gpu", new Quantity("500m")),
                        "spec.containers[0].resources.limits[example.com/gpu]: Invalid value: 500m: must be an integer",
                        "spec.containers[0].resources.requests[example.com/gpu]: Invalid value: 500m: must be an integer"),
                // probes and hooks
                c("a probe with two handlers", p -> container(p, 0).getLivenessProbe().setTcpSocket(new TCPSocketAction(null, new IntOrString(80))),
                        "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"),
                c("a probe without handler", p -> container(p, 0).getLivenessProbe().setHttpGet(null),
                        "spec.containers[0].livenessProbe: Required value: must specify a handler type"),
                c("a liveness probe needing two successes", p -> container(p, 0).getLivenessProbe().setSuccessThreshold(2),
                        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"),
                c("a startup probe needing two successes", p -> {
                    container(p, 0).setStartupProbe(tcpProbe(80));
                    container(p, 0).getStartupProbe().setSuccessThreshold(2);
                }, "spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1"),
                c("a negative probe period", p -> container(p, 0).getLivenessProbe().setPeriodSeconds(-1),
                        "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"),
                c("a readiness probe with its own grace period", p -> init(p, 1).getReadinessProbe().setTerminationGracePeriodSeconds(10L),
                        "spec.initContainers[1].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes"),
                c("a probe port name in capitals", p -> container(p, 0).getLivenessProbe().getHttpGet().setPort(new IntOrString("HTTP")),
                        "spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                        "spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"HTTP\": must contain at least one letter (a-z)"),
                c("an FTP probe", p -> container(p, 0).getLivenessProbe().getHttpGet().setScheme("FTP"),
                        "spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\""),
                c("an exec probe without command", p -> {
                    container(p, 0).getLivenessProbe().setHttpGet(null);
                    container(p, 0).getLivenessProbe().setExec(new ExecAction(List.of()));
                }, "spec.containers[0].livenessProbe.exec.command: Required value"),
                c("a preStop hook with exec and sleep", p -> {
                    Lifecycle l = preStopSleep(5L);
                    l.getPreStop().setExec(new ExecAction(List.of("stop")));
                    container(p, 0).setLifecycle(l);
                }, "spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type"),
                c("a preStop sleep longer than the grace period", p -> container(p, 0).setLifecycle(preStopSleep(40L)),
                        "spec.containers[0].lifecycle.preStop.sleep: Invalid value: 40: must be non-negative and less than terminationGracePeriodSeconds (30)"),
                c("an init container with a liveness probe", p -> init(p, 0).setLivenessProbe(tcpProbe(80)),
                        "spec.initContainers[0].livenessProbe: Forbidden: " + NOT_FOR_INIT),
                c("an init container with a lifecycle hook", p -> init(p, 0).setLifecycle(preStopSleep(1L)),
                        "spec.initContainers[0].lifecycle: Forbidden: " + NOT_FOR_INIT),
                c("a sidecar's probes are validated", p -> init(p, 1).setLivenessProbe(tcpProbe(0)),
                        "spec.initContainers[1].livenessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive"),
                // restart policies
                c("an unknown pod restart policy", p -> p.getSpec().setRestartPolicy("Sometimes"),
                        "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
                c("an unknown container restart policy", p -> container(p, 0).setRestartPolicy("Sometimes"),
                        "spec.containers[0].restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
                c("restart rules without a restart policy", p -> container(p, 0).setRestartPolicyRules(List.of(
                                new ContainerRestartRule("Restart", new ContainerRestartRuleOnExitCodes("In", List.of(42))))),
                        "spec.containers[0].restartPolicy: Required value: must be specified when restartPolicyRules are used"),
                c("a restart rule with an unknown action and operator", p -> {
                    container(p, 0).setRestartPolicy("Never");
                    container(p, 0).setRestartPolicyRules(List.of(
                            new ContainerRestartRule("Ignore", new ContainerRestartRuleOnExitCodes("Is", List.of(1)))));
                }, "spec.containers[0].restartPolicyRules[0].action: Unsupported value: \"Ignore\": supported values: \"Restart\"",
                        "spec.containers[0].restartPolicyRules[0].exitCodes.operator: Unsupported value: \"Is\": supported values: \"In\", \"NotIn\""),
                // pod-level fields
                c("a negative grace period", p -> p.getSpec().setTerminationGracePeriodSeconds(-1L),
                        "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"),
                c("an active deadline of zero", p -> p.getSpec().setActiveDeadlineSeconds(0L),
                        "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
                c("an unknown dnsPolicy", p -> p.getSpec().setDnsPolicy("Cluster"),
                        "spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\","
                                + " \"ClusterFirst\", \"Default\", \"None\""),
                c("dnsPolicy None without dnsConfig", p -> p.getSpec().setDnsPolicy("None"),
                        "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
                c("a nameserver that is not an IP", p -> p.getSpec().setDnsConfig(new PodDNSConfig(List.of("dns.local"), null, null)),
                        "spec.dnsConfig.nameservers[0]: Invalid value: \"dns.local\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                c("a hostname with a dot", p -> p.getSpec().setHostname("web.local"),
                        "spec.hostname: Invalid value: \"web.local\": must not contain dots"),
                c("a subdomain with an underscore", p -> p.getSpec().setSubdomain("my_sub"),
                        "spec.subdomain: Invalid value: \"my_sub\": " + DNS_LABEL),
                c("ephemeral containers on create", p -> p.getSpec().getEphemeralContainers().add(new EphemeralContainer()),
                        "spec.ephemeralContainers: Forbidden: cannot be set on create"),
                c("a user namespace with the host's PIDs", p -> {
                    p.getSpec().setHostUsers(false);
                    p.getSpec().setHostPID(true);
                }, "spec.HostPID: Forbidden: when `pod.Spec.HostUsers` is false"),
                c("an unmasked /proc in the host's user namespace", p -> p.getSpec().getContainers().getFirst()
                                .setSecurityContext(new io.fabric8.kubernetes.api.model.SecurityContextBuilder()
                                        .withProcMount("Unmasked").build()),
                        "spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": `hostUsers` must be false to use `Unmasked`"),
                c("a Localhost seccomp profile without a path", p -> podSecurity(p)
                                .setSeccompProfile(new io.fabric8.kubernetes.api.model.SeccompProfile(null, "Localhost")),
                        "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"),
                c("a seccomp profile climbing out of the seccomp root", p -> p.getSpec().getContainers().getFirst()
                                .setSecurityContext(new io.fabric8.kubernetes.api.model.SecurityContextBuilder().withNewSeccompProfile()
                                        .withType("Localhost").withLocalhostProfile("../etc/x.json").endSeccompProfile().build()),
                        "spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: \"../etc/x.json\": must not contain '..'"),
                c("an unknown seccomp type", p -> podSecurity(p)
                                .setSeccompProfile(new io.fabric8.kubernetes.api.model.SeccompProfile(null, "Default")),
                        "spec.securityContext.seccompProfile.type: Unsupported value: \"Default\": supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\""),
                c("a sysctl name with capitals", p -> podSecurity(p)
                                .setSysctls(List.of(new io.fabric8.kubernetes.api.model.Sysctl("Net.core.somaxconn", "1"))),
                        "spec.securityContext.sysctls[0].name: Invalid value: \"Net.core.somaxconn\": must have at most 253 characters"
                                + " and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"),
                c("a sysctl given twice", p -> podSecurity(p).setSysctls(List.of(
                                new io.fabric8.kubernetes.api.model.Sysctl("kernel.shm_rmid_forced", "1"),
                                new io.fabric8.kubernetes.api.model.Sysctl("kernel.shm_rmid_forced", "0"))),
                        "spec.securityContext.sysctls[1].name: Duplicate value: \"kernel.shm_rmid_forced\""),
                c("a net sysctl with the host's network", p -> {
                    p.getSpec().setHostNetwork(true);
                    podSecurity(p).setSysctls(List.of(new io.fabric8.kubernetes.api.model.Sysctl("net.ipv4.tcp_syncookies", "1")));
                }, "spec.securityContext.sysctls[0].name: Invalid value: \"net.ipv4.tcp_syncookies\": may not be specified when 'hostNetwork' is true"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejects(Consumer<Pod> mutation, List<String> expected) {
        assertThat(errorsOf(mutation)).containsExactlyElementsOf(expected);
    }

    @Test
    void errorsComeInKubernetesOrder() {
        List<String> errors = errorsOf(p -> {
            p.getMetadata().setName("Web");
            container(p, 0).setImage(null);
            p.getSpec().setRestartPolicy("Sometimes");
            p.getSpec().getVolumes().get(1).setName("data");
        });
        assertThat(errors).extracting(e -> e.substring(0, e.indexOf(':'))).containsExactly(
                "metadata.name", "spec.volumes[1].name", "spec.containers[0].image",
                "spec.containers[0].volumeMounts[1].name", "spec.restartPolicy");
    }

    @Test
    void requireValidReportsLikeKubeApiserver() {
        Pod one = PodFixtures.basePod();
        container(one, 0).setImage(null);
        PodDefaults.apply(one);
        assertThatThrownBy(() -> PodValidator.requireValid(one))
                .isInstanceOf(ManifestException.class)
                .hasMessage("Pod \"web\" is invalid: spec.containers[0].image: Required value")
                .satisfies(e -> assertThat(((ManifestException) e).errors()).hasSize(1));

        Pod two = PodFixtures.basePod();
        container(two, 0).setImage(null);
        container(two, 1).setName("app");
        PodDefaults.apply(two);
        assertThatThrownBy(() -> PodValidator.requireValid(two))
                .hasMessage("Pod \"web\" is invalid: [spec.containers[0].image: Required value,"
                        + " spec.containers[1].name: Duplicate value: \"app\"]");
    }

    @Test
    void anUndefaultedPodReportsTheFieldsDefaultingWouldFill() {
        Pod pod = PodFixtures.basePod();
        assertThat(PodValidator.validate(pod)).extracting(FieldError::toString)
                .contains("metadata.namespace: Required value", "spec.terminationGracePeriodSeconds: Required value",
                        "spec.containers[0].imagePullPolicy: Required value", "spec.restartPolicy: Required value");
    }

    private static Arguments c(String name, Consumer<Pod> mutation, String... expected) {
        return argumentSet(name, mutation, List.of(expected));
    }

    private static ContainerPort port(Pod p) {
        return container(p, 0).getPorts().getFirst();
    }

    private static io.fabric8.kubernetes.api.model.HostPathVolumeSource hostPath(Pod p) {
        return hostPathVolume(p).getHostPath();
    }

    private static Volume hostPathVolume(Pod p) {
        return p.getSpec().getVolumes().get(2);
    }

    private static VolumeMount mount(Pod p, int container, int mount) {
        return container(p, container).getVolumeMounts().get(mount);
    }

    private static Volume volume(String name, Consumer<Volume> source) {
        Volume v = new Volume();
        v.setName(name);
        source.accept(v);
        return v;
    }

    private static EnvVar fieldRefEnv(String name, String fieldPath) {
        EnvVarSource src = new EnvVarSource();
        src.setFieldRef(new ObjectFieldSelector(null, fieldPath));
        return new EnvVar(name, null, src);
    }

    private static Probe tcpProbe(int port) {
        Probe probe = new Probe();
        probe.setTcpSocket(new TCPSocketAction(null, new IntOrString(port)));
        return probe;
    }

    private static Lifecycle preStopSleep(long seconds) {
        LifecycleHandler h = new LifecycleHandler();
        h.setSleep(new SleepAction(seconds));
        Lifecycle l = new Lifecycle();
        l.setPreStop(h);
        return l;
    }

    private static Volume scratch(Pod p) {
        Volume v = volume("scratch", x -> x.setEmptyDir(new EmptyDirVolumeSource()));
        p.getSpec().getVolumes().add(v);
        return v;
    }
}
