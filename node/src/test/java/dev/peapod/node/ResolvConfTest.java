package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/** Cases from kubelet's dns_test.go (TestParseResolvConf, TestGetPodDNSCustom, testGetPodDNS, the limit tests). */
class ResolvConfTest {
    private static final String HOST = "nameserver 8.8.8.8\nsearch host.domain\n";
    private static final ResolvConf.NodeDns CLUSTER = new ResolvConf.NodeDns(HOST, List.of("10.0.0.10"), "kubernetes.io");
    private static final ResolvConf.NodeDns NO_CLUSTER_DNS = new ResolvConf.NodeDns(HOST, List.of(), "cluster.local");
    private static final PodDNSConfig CUSTOM = new PodDNSConfig(List.of("10.0.0.11"),
            List.of(new PodDNSConfigOption("ndots", "3"), new PodDNSConfigOption("debug", null)), List.of("my.domain"));

    private static Pod pod(String policy, boolean hostNetwork, PodDNSConfig dnsConfig) {
        return new PodBuilder().withNewMetadata().withName("test_pod").withNamespace("testNS").withUid("u-1").endMetadata()
                .withNewSpec().withDnsPolicy(policy).withHostNetwork(hostNetwork).withDnsConfig(dnsConfig).endSpec().build();
    }

    static Stream<Arguments> parse() {
        return Stream.of(
                argumentSet("empty", "", List.of(), List.of(), List.of()),
                argumentSet("blank", " \n\t\n\t", List.of(), List.of(), List.of()),
                argumentSet("comments", "#comment\n #comment\n#comment", List.of(), List.of(), List.of()),
                argumentSet("search without domains", "#comment\nnameserver 1.2.3.4\nsearch", List.of("1.2.3.4"), List.of(), List.of()),
                argumentSet("leading and inner whitespace", " nameserver \t 1.2.3.4", List.of("1.2.3.4"), List.of(), List.of()),
                argumentSet("nameservers accumulate", "nameserver 1.2.3.4\nnameserver 5.6.7.8", List.of("1.2.3.4", "5.6.7.8"), List.of(), List.of()),
                argumentSet("trailing comment is ignored", "nameserver 1.2.3.4 #comment", List.of("1.2.3.4"), List.of(), List.of()),
                argumentSet("one trailing dot is dropped", "search foo. bar", List.of(), List.of("foo", "bar"), List.of()),
                argumentSet("last search wins", "search foo\nsearch bar", List.of(), List.of("bar"), List.of()),
                argumentSet("mixed", "nameserver 1.2.3.4\nsearch foo\nnameserver 5.6.7.8\nsearch bar\noptions ndots:5 attempts:4",
                        List.of("1.2.3.4", "5.6.7.8"), List.of("bar"), List.of("ndots:5", "attempts:4")),
                argumentSet("unknown lines are ignored", "#comment\nnameserver 1.2.3.4\n#comment\nsearch foo\ncomment",
                        List.of("1.2.3.4"), List.of("foo"), List.of()),
                argumentSet("last options wins", "options ndots:1\noptions ndots:5 attempts:3", List.of(), List.of(), List.of("ndots:5", "attempts:3")));
    }

    @ParameterizedTest
    @MethodSource("parse")
    void parsesLikeKubelet(String text, List<String> nameservers, List<String> searches, List<String> options) {
        assertThat(ResolvConf.parse(text)).isEqualTo(new ResolvConf.Parsed(nameservers, searches, options));
    }

