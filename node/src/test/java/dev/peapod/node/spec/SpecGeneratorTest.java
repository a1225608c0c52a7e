package dev.peapod.node.spec;

import dev.peapod.image.ImageConfig;
import dev.peapod.oci.spec.Linux;
import dev.peapod.oci.spec.Mount;
import dev.peapod.oci.spec.Resources;
import dev.peapod.oci.spec.Spec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static dev.peapod.node.spec.Fixtures.input;
import static dev.peapod.node.spec.Fixtures.pod;
import static dev.peapod.node.spec.Fixtures.podYaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour the golden files do not single out: failures, host namespaces, privilege, resources. */
class SpecGeneratorTest {

    static SpecInput app(String containerYaml) {
        return input(pod(podYaml(containerYaml)), "app");
    }

    static ImageConfig image(List<String> entrypoint, List<String> cmd, String user) {
        return new ImageConfig(entrypoint, cmd, List.of(), null, user, null);
    }

    @Test
    void aTtyContainerRunsOnATerminalWithTermSet() {
        var tty = SpecGenerator.generate(app("- {name: app, image: x, command: [sh], tty: true, stdin: true}"));
        assertThat(tty.process().terminal()).isTrue();
        assertThat(tty.process().env()).contains("TERM=xterm");

        var own = SpecGenerator.generate(app("- {name: app, image: x, command: [sh], tty: true}")
                .withImage(new ImageConfig(List.of(), List.of("sh"), List.of("TERM=vt100"), null, null, null)));
        assertThat(own.process().env()).contains("TERM=vt100").doesNotContain("TERM=xterm");

        var plain = SpecGenerator.generate(app("- {name: app, image: x, command: [sh], stdin: true}"));
        assertThat(plain.process().terminal()).isFalse();
        assertThat(plain.process().env()).noneMatch(e -> e.startsWith("TERM="));
    }

    @Test
    void noCommandAnywhereIsACreateContainerError() {
        var in = app("- {name: app, image: scratch}").withImage(image(List.of(), List.of(), null));

        assertThatThrownBy(() -> SpecGenerator.generate(in))
                .isInstanceOfSatisfying(SpecException.class,
                        e -> assertThat(e.reason()).isEqualTo(SpecException.CREATE_CONTAINER_ERROR))
                .hasMessage("failed to build the command of container \"app\": no command specified");
    }

    @Test
    void emptyStringEntrypointMeansNoEntrypoint() {
        var in = app("- {name: app, image: x}").withImage(image(List.of(""), List.of("run"), null));

        assertThat(SpecGenerator.generate(in).process().args()).containsExactly("run");
    }

    @Test
    void commandWithoutArgsIgnoresImageCmd() {
        var in = app("- {name: app, image: x, command: [/bin/true]}")
                .withImage(image(List.of("/entry"), List.of("cmd"), null));

        assertThat(SpecGenerator.generate(in).process().args()).containsExactly("/bin/true");
    }

    @Test
    void runAsNonRootWithRootImageIsAConfigError() {
        var in = input(pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default, uid: u1}
                spec:
                  securityContext: {runAsNonRoot: true}
                  containers: [{name: app, image: busybox}]
                """), "app");

        assertThatThrownBy(() -> SpecGenerator.generate(in))
                .isInstanceOfSatisfying(SpecException.class,
                        e -> assertThat(e.reason()).isEqualTo(SpecException.CREATE_CONTAINER_CONFIG_ERROR))
                .hasMessage("container has runAsNonRoot and image will run as root (pod: \"web_default(u1)\", container: app)");
    }

    @Test
    void runAsNonRootAcceptsNumericNonRootImageUserAndRejectsNames() {
        var pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default, uid: u1}
                spec:
                  containers: [{name: app, image: x, securityContext: {runAsNonRoot: true}}]
                """);
        var numeric = input(pod, "app").withImage(image(List.of(), List.of("sh"), "1000:1000"));
        var named = input(pod, "app").withImage(image(List.of(), List.of("sh"), "app"));

