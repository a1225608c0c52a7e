package dev.peapod.node.spec;

import dev.peapod.oci.spec.Linux;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** privileged: every capability, the host's devices, no masked or read-only /proc paths, no seccomp. */
class PrivilegedSpecTest {
    private static final List<Linux.Device> HOST = List.of(new Linux.Device("/dev/vda", "b", 254, 0, 0660, 0, 6));

    private static SpecInput with(String containerYaml) {
        var in = SpecGeneratorTest.app(containerYaml);
        return in.withFacts(in.facts().withHostDevices(HOST).withSeccomp(SeccompTest.PROFILE));
    }

    @Test
    void aPrivilegedContainerGetsTheHostDevicesAndNoConfinement() {
        var spec = SpecGenerator.generate(with("- {name: app, image: x, securityContext: {privileged: true}}"));

        assertThat(spec.linux().devices()).isEqualTo(HOST);
        assertThat(spec.process().capabilities().bounding()).isEqualTo(Caps.ALL);
        assertThat(spec.linux().maskedPaths()).isEmpty();
        assertThat(spec.linux().readonlyPaths()).isEmpty();
        assertThat(spec.linux().seccomp()).isNull();
    }

    @Test
    void anUnprivilegedContainerGetsNone() {
        var spec = SpecGenerator.generate(with("- {name: app, image: x}"));

        assertThat(spec.linux().devices()).isEmpty();
        assertThat(spec.linux().maskedPaths()).isNotEmpty();
        assertThat(spec.linux().seccomp()).isNotNull();
    }

    @Test
    void privilegedAndAddAllMeanWhatTheHostMayGrant() {
        var host = Fixtures.host().withCapabilities(HostFacts.capabilitiesOfMask(0x000001fffeffffffL));
        var privileged = with("- {name: app, image: x, securityContext: {privileged: true}}").withHost(host);
        var all = with("- {name: app, image: x, securityContext: {capabilities: {add: [ALL], drop: [NET_RAW]}}}").withHost(host);

        assertThat(host.capabilities()).hasSize(40).doesNotContain("CAP_SYS_RESOURCE").contains("CAP_CHECKPOINT_RESTORE");
        assertThat(SpecGenerator.generate(privileged).process().capabilities().bounding()).isEqualTo(host.capabilities());
        assertThat(SpecGenerator.generate(all).process().capabilities().effective())
                .doesNotContain("CAP_SYS_RESOURCE", "CAP_NET_RAW").contains("CAP_SYS_ADMIN").hasSize(39);
    }
}
