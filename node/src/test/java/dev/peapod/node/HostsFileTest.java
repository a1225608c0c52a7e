package dev.peapod.node;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/** Expected texts from kubelet's TestManagedHostsFileContent and TestNodeHostsFileContent (kubelet_pods_test.go). */
class HostsFileTest {
    private static final String LOCAL = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters
            """;
    private static final List<HostAlias> FOO_BAR_BAZ = List.of(new HostAlias(List.of("foo", "bar", "baz"), "123.45.67.89"));
    private static final List<HostAlias> TWO_ALIASES = List.of(new HostAlias(List.of("foo", "bar", "baz"), "123.45.67.89"),
            new HostAlias(List.of("park", "doo", "boo"), "456.78.90.123"));

    private static Pod pod(List<HostAlias> aliases) {
        return new PodBuilder().withNewMetadata().withName("podFoo").withNamespace("nsFoo").endMetadata()
                .withNewSpec().withHostAliases(aliases).endSpec().build();
    }

    static Stream<Arguments> managed() {
        return Stream.of(
                argumentSet("one IP, no domain", List.of("123.45.67.89"), "", List.of(),
                        "# Kubernetes-managed hosts file.\n" + LOCAL + "123.45.67.89\tpodFoo\n"),
                argumentSet("with a domain the FQDN comes first", List.of("203.0.113.1"), "domainFoo", List.of(),
                        "# Kubernetes-managed hosts file.\n" + LOCAL + "203.0.113.1\tpodFoo.domainFoo\tpodFoo\n"),
                argumentSet("one alias: all its names on one line", List.of("203.0.113.1"), "domainFoo", FOO_BAR_BAZ,
                        "# Kubernetes-managed hosts file.\n" + LOCAL + "203.0.113.1\tpodFoo.domainFoo\tpodFoo\n"
                                + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n"),
                argumentSet("two aliases in spec order", List.of("203.0.113.1"), "domainFoo", TWO_ALIASES,
                        "# Kubernetes-managed hosts file.\n" + LOCAL + "203.0.113.1\tpodFoo.domainFoo\tpodFoo\n"
                                + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n456.78.90.123\tpark\tdoo\tboo\n"),
                argumentSet("dual stack: one line per pod IP", List.of("203.0.113.1", "fd00::6"), "domainFoo", List.of(),
                        "# Kubernetes-managed hosts file.\n" + LOCAL + "203.0.113.1\tpodFoo.domainFoo\tpodFoo\n"
                                + "fd00::6\tpodFoo.domainFoo\tpodFoo\n"),
                argumentSet("no IP yet: no pod line, aliases still written", List.of(), "", FOO_BAR_BAZ,
                        "# Kubernetes-managed hosts file.\n" + LOCAL
                                + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n"));
    }

    @ParameterizedTest
    @MethodSource("managed")
    void managedFile(List<String> ips, String domain, List<HostAlias> aliases, String expected) {
        assertThat(HostsFile.content(pod(aliases), ips, "podFoo", domain)).isEqualTo(expected);
    }

    private static final String NODE_HOSTS = "# hosts file for testing.\n" + LOCAL + "123.45.67.89\tsome.domain\n";

    static Stream<Arguments> hostNetwork() {
        return Stream.of(
                argumentSet("the node's file under the host-network header", List.of(),
                        "# Kubernetes-managed hosts file (host network).\n" + NODE_HOSTS),
                argumentSet("aliases appended after the node's file", FOO_BAR_BAZ,
                        "# Kubernetes-managed hosts file (host network).\n" + NODE_HOSTS
                                + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n"),
                argumentSet("two aliases", TWO_ALIASES,
                        "# Kubernetes-managed hosts file (host network).\n" + NODE_HOSTS
                                + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n456.78.90.123\tpark\tdoo\tboo\n"));
    }

    @ParameterizedTest
    @MethodSource("hostNetwork")
    void hostNetworkFile(List<HostAlias> aliases, String expected) {
        assertThat(HostsFile.hostNetworkContent(pod(aliases), NODE_HOSTS)).isEqualTo(expected);
    }

    @Test
    void forPodPicksTheVariantByHostNetwork() {
        Pod own = new PodBuilder().withNewMetadata().withName("web").withNamespace("shop").endMetadata()
                .withNewSpec().withSubdomain("db").withHostAliases(FOO_BAR_BAZ).endSpec().build();
        PodHostname names = PodHostname.of(own);
        assertThat(HostsFile.forPod(own, List.of("10.88.0.5"), names, NODE_HOSTS)).isEqualTo(
                "# Kubernetes-managed hosts file.\n" + LOCAL + "10.88.0.5\tweb.db.shop.svc.cluster.local\tweb\n"
                        + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n");

        own.getSpec().setHostNetwork(true);
        assertThat(HostsFile.forPod(own, List.of("192.0.2.7"), names, NODE_HOSTS)).isEqualTo(
                "# Kubernetes-managed hosts file (host network).\n" + NODE_HOSTS
                        + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n");
    }

    @Test
    void nodeFileWithoutFinalNewlineIsKeptAsIs() {
        assertThat(HostsFile.hostNetworkContent(pod(FOO_BAR_BAZ), "127.0.0.1\tlocalhost")).isEqualTo(
                "# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost"
                        + "\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n");
    }

    @Test
    void singleIpOverloadKeepsWorkingForExistingCallers() {
        Pod p = pod(List.of());
        assertThat(HostsFile.content(p, null)).isEqualTo("# Kubernetes-managed hosts file.\n" + LOCAL);
        assertThat(HostsFile.content(p, "10.88.0.9")).isEqualTo("# Kubernetes-managed hosts file.\n" + LOCAL + "10.88.0.9\tpodFoo\n");
        p.getSpec().setSubdomain("sub");
        assertThat(HostsFile.content(p, "10.88.0.9")).endsWith("10.88.0.9\tpodFoo.sub.nsFoo.svc.cluster.local\tpodFoo\n");
        assertThat(HostsFile.hostname(p)).isEqualTo("podFoo");
    }
}