        assertThat(SpecGenerator.generate(numeric).process().user().uid()).isEqualTo(1000);
        assertThatThrownBy(() -> SpecGenerator.generate(named))
                .hasMessage("container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root"
                        + " (pod: \"web_default(u1)\", container: app)");
    }

    @Test
    void imageUserNamesResolveThroughPasswdAndGroup() {
        var in = app("- {name: app, image: x}").withImage(image(List.of(), List.of("sh"), "www:staff"));
        in = in.withFacts(in.facts().withUsers(Passwd.parse("www:x:33:33::/var/www:/bin/false\n",
                "staff:x:50:\nweb:x:60:www\n")));

        var user = SpecGenerator.generate(in).process().user();

        assertThat(user.uid()).isEqualTo(33);
        assertThat(user.gid()).isEqualTo(50);
        assertThat(user.additionalGids()).containsExactly(50L, 60L);
    }

    @Test
    void numericImageUserTakesGroupFromPasswdOrZero() {
        var known = app("- {name: app, image: x}").withImage(image(List.of(), List.of("sh"), "33"));
        known = known.withFacts(known.facts().withUsers(Passwd.parse("www:x:33:44::/:/bin/sh\n", "")));
        var unknown = app("- {name: app, image: x}").withImage(image(List.of(), List.of("sh"), "4711"));

        assertThat(SpecGenerator.generate(known).process().user().gid()).isEqualTo(44);
        assertThat(SpecGenerator.generate(unknown).process().user().gid()).isZero();
    }

    @Test
    void unknownUserNameIsACreateContainerError() {
        var in = app("- {name: app, image: x}").withImage(image(List.of(), List.of("sh"), "ghost"));

        assertThatThrownBy(() -> SpecGenerator.generate(in))
                .isInstanceOfSatisfying(SpecException.class,
                        e -> assertThat(e.reason()).isEqualTo(SpecException.CREATE_CONTAINER_ERROR))
                .hasMessage("failed to resolve user of container \"app\": no user \"ghost\" found in the image's /etc/passwd");
    }

    @Test
    void runAsGroupAloneAppliesToTheImageUser() {
        var in = app("- {name: app, image: x, securityContext: {runAsGroup: 500}}")
                .withImage(image(List.of(), List.of("sh"), "1000"));

        var user = SpecGenerator.generate(in).process().user();

        assertThat(user.uid()).isEqualTo(1000);
        assertThat(user.gid()).isEqualTo(500);
    }

    @Test
    void strictSupplementalGroupsPolicyIgnoresEtcGroup() {
        var in = input(pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default, uid: u1}
                spec:
                  securityContext: {runAsUser: 1000, supplementalGroupsPolicy: Strict, supplementalGroups: [7]}
                  containers: [{name: app, image: x}]
                """), "app");
        in = in.withFacts(in.facts().withUsers(Passwd.parse("app:x:1000:1000::/:/bin/sh\n", "extra:x:9:app\n")));

        assertThat(SpecGenerator.generate(in).process().user().additionalGids()).containsExactly(1000L, 7L);
    }

    @Test
    void hostNetworkHostIpcAndHostPidLeaveThoseNamespacesOut() {
        var in = input(pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, uid: u1}
                spec:
                  hostNetwork: true
                  hostIPC: true
                  hostPID: true
                  containers: [{name: app, image: busybox}]
                """), "app").withSandbox(new SandboxFacts(new SandboxFacts.Namespaces(null, null, null, null),
                new SandboxFacts.PodFiles(null, null, null, null), "node1"));

        Spec spec = SpecGenerator.generate(in);

        assertThat(spec.linux().namespaces()).containsExactly(Linux.Namespace.create("mount"));
        assertThat(spec.mounts()).extracting(Mount::destination).doesNotContain("/etc/hosts", "/dev/shm");
        assertThat(spec.process().env()).contains("HOSTNAME=node1");
        assertThat(spec.annotations()).containsEntry("io.kubernetes.pod.namespace", "default");
    }

    @Test
    void missingSandboxNamespaceIsAnError() {
        var in = app("- {name: app, image: busybox}").withSandbox(new SandboxFacts(
                new SandboxFacts.Namespaces(null, "/proc/1/ns/ipc", "/proc/1/ns/uts", null),
                Fixtures.sandbox().files(), "web"));

        assertThatThrownBy(() -> SpecGenerator.generate(in))
                .hasMessage("failed to join the network namespace of pod \"web\": the sandbox has no network namespace path");
    }

    @Test
    void cgroupNamespaceOnlyOnCgroupV2() {
        var v2 = new HostFacts(20000, 96365, 8L << 30, true, true, HostFacts.OOM_SCORE_ADJ_MIN);

        assertThat(SpecGenerator.generate(app("- {name: app, image: busybox}").withHost(v2)).linux().namespaces())
                .endsWith(Linux.Namespace.create("cgroup"));
        assertThat(SpecGenerator.generate(app("- {name: app, image: busybox}")).linux().namespaces())
                .doesNotContain(Linux.Namespace.create("cgroup"));
    }

    @Test
    void nofileNeverExceedsTheHostHardLimit() {
        var roomy = new HostFacts(4_000_000, 96365, 0, false, false, HostFacts.OOM_SCORE_ADJ_MIN);

        assertThat(SpecGenerator.generate(app("- {name: app, image: busybox}")).process().rlimits().getFirst().hard())
                .isEqualTo(20000);
        assertThat(SpecGenerator.generate(app("- {name: app, image: busybox}").withHost(roomy)).process().rlimits())
                .singleElement().satisfies(r -> {
                    assertThat(r.type()).isEqualTo("RLIMIT_NOFILE");
                    assertThat(r.hard()).isEqualTo(1_048_576);
                    assertThat(r.soft()).isEqualTo(1_048_576);
                });
    }

    @Test
    void privilegedGetsAllCapabilitiesNoMaskedPathsAndAllDevices() {
        Spec spec = SpecGenerator.generate(app(
                "- {name: app, image: busybox, securityContext: {privileged: true, capabilities: {drop: [ALL]}}}"));

        assertThat(spec.process().capabilities().bounding()).hasSize(41).contains("CAP_SYS_ADMIN");
        assertThat(spec.linux().maskedPaths()).isEmpty();
        assertThat(spec.linux().readonlyPaths()).isEmpty();
        assertThat(spec.linux().resources().devices()).containsExactly(new Resources.DeviceRule(true, null, null, null, "rwm"));
        assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/sys")).singleElement()
                .satisfies(m -> assertThat(m.options()).contains("rw").doesNotContain("ro"));
    }

    @Test
    void capabilitiesAddAllThenDropOneAcceptPrefixedAndBareNames() {
        Spec spec = SpecGenerator.generate(app(
                "- {name: app, image: busybox, securityContext: {capabilities: {add: [ALL], drop: [CAP_SYS_ADMIN, net_raw]}}}"));

        assertThat(spec.process().capabilities().effective()).hasSize(39)
                .doesNotContain("CAP_SYS_ADMIN", "CAP_NET_RAW").contains("CAP_SYS_PTRACE");
        assertThat(spec.process().capabilities().ambient()).isEmpty();
    }

    @Test
    void unmaskedProcMountClearsMaskedAndReadonlyPaths() {
        Spec spec = SpecGenerator.generate(app("- {name: app, image: busybox, securityContext: {procMount: Unmasked}}"));

        assertThat(spec.linux().maskedPaths()).isEmpty();
        assertThat(spec.linux().readonlyPaths()).isEmpty();
    }

    @Test
    void volumeAtDevReplacesEveryDefaultMountBelowIt() {
        var in = app("- {name: app, image: busybox}");
        in = in.withFacts(in.facts().withMounts(List.of(new ResolvedMount("/dev", Path.of("/host/dev"), false))));

        assertThat(SpecGenerator.generate(in).mounts()).extracting(Mount::destination)
                .doesNotContain("/dev/pts", "/dev/mqueue")
                .containsSubsequence("/proc", "/sys", "/sys/fs/cgroup", "/dev", "/etc/hosts", "/dev/termination-log");
    }

    @Test
    void guaranteedPodGetsLimitsAndTheLowestOomScore() {
        Spec spec = SpecGenerator.generate(app("""
                - name: app
                  image: busybox
                  resources:
                    limits: {cpu: 250m, memory: 64Mi}
                """));

        var r = spec.linux().resources();
        assertThat(r.cpu()).isEqualTo(new Resources.Cpu(256L, 25_000L, 100_000L, null, null));
        assertThat(r.memory()).isEqualTo(new Resources.Memory(64L << 20, null, 64L << 20));
        assertThat(spec.process().oomScoreAdj()).isEqualTo(-997);
    }

    @Test
    void oomScoreIsRaisedToWhatTheRuntimeMaySet() {
        var restricted = new HostFacts(20000, 96365, 8L << 30, false, true, 0);
        var in = app("""
                - name: app
                  image: busybox
                  resources:
                    limits: {cpu: 250m, memory: 64Mi}
                """);

        assertThat(SpecGenerator.generate(in.withHost(restricted)).process().oomScoreAdj()).isZero();
        assertThat(SpecGenerator.generate(app("- {name: app, image: busybox}").withHost(restricted))
                .process().oomScoreAdj()).isEqualTo(1000);
    }

    @Test
    void burstablePodScoresByMemoryRequestShareOfTheNode() {
        Spec spec = SpecGenerator.generate(app("""
                - name: app
                  image: busybox
                  resources:
                    requests: {cpu: "1", memory: 1Gi}
                    limits: {memory: 2Gi}
                """));

        // 1000 - 1000 * 1 GiB / 8 GiB = 875
        assertThat(spec.process().oomScoreAdj()).isEqualTo(875);
        assertThat(spec.linux().resources().cpu()).isEqualTo(new Resources.Cpu(1024L, null, 100_000L, null, null));
    }

    @Test
    void tinyCpuLimitStillGetsMinimumQuotaAndShares() {
        Spec spec = SpecGenerator.generate(app("""
                - name: app
                  image: busybox
                  resources:
                    limits: {cpu: 1m}
                """));

        assertThat(spec.linux().resources().cpu()).isEqualTo(new Resources.Cpu(2L, 1000L, 100_000L, null, null));
        assertThat(spec.linux().resources().memory()).isNull();
    }

    @Test
    void sidecarScoresNoHigherThanTheSmallestRegularContainer() {
        var pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, uid: u1}
                spec:
                  initContainers:
                  - {name: proxy, image: envoy, restartPolicy: Always, resources: {requests: {memory: 128Mi}}}
                  containers:
                  - {name: app, image: busybox, resources: {requests: {memory: 1Gi}}}
                """);

        assertThat(SpecGenerator.generate(input(pod, "proxy")).process().oomScoreAdj()).isEqualTo(875);
        assertThat(SpecGenerator.generate(input(pod, "app")).process().oomScoreAdj()).isEqualTo(875);
    }

    @Test
    void burstableWithUnknownNodeMemoryLeavesOomScoreUnset() {
        var in = app("""
                - name: app
                  image: busybox
                  resources: {requests: {memory: 1Gi}}
                """).withHost(new HostFacts(20000, 0, 0, false, false, HostFacts.OOM_SCORE_ADJ_MIN));

        Spec spec = SpecGenerator.generate(in);

        assertThat(spec.process().oomScoreAdj()).isNull();
        assertThat(spec.linux().resources().memory()).isNull();
    }

    @Test
    void generationIsPureEqualInputsGiveEqualSpecs() {
        var in = app("- {name: app, image: busybox, env: [{name: A, value: b}]}");

        assertThat(SpecGenerator.generate(in)).isEqualTo(SpecGenerator.generate(in));
    }
}
