package dev.peapod.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's security admission: AppArmor with and without AppArmor on the host; sysctls come first. */
class AdmissionTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final NodeSecurity NODE = NodeSecurity.defaults(Path.of("/var/lib/peapod"));

    private static Pod pod(String podSecurity, String containerSecurity, String annotations) throws Exception {
        return YAML.readValue("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p, annotations: %s}
                spec:
                  securityContext: %s
                  containers: [{name: app, image: x, securityContext: %s}]
                """.formatted(annotations, podSecurity, containerSecurity), Pod.class);
    }

    @ParameterizedTest(name = "{0}, host AppArmor {3}")
    @CsvSource(delimiter = '|', value = {
            "nothing                      | {}                                          | {}                                                                  | {}                                                                   | false | ",
            "unconfined everywhere        | {appArmorProfile: {type: Unconfined}}       | {appArmorProfile: {type: Unconfined}}                               | {}                                                                   | false | ",
            "pod RuntimeDefault           | {appArmorProfile: {type: RuntimeDefault}}   | {}                                                                  | {}                                                                   | false | AppArmor: Cannot enforce AppArmor: AppArmor is not enabled on the host",
            "container Localhost          | {}                                          | '{appArmorProfile: {type: Localhost, localhostProfile: k8s-nginx}}' | {}                                                                   | false | AppArmor: Cannot enforce AppArmor: AppArmor is not enabled on the host",
            "annotation                   | {}                                          | {}                                                                  | '{container.apparmor.security.beta.kubernetes.io/app: runtime/default}' | false | AppArmor: Cannot enforce AppArmor: AppArmor is not enabled on the host",
            "Localhost on an AppArmor host | {}                                         | '{appArmorProfile: {type: Localhost, localhostProfile: k8s-nginx}}' | {}                                                                   | true  | ",
            "RuntimeDefault on an AppArmor host | {appArmorProfile: {type: RuntimeDefault}} | {}                                                              | {}                                                                   | true  | AppArmor: Cannot enforce AppArmor: Peapod has no RuntimeDefault AppArmor profile; use a Localhost profile loaded on the host",
            "a sysctl first               | '{sysctls: [{name: kernel.msgmax, value: \"1\"}], appArmorProfile: {type: RuntimeDefault}}' | {} | {}                                            | false | SysctlForbidden: forbidden sysctl: \"kernel.msgmax\" not allowlisted",
    })
    void admission(String name, String podSc, String containerSc, String annotations, boolean hostAppArmor, String expected)
            throws Exception {
        var got = Admission.check(pod(podSc, containerSc, annotations), NODE, hostAppArmor)
                .map(r -> r.reason() + ": " + r.message());

        assertThat(got).isEqualTo(Optional.ofNullable(expected));
    }
}