    @Test
    void aNameserverLineWithoutAddressIsAnError() {
        assertThatThrownBy(() -> ResolvConf.parse("#comment\nnameserver\nsearch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failed to parse host resolv.conf: nameserver list is empty");
        // kubelet reads the host file before it looks at the policy, so even None fails.
        var bad = new ResolvConf.NodeDns("nameserver\n", List.of(), "cluster.local");
        assertThatThrownBy(() -> ResolvConf.forPod(pod("None", false, CUSTOM), bad)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> policies() {
        var clusterSearch = List.of("testNS.svc.kubernetes.io", "svc.kubernetes.io", "kubernetes.io", "host.domain", "my.domain");
        return Stream.of(
                argumentSet("None with dnsConfig: only dnsConfig", pod("None", false, new PodDNSConfig(List.of("203.0.113.1"),
                                List.of(new PodDNSConfigOption("ndots", "3"), new PodDNSConfigOption("debug", null)),
                                List.of("my.domain", "second.domain"))),
                        List.of("203.0.113.1"), List.of("my.domain", "second.domain"), List.of("ndots:3", "debug")),
                argumentSet("ClusterFirst with dnsConfig: merged, pod's ndots wins", pod("ClusterFirst", false, CUSTOM),
                        List.of("10.0.0.10", "10.0.0.11"), clusterSearch, List.of("ndots:3", "debug")),
                argumentSet("ClusterFirstWithHostNet on hostNetwork: cluster DNS", pod("ClusterFirstWithHostNet", true, CUSTOM),
                        List.of("10.0.0.10", "10.0.0.11"), clusterSearch, List.of("ndots:3", "debug")),
                argumentSet("Default with dnsConfig: host settings plus dnsConfig", pod("Default", false, CUSTOM),
                        List.of("8.8.8.8", "10.0.0.11"), List.of("host.domain", "my.domain"), List.of("ndots:3", "debug")),
                argumentSet("ClusterFirst without dnsConfig: ndots:5", pod("ClusterFirst", false, null),
                        List.of("10.0.0.10"), List.of("testNS.svc.kubernetes.io", "svc.kubernetes.io", "kubernetes.io", "host.domain"),
                        List.of("ndots:5")),
                argumentSet("ClusterFirst on hostNetwork falls back to Default", pod("ClusterFirst", true, null),
                        List.of("8.8.8.8"), List.of("host.domain"), List.of()),
                argumentSet("unset policy reads as ClusterFirst", pod(null, false, null),
                        List.of("10.0.0.10"), List.of("testNS.svc.kubernetes.io", "svc.kubernetes.io", "kubernetes.io", "host.domain"),
                        List.of("ndots:5")));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void appliesThePolicy(Pod pod, List<String> servers, List<String> searches, List<String> options) {
        var r = ResolvConf.forPod(pod, CLUSTER);
        assertThat(r.nameservers()).isEqualTo(servers);
        assertThat(r.searches()).isEqualTo(searches);
        assertThat(r.options()).isEqualTo(options);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void rendersSearchThenNameserversThenOptionsLikeContainerd() {
        assertThat(ResolvConf.forPod(pod("ClusterFirst", false, CUSTOM), CLUSTER).content()).isEqualTo("""
                search testNS.svc.kubernetes.io svc.kubernetes.io kubernetes.io host.domain my.domain
                nameserver 10.0.0.10
                nameserver 10.0.0.11
                options ndots:3 debug
                """);
    }

    @Test
    void clusterFirstWithoutClusterDnsFallsBackToTheHostWithAWarning() {
        var r = ResolvConf.forPod(pod("ClusterFirst", false, null), NO_CLUSTER_DNS);
        assertThat(r.content()).isEqualTo("search host.domain\nnameserver 8.8.8.8\n");
        assertThat(r.warnings()).containsExactly(new ResolvConf.Warning("MissingClusterDNS",
                "pod: \"test_pod_testNS(u-1)\". kubelet does not have ClusterDNS IP configured and cannot create Pod"
                        + " using \"ClusterFirst\" policy. Falling back to \"Default\" policy."));
        // ClusterFirstWithHostNet takes the same path; Default and hostNetwork ClusterFirst never warn.
        assertThat(ResolvConf.forPod(pod("ClusterFirstWithHostNet", true, null), NO_CLUSTER_DNS).warnings()).hasSize(1);
        assertThat(ResolvConf.forPod(pod("Default", false, null), NO_CLUSTER_DNS).warnings()).isEmpty();
        assertThat(ResolvConf.forPod(pod("ClusterFirst", true, null), NO_CLUSTER_DNS).warnings()).isEmpty();
    }

    @Test
    void emptyResolverConfigMeansLocalhost() {
        // testGetPodDNS with --resolv-conf="": host policies get 127.0.0.1 and "search .".
        var node = new ResolvConf.NodeDns(null, List.of("203.0.113.1"), "kubernetes.io");
        var dflt = ResolvConf.forPod(pod("Default", true, null), node);
        assertThat(dflt.nameservers()).containsExactly("127.0.0.1");
        assertThat(dflt.searches()).containsExactly(".");
        assertThat(ResolvConf.forPod(pod("ClusterFirst", true, null), node).content()).isEqualTo("search .\nnameserver 127.0.0.1\n");
        var cluster = ResolvConf.forPod(pod("ClusterFirstWithHostNet", true, null), node);
        assertThat(cluster.nameservers()).containsExactly("203.0.113.1");
        assertThat(cluster.searches()).containsExactly("testNS.svc.kubernetes.io", "svc.kubernetes.io", "kubernetes.io");
    }

    @Test
    void hostOptionsPassVerbatimWithoutDnsConfigAndMergeWithIt() {
        var node = new ResolvConf.NodeDns("nameserver 1.1.1.1\noptions ndots:2 debug ndots:2\n", List.of(), "");
        assertThat(ResolvConf.forPod(pod("Default", false, null), node).options()).containsExactly("ndots:2", "debug", "ndots:2");
        var merged = ResolvConf.forPod(pod("Default", false, new PodDNSConfig(null,
                List.of(new PodDNSConfigOption("single-request", null), new PodDNSConfigOption("debug", ""),
                        new PodDNSConfigOption("ndots", "1")), null)), node);
        assertThat(merged.options()).containsExactly("ndots:1", "debug", "single-request");
    }

    @Test
    void noClusterDomainMeansNoClusterSearchPaths() {
        var node = new ResolvConf.NodeDns(HOST, List.of("10.0.0.10"), "");
        assertThat(ResolvConf.forPod(pod("ClusterFirst", false, null), node).searches()).containsExactly("host.domain");
    }

    @Test
    void nothingSetCopiesTheHostFileLikeContainerd() {
        var node = new ResolvConf.NodeDns("# empty host file\n", List.of(), "");
        assertThat(ResolvConf.forPod(pod("Default", false, null), node).content()).isEqualTo("# empty host file\n");
    }

    @Test
    void atMostThreeNameservers() {
        var r = ResolvConf.forPod(pod("Default", false, new PodDNSConfig(List.of("10.0.0.10", "8.8.8.8", "1.2.3.4"), null, null)),
                new ResolvConf.NodeDns("nameserver 127.0.0.1\n", List.of(), ""));
        assertThat(r.nameservers()).containsExactly("127.0.0.1", "10.0.0.10", "8.8.8.8");
        assertThat(r.warnings()).containsExactly(new ResolvConf.Warning("DNSConfigForming", "Nameserver limits were exceeded,"
                + " some nameservers have been omitted, the applied nameserver line is: 127.0.0.1 10.0.0.10 8.8.8.8"));
    }

    private static List<String> searchLimits(List<String> hostSearches) {
        var r = ResolvConf.forPod(pod("Default", false, null),
                new ResolvConf.NodeDns("search " + String.join(" ", hostSearches) + "\n", List.of(), ""));
        assertThat(r.warnings()).allMatch(w -> w.reason().equals("DNSConfigForming"));
        return r.warnings().stream().map(ResolvConf.Warning::message).toList();
    }

    private static String applied(List<String> searches) {
        return "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: "
                + String.join(" ", searches);
    }

    @Test
    void searchPathLimits() {
        var base = List.of("testNS.svc.TEST", "svc.TEST", "TEST", "AAA", "BBB");
        assertThat(searchLimits(base)).isEmpty();

        var withLong = new ArrayList<>(base.subList(0, 4));
        withLong.add("B".repeat(256));
        withLong.add("BBB");
        assertThat(searchLimits(withLong)).containsExactly(applied(base));

        var thirtyTwo = new ArrayList<>(List.of("testNS.svc.TEST", "svc.TEST", "TEST"));
        IntStream.rangeClosed(4, 32).forEach(i -> thirtyTwo.add(Integer.toString(i)));
        assertThat(searchLimits(thirtyTwo)).isEmpty();
        var thirtyThree = new ArrayList<>(thirtyTwo);
        thirtyThree.add("33");
        assertThat(searchLimits(thirtyThree)).containsExactly(applied(thirtyTwo));

        // 2048 = 128 + 127 * 15 + 15 separators
        var line2048 = new ArrayList<String>();
        line2048.add("A".repeat(128));
        line2048.addAll(Collections.nCopies(15, "A".repeat(127)));
        assertThat(String.join(" ", line2048)).hasSize(2048);
        assertThat(searchLimits(line2048)).isEmpty();
        var line2050 = new ArrayList<>(line2048);
        line2050.add("B");
        assertThat(searchLimits(line2050)).containsExactly(applied(line2048));
    }
}
