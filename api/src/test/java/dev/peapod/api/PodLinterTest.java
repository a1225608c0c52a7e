package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Table test: a pod that follows every practice has no finding; each case breaks one practice (or
 * looks like it does but must not be flagged) and names the findings it must produce, code and path.
 */
class PodLinterTest {
    /** A container that follows every practice; {@code extra} is spliced into its YAML. */
    private static String good(String name, String extra) {
        return """
                  - name: %s
                    image: busybox
                    resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {memory: 32Mi}}
                    securityContext: {runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true}
                """.formatted(name) + extra.indent(4);
    }

    private static String pod(String name, String specExtra, String containers) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                %s  containers:
                %s""".formatted(name, specExtra.indent(2), containers);
    }

    private static List<LintFinding> lint(String... yamls) {
        var pods = Stream.of(yamls).flatMap(y -> Manifests.parse(y, "test.yaml").stream())
                .map(o -> (Pod) o).peek(PodDefaults::apply).toList();
        for (Pod p : pods) assertThat(PodValidator.validate(p)).as("the case's pod is valid").isEmpty();
        return PodLinter.lint(pods);
    }

    private static List<String> codesAndPaths(List<LintFinding> findings) {
        return findings.stream().map(f -> f.code() + " " + f.path()).toList();
    }

    @Test
    void aPodFollowingEveryPracticeHasNoFinding() {
        String yaml = pod("clean", """
                volumes: [{name: shared, emptyDir: {}}]
                initContainers:
                """ + good("proxy", """
                restartPolicy: Always
                ports: [{containerPort: 15001}]
                startupProbe: {tcpSocket: {port: 15001}}
                volumeMounts: [{name: shared, mountPath: /shared}]
                """), good("app", """
                ports: [{containerPort: 8080, hostPort: 8080}]
                livenessProbe: {httpGet: {port: 8080}, initialDelaySeconds: 5}
                lifecycle: {preStop: {sleep: {seconds: 5}}}
                volumeMounts: [{name: shared, mountPath: /shared}]
                """));
        assertThat(lint(yaml)).isEmpty();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("PEA001 a sidecar and an app declaring one port",
                        pod("p", "initContainers:\n" + good("side", "restartPolicy: Always\nports: [{containerPort: 80}]\nstartupProbe: {tcpSocket: {port: 80}}"),
                                good("app", "ports: [{containerPort: 80}]")),
                        List.of("PEA001 spec.containers[0].ports[0]")),
                argumentSet("no PEA001 for an init container that ran before (it does not overlap)",
                        pod("p", "initContainers:\n" + good("init", "ports: [{containerPort: 80}]"), good("app", "ports: [{containerPort: 80}]")),
                        List.of()),
                argumentSet("no PEA001 for one port on two protocols",
                        pod("p", "", good("a", "ports: [{containerPort: 53, protocol: UDP}]") + good("b", "ports: [{containerPort: 53}]")),
                        List.of()),
                argumentSet("PEA002 a server as a regular container of a pod meant to complete",
                        pod("p", "restartPolicy: Never", good("job", "") + good("cache", "ports: [{containerPort: 6379}]")),
                        List.of("PEA002 spec.containers[1]")),
                argumentSet("no PEA002 under restartPolicy Always",
                        pod("p", "", good("job", "") + good("cache", "ports: [{containerPort: 6379}]")),
                        List.of()),
                argumentSet("PEA003 a sidecar with a port and no startupProbe before the app",
                        pod("p", "initContainers:\n" + good("proxy", "restartPolicy: Always\nports: [{containerPort: 15001}]\nreadinessProbe: {tcpSocket: {port: 15001}}"),
                                good("app", "")),
                        List.of("PEA003 spec.initContainers[0]")),
                argumentSet("PEA003 a sidecar preparing a volume the app mounts",
                        pod("p", "volumes: [{name: v, emptyDir: {}}]\ninitContainers:\n" + good("prep", "restartPolicy: Always\nvolumeMounts: [{name: v, mountPath: /v}]"),
                                good("app", "volumeMounts: [{name: v, mountPath: /v}]")),
                        List.of("PEA003 spec.initContainers[0]")),
                argumentSet("no PEA003 for a sidecar nothing depends on",
                        pod("p", "initContainers:\n" + good("logger", "restartPolicy: Always"), good("app", "")),
                        List.of()),
                argumentSet("PEA004 a long liveness delay without a startupProbe",
                        pod("p", "", good("app", "livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 60}")),
                        List.of("PEA004 spec.containers[0].livenessProbe.initialDelaySeconds")),
                argumentSet("no PEA004 when a startupProbe covers the start",
                        pod("p", "", good("app", "livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 60}\nstartupProbe: {tcpSocket: {port: 80}}")),
                        List.of()),
                argumentSet("PEA005 PEA006 PEA007 a container without resources or securityContext",
                        pod("p", "", "  - {name: bare, image: busybox}\n"),
                        List.of("PEA005 spec.containers[0].resources", "PEA006 spec.containers[0].securityContext",
                                "PEA007 spec.containers[0].securityContext.readOnlyRootFilesystem")),
                argumentSet("PEA005 a memory request without a memory limit",
                        pod("p", "", """
                                  - name: app
                                    image: busybox
                                    resources: {requests: {cpu: 1, memory: 1Gi}}
                                    securityContext: {runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true}
                                """),
                        List.of("PEA005 spec.containers[0].resources")),
                argumentSet("PEA006 runAsUser 0 from the pod's securityContext",
                        pod("p", "securityContext: {runAsUser: 0}", """
                                  - name: app
                                    image: busybox
                                    resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {memory: 32Mi}}
                                    securityContext: {readOnlyRootFilesystem: true}
                                """),
                        List.of("PEA006 spec.containers[0].securityContext.runAsUser")),
                argumentSet("no PEA006 when the pod sets runAsNonRoot",
                        pod("p", "securityContext: {runAsNonRoot: true}", """
                                  - name: app
                                    image: busybox
                                    resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {memory: 32Mi}}
                                    securityContext: {readOnlyRootFilesystem: true}
                                """),
                        List.of()),
                argumentSet("PEA008 an emptyDir only one of two containers mounts, and one nobody mounts",
                        pod("p", "volumes: [{name: logs, emptyDir: {}}, {name: unused, emptyDir: {}}]",
                                good("app", "volumeMounts: [{name: logs, mountPath: /logs}]") + good("shipper", "")),
                        List.of("PEA008 spec.volumes[0]", "PEA008 spec.volumes[1]")),
                argumentSet("no PEA008 in a one-container pod (private scratch space)",
                        pod("p", "volumes: [{name: tmp, emptyDir: {}}]", good("app", "volumeMounts: [{name: tmp, mountPath: /tmp}]")),
                        List.of()),
                argumentSet("PEA009 a preStop sleep as long as the grace period",
                        pod("p", "terminationGracePeriodSeconds: 10", good("app", "lifecycle: {preStop: {sleep: {seconds: 10}}}")),
                        List.of("PEA009 spec.containers[0].lifecycle.preStop")),
                argumentSet("PEA009 an exec preStop that sleeps past the default 30 s",
                        pod("p", "", good("app", "lifecycle: {preStop: {exec: {command: [sh, -c, 'sleep 20; sleep 15; nginx -s quit']}}}")),
                        List.of("PEA009 spec.containers[0].lifecycle.preStop")),
                argumentSet("no PEA009 for an httpGet preStop (its time is unknown)",
                        pod("p", "", good("app", "lifecycle: {preStop: {httpGet: {port: 80, path: /quit}}}")),
                        List.of()),
                argumentSet("PEA010 one hostPort on a wildcard and on 127.0.0.1 in one pod",
                        pod("p", "", good("a", "ports: [{containerPort: 80, hostPort: 8080}]")
                                + good("b", "ports: [{containerPort: 81, hostPort: 8080, hostIP: 127.0.0.1}]")),
                        List.of("PEA010 spec.containers[1].ports[0].hostPort")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void findings(String yaml, List<String> expected) {
        assertThat(codesAndPaths(lint(yaml))).containsExactlyElementsOf(expected);
    }

    @Test
    void hostPortsAreComparedAcrossThePodsOfOneRun() {
        String a = pod("a", "", good("web", "ports: [{containerPort: 80, hostPort: 8080}]"));
        String b = pod("b", "", good("web", "ports: [{containerPort: 80, hostPort: 8080}]"));
        String c = pod("c", "", good("web", "ports: [{containerPort: 80, hostPort: 8080, protocol: UDP}]"));
        var findings = lint(a, b, c);
        assertThat(codesAndPaths(findings)).containsExactly("PEA010 spec.containers[0].ports[0].hostPort");
        assertThat(findings.getFirst().pod()).isEqualTo("b");
        assertThat(findings.getFirst().message()).contains("pod \"a\"").contains("NodePorts");
    }

    @Test
    void everyFindingSaysWhatAndHowToFix() {
        String yaml = pod("p", "restartPolicy: OnFailure\nvolumes: [{name: v, emptyDir: {}}]\ninitContainers:\n"
                        + "  - {name: side, image: busybox, restartPolicy: Always, ports: [{containerPort: 80}]}\n",
                "  - {name: app, image: busybox, ports: [{containerPort: 80, hostPort: 80}], livenessProbe: {tcpSocket: {port: 80}, initialDelaySeconds: 90},"
                        + " lifecycle: {preStop: {exec: {command: [sleep, \"40\"]}}}, volumeMounts: [{name: v, mountPath: /v}]}\n"
                        + "  - {name: job, image: busybox, ports: [{containerPort: 81, hostPort: 80, hostIP: 127.0.0.1}]}\n"
                        + "  - {name: batch, image: busybox}\n");
        var findings = lint(yaml);
        assertThat(findings).extracting(LintFinding::code).contains(LintFinding.Code.values());
        for (LintFinding f : findings) {
            assertThat(f.pod()).isEqualTo("p");
            assertThat(f.message()).isNotBlank();
            assertThat(f.fix()).isNotBlank();
            assertThat(f.toString()).startsWith(f.code() + " " + f.path() + ": ");
        }
    }

    @Test
    void preStopDurations() {
        var h = new io.fabric8.kubernetes.api.model.LifecycleHandler();
        h.setExec(new io.fabric8.kubernetes.api.model.ExecAction(List.of("/bin/sleep", "12")));
        assertThat(PodLinter.preStopSeconds(h)).isEqualTo(12);
        h.setExec(new io.fabric8.kubernetes.api.model.ExecAction(List.of("nginx", "-s", "quit")));
        assertThat(PodLinter.preStopSeconds(h)).isEqualTo(-1);
        h.setExec(new io.fabric8.kubernetes.api.model.ExecAction(List.of("sh", "-c", "sleep 5s&&sleep 3")));
        assertThat(PodLinter.preStopSeconds(h)).isEqualTo(8);
    }

}
