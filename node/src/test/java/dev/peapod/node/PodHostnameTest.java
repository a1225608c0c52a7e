package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Cases after kubelet's TestTruncatePodHostname (kubelet_pods_test.go) and TestGetNodenameForKernel
 * (pkg/kubelet/util/util_test.go), plus GeneratePodHostNameAndDomain's domain rule.
 */
class PodHostnameTest {
    private static Pod pod(String name, Consumer<Pod> mutation) {
        Pod p = new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").withUid("u-1").endMetadata()
                .withNewSpec().endSpec().build();
        mutation.accept(p);
        return p;
    }

    static Stream<Arguments> names() {
        return Stream.of(
                argumentSet("the pod name by default", pod("web-0", p -> { }), "web-0", "", "web-0"),
                argumentSet("spec.hostname wins over the pod name", pod("web-0", p -> p.getSpec().setHostname("db")),
                        "db", "", "db"),
                argumentSet("subdomain gives <sub>.<ns>.svc.<clusterDomain>", pod("web-0", p -> p.getSpec().setSubdomain("api")),
                        "web-0", "api.shop.svc.cluster.local", "web-0"),
                argumentSet("setHostnameAsFQDN without subdomain keeps the short name",
                        pod("web-0", p -> p.getSpec().setSetHostnameAsFQDN(true)), "web-0", "", "web-0"),
                argumentSet("setHostnameAsFQDN with subdomain: the kernel hostname is the FQDN", pod("web-0", p -> {
                    p.getSpec().setHostname("db");
                    p.getSpec().setSubdomain("api");
                    p.getSpec().setSetHostnameAsFQDN(true);
                }), "db", "api.shop.svc.cluster.local", "db.api.shop.svc.cluster.local"),
                argumentSet("setHostnameAsFQDN false: short kernel hostname", pod("web-0", p -> {
                    p.getSpec().setSubdomain("api");
                    p.getSpec().setSetHostnameAsFQDN(false);
                }), "web-0", "api.shop.svc.cluster.local", "web-0"),
                argumentSet("kubelet: valid hostname is kept", pod("test.pod.hostname", p -> { }),
                        "test.pod.hostname", "", "test.pod.hostname"),
                argumentSet("kubelet: too long hostname is cut to 63",
                        pod("1234567.1234567.1234567.1234567.1234567.1234567.1234567.1234567.1234567.", p -> { }),
                        "1234567.1234567.1234567.1234567.1234567.1234567.1234567.1234567", "",
                        "1234567.1234567.1234567.1234567.1234567.1234567.1234567.1234567"),
                argumentSet("kubelet: a cut ending in '.' loses it",
                        pod("1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456.1234567.", p -> { }),
                        "1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456", "",
                        "1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456"),
                argumentSet("kubelet: a cut ending in '-' loses it",
                        pod("1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456-1234567.", p -> { }),
                        "1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456", "",
                        "1234567.1234567.1234567.1234567.1234567.1234567.1234567.123456"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void derivesNamesLikeKubelet(Pod pod, String hostname, String domain, String kernel) {
        PodHostname names = PodHostname.of(pod);
        assertThat(names).isEqualTo(new PodHostname(hostname, domain, kernel));
        assertThat(HostsFile.hostname(pod)).isEqualTo(hostname);
    }

    @Test
    void clusterDomainIsConfigurable() {
        Pod p = pod("web-0", q -> q.getSpec().setSubdomain("api"));
        assertThat(PodHostname.of(p, "corp.example", null).fqdn()).isEqualTo("web-0.api.shop.svc.corp.example");
        // kubelet formats "%s.%s.svc.%s" whatever the domain, so an empty one leaves a trailing dot.
        assertThat(PodHostname.of(p, "", null).domain()).isEqualTo("api.shop.svc.");
        assertThat(PodHostname.of(pod("web-0", q -> { })).fqdn()).isEqualTo("web-0");
    }

    @Test
    void hostNetworkPodsReportTheNodeHostname() {
        Pod p = pod("web-0", q -> {
            q.getSpec().setHostNetwork(true);
            q.getSpec().setSubdomain("api");
        });
        assertThat(PodHostname.of(p, "cluster.local", "node-a"))
                .isEqualTo(new PodHostname("web-0", "api.shop.svc.cluster.local", "node-a"));
        assertThatThrownBy(() -> PodHostname.of(p)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("nodeHostname");
    }

    @Test
    void fqdnOver64CharactersFailsWithKubeletsMessage() {
        // As TestGetNodenameForKernel: over 64 characters fails, setHostnameAsFQDN false never does.
        Pod p = pod("web-0", q -> {
            q.getSpec().setHostname("a234567-1234567");
            q.getSpec().setSubdomain("sub");
            q.getSpec().setSetHostnameAsFQDN(true);
        });
        String fqdn = "a234567-1234567.sub.shop.svc.1234567.1234567.1234567.1234567.12345";
        assertThat(fqdn).hasSize(66);
        assertThatThrownBy(() -> PodHostname.of(p, "1234567.1234567.1234567.1234567.12345", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failed to construct FQDN from pod hostname and cluster domain, FQDN " + fqdn
                        + " is too long (64 characters is the max, 66 characters requested)");
        // Exactly 64 fits.
        assertThat(PodHostname.of(p, "1234567.1234567.1234567.1234567.123", null).kernelHostname()).hasSize(64);
        // Without setHostnameAsFQDN the same names are fine.
        p.getSpec().setSetHostnameAsFQDN(false);
        assertThat(PodHostname.of(p, "1234567.1234567.1234567.1234567.12345", null).kernelHostname()).isEqualTo("a234567-1234567");
    }

    @Test
    void invalidHostnameOrSubdomainFailsLikeKubelet() {
        String label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must"
                + " start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for"
                + " validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
        assertThatThrownBy(() -> PodHostname.of(pod("web", q -> q.getSpec().setHostname("Db"))))
                .hasMessage("pod Hostname \"Db\" is not a valid DNS label: " + label);
        assertThatThrownBy(() -> PodHostname.of(pod("web", q -> q.getSpec().setSubdomain("a.b"))))
                .hasMessage("pod Subdomain \"a.b\" is not a valid DNS label: " + label);
        String longLabel = "a".repeat(64);
        assertThatThrownBy(() -> PodHostname.of(pod("web", q -> q.getSpec().setHostname(longLabel))))
                .hasMessage("pod Hostname \"" + longLabel + "\" is not a valid DNS label: must be no more than 63 characters");
    }
}
