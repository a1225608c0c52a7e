package dev.peapod.node.spec;

import dev.peapod.oci.spec.Linux;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hostUsers: false in the container's spec. */
class UserNamespaceSpecTest {

    private static SpecInput userns(SpecInput in) {
        return in.withSandbox(in.sandbox().withUserns(new PodUserNamespace(131072, 65536)))
                .withFacts(in.facts().withMounts(List.of(new ResolvedMount("/data", Path.of("/vol/data"), false))));
    }

    @Test
    void aNewUserNamespaceWithThePodsMappingAndIdmappedVolumes() {
        var spec = SpecGenerator.generate(userns(SpecGeneratorTest.app("- {name: app, image: x}")));

        assertThat(spec.linux().namespaces()).first().isEqualTo(Linux.Namespace.create("user"));
        assertThat(spec.linux().uidMappings()).containsExactly(new Linux.IdMapping(0, 131072, 65536));
        assertThat(spec.linux().gidMappings()).containsExactly(new Linux.IdMapping(0, 131072, 65536));
        assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/data")).singleElement()
                .satisfies(m -> assertThat(m.options()).containsExactly("rbind", "rprivate", "rw", "idmap"));
        assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/etc/hosts")).singleElement()
                .satisfies(m -> assertThat(m.options()).doesNotContain("idmap"));
    }

    @Test
    void anImageVolumeIsNotIdmapped() {
        var in = userns(SpecGeneratorTest.app("- {name: app, image: x}"));
        in = in.withFacts(in.facts().withMounts(List.of(new ResolvedMount("/tools", Path.of("/vol/image"), true, false))));

        assertThat(SpecGenerator.generate(in).mounts()).filteredOn(m -> m.destination().equals("/tools")).singleElement()
                .satisfies(m -> assertThat(m.options()).containsExactly("rbind", "rprivate", "ro"));
    }

    @Test
    void theHostsUserNamespaceHasNoMappingsAndPlainBinds() {
        var in = SpecGeneratorTest.app("- {name: app, image: x}");
        var spec = SpecGenerator.generate(in.withFacts(in.facts()
                .withMounts(List.of(new ResolvedMount("/data", Path.of("/vol/data"), false)))));

        assertThat(spec.linux().namespaces()).noneMatch(n -> n.type().equals("user"));
        assertThat(spec.linux().uidMappings()).isEmpty();
        assertThat(spec.mounts()).filteredOn(m -> m.destination().equals("/data")).singleElement()
                .satisfies(m -> assertThat(m.options()).doesNotContain("idmap"));
    }

    @Test
    void sharingTheProcessNamespaceIsRefusedClearly() {
        var in = Fixtures.input(Fixtures.pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  shareProcessNamespace: true
                  hostUsers: false
                  containers: [{name: app, image: x}]
                """), "app");

        assertThatThrownBy(() -> SpecGenerator.generate(userns(in)))
                .isInstanceOfSatisfying(SpecException.class,
                        e -> assertThat(e.reason()).isEqualTo(SpecException.CREATE_CONTAINER_CONFIG_ERROR))
                .hasMessage("failed to create the user namespace of container \"app\": hostUsers: false with"
                        + " shareProcessNamespace is not supported by Peapod");
    }
}
