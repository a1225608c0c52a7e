package dev.peapod.node.spec;

import dev.peapod.oci.spec.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static dev.peapod.node.spec.Fixtures.container;
import static dev.peapod.node.spec.Fixtures.input;
import static dev.peapod.node.spec.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seccomp choice (pod, container, node default) and fitting a profile to a container. */
class SeccompTest {

    /** A containers-common style profile with capability and architecture conditions. */
    static final SeccompProfile PROFILE = SeccompProfile.parse("""
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
             "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                         {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
             "syscalls": [
               {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "args": [], "includes": {}, "excludes": {}},
               {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                "args": [{"index": 0, "value": 4294967295, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
               {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
               {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
               {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
               {"name": "old_style", "action": "SCMP_ACT_ALLOW"}
             ]}
            """);

    @Test
    void aContainerWithoutTheCapabilityGetsTheDenyRuleAndTheNativeArchitectures() {
        Linux.Seccomp s = PROFILE.toOci(Caps.DEFAULT, "SCMP_ARCH_X86_64");

        assertThat(s.defaultAction()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(s.defaultErrnoRet()).isEqualTo(38L);
        assertThat(s.architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
        assertThat(s.syscalls()).extracting(r -> r.names().getFirst() + ":" + r.action() + ":" + r.errnoRet())
                .containsExactly("read:SCMP_ACT_ALLOW:null", "personality:SCMP_ACT_ALLOW:null",
                        "arch_prctl:SCMP_ACT_ALLOW:null", "mount:SCMP_ACT_ERRNO:1", "old_style:SCMP_ACT_ALLOW:null");
        assertThat(s.syscalls().get(1).args())
                .containsExactly(new Linux.SyscallArg(0, 4294967295L, 0, "SCMP_CMP_EQ"));
    }

    @Test
    void addingTheCapabilityAllowsTheSyscallAndOtherArchitecturesDropTheirRules() {
        var caps = new java.util.ArrayList<>(Caps.DEFAULT);
        caps.add("CAP_SYS_ADMIN");
        Linux.Seccomp s = PROFILE.toOci(caps, "SCMP_ARCH_AARCH64");

        assertThat(s.architectures()).containsExactly("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
        assertThat(s.syscalls()).extracting(r -> r.names().getFirst() + ":" + r.action())
                .containsExactly("read:SCMP_ACT_ALLOW", "personality:SCMP_ACT_ALLOW", "mount:SCMP_ACT_ALLOW",
                        "old_style:SCMP_ACT_ALLOW");
    }

    @Test
    void anOciFormatProfileKeepsItsArchitectures() {
        var oci = SeccompProfile.parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
                """);

        var s = oci.toOci(List.of(), "SCMP_ARCH_X86_64");

        assertThat(s.architectures()).containsExactly("SCMP_ARCH_X86_64");
        assertThat(s.syscalls()).containsExactly(new Linux.Syscall(List.of("mkdir"), "SCMP_ACT_ERRNO", 1L, List.of()));
    }

    @Test
    void aFileThatIsNoProfileIsRefused() {
        assertThatThrownBy(() -> SeccompProfile.parse("{\"syscalls\": []}")).hasMessage("not a seccomp profile: no \"defaultAction\"");
        assertThatThrownBy(() -> SeccompProfile.parse("nope")).hasMessageStartingWith("not a JSON seccomp profile");
    }

    @Test
    void theShippedDefaultProfileParsesAndDeniesBpfWithoutSysAdmin() throws Exception {
        try (var in = getClass().getResourceAsStream("/dev/peapod/node/seccomp-default.json")) {
            var profile = SeccompProfile.parse(new String(in.readAllBytes()));
            var s = profile.toOci(Caps.DEFAULT, "SCMP_ARCH_X86_64");
            var admin = new java.util.ArrayList<>(Caps.DEFAULT);
            admin.add("CAP_SYS_ADMIN");
            assertThat(s.defaultAction()).isEqualTo("SCMP_ACT_ERRNO");
            assertThat(s.syscalls()).filteredOn(r -> r.names().contains("bpf")).extracting(Linux.Syscall::action)
                    .containsExactly("SCMP_ACT_ERRNO");
            assertThat(profile.toOci(admin, "SCMP_ARCH_X86_64").syscalls()).filteredOn(r -> r.names().contains("bpf"))
                    .extracting(Linux.Syscall::action).containsExactly("SCMP_ACT_ALLOW");
            assertThat(s.syscalls()).filteredOn(r -> r.names().contains("read")).extracting(Linux.Syscall::action)
                    .containsExactly("SCMP_ACT_ALLOW");
        }
    }

    @ParameterizedTest(name = "pod {0}, container {1}, privileged {2}, node default {3} -> {4}")
    @CsvSource(nullValues = "-", value = {
            "-,              -,              false, false, Unconfined",
            "-,              -,              false, true,  RuntimeDefault",
            "RuntimeDefault, -,              false, false, RuntimeDefault",
            "RuntimeDefault, Unconfined,     false, true,  Unconfined",
            "Unconfined,     RuntimeDefault, false, false, RuntimeDefault",
            "-,              Unconfined,     false, true,  Unconfined",
            "RuntimeDefault, RuntimeDefault, true,  true,  Unconfined",
            "Localhost,      -,              false, false, Localhost:prof/a.json",
    })
    void theContainerOverridesThePodWhichOverridesTheNode(String podType, String containerType, boolean privileged,
                                                         boolean nodeDefault, String expected) {
        var pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p, uid: u}
                spec:
                  securityContext: %s
                  containers:
                  - name: app
                    image: x
                    securityContext: {privileged: %s %s}
                """.formatted(podType == null ? "{}" : "{seccompProfile: {type: " + podType + ", localhostProfile: prof/a.json}}",
                privileged, containerType == null ? "" : ", seccompProfile: {type: " + containerType + "}"));
        String got = switch (SeccompChoice.of(pod, container(pod, "app"), nodeDefault)) {
            case SeccompChoice.Unconfined u -> "Unconfined";
            case SeccompChoice.RuntimeDefault d -> "RuntimeDefault";
            case SeccompChoice.Localhost l -> "Localhost:" + l.profile();
        };
        assertThat(got).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "/etc/x.json, must be a relative path",
            "../x.json, must not contain '..'",
            "a/../../x.json, must not contain '..'"})
    void aLocalhostProfileOutsideTheRootIsAConfigError(String path, String detail) {
        var pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                  - {name: app, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: "%s"}}}
                """.formatted(path));

        assertThatThrownBy(() -> SeccompChoice.of(pod, container(pod, "app"), false))
                .isInstanceOfSatisfying(SpecException.class,
                        e -> assertThat(e.reason()).isEqualTo(SpecException.CREATE_CONTAINER_CONFIG_ERROR))
                .hasMessage("invalid seccompProfile.localhostProfile of container \"app\": " + detail);
    }

    @Test
    void theGeneratorFitsTheProfileToTheCapabilitiesAndSkipsItWhenPrivileged() {
        var in = SpecGeneratorTest.app("""
                - name: app
                  image: x
                  securityContext: {capabilities: {add: [SYS_ADMIN]}}
                """);
        in = in.withFacts(in.facts().withSeccomp(PROFILE));
        var privileged = SpecGeneratorTest.app("""
                - {name: app, image: x, securityContext: {privileged: true}}
                """);
        privileged = privileged.withFacts(privileged.facts().withSeccomp(PROFILE));

        assertThat(SpecGenerator.generate(in).linux().seccomp().syscalls())
                .filteredOn(r -> r.names().contains("mount")).extracting(Linux.Syscall::action)
                .containsExactly("SCMP_ACT_ALLOW");
        assertThat(SpecGenerator.generate(privileged).linux().seccomp()).isNull();
        assertThat(SpecGenerator.generate(input(pod(Fixtures.podYaml("- {name: app, image: x}")), "app"))
                .linux().seccomp()).isNull();
    }

    @Test
    void aLocalhostAppArmorProfileOfTheContainerOverridesThePodsAndReachesTheProcess() {
        var pod = pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  securityContext: {appArmorProfile: {type: Localhost, localhostProfile: pod-profile}}
                  containers:
                  - {name: app, image: x, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: app-profile}}}
                  - {name: other, image: x}
                  - {name: free, image: x, securityContext: {appArmorProfile: {type: Unconfined}}}
                """);

        assertThat(SpecGenerator.generate(input(pod, "app")).process().apparmorProfile()).isEqualTo("app-profile");
        assertThat(SpecGenerator.generate(input(pod, "other")).process().apparmorProfile()).isEqualTo("pod-profile");
        assertThat(SpecGenerator.generate(input(pod, "free")).process().apparmorProfile()).isNull();
    }
}
