package dev.peapod.network;

import dev.peapod.oci.JdkProcessRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The default configuration's shape with the real plugins of /usr/lib/cni (root). A network of
 * its own (peapodtest, bridge peapodtest0, 10.86.0.0/16) so that a running Peapod (peapod0,
 * 10.85.0.0/16) is never disturbed. Traffic stays between the host and the test namespaces, over
 * the bridge.
 */
class RealPluginsTest {
    static final DefaultCniConfig TEST_NET = new DefaultCniConfig("peapodtest", "peapodtest0", "10.86.0.0/16",
            "10.86.0.1", Path.of("/var/lib/cni/networks"));
    static final Path LEASES = Path.of("/var/lib/cni/networks/peapodtest");
    static Path runDir;
    static NetnsManager netns;
    static Path cacheDir;

    @BeforeAll
    static void setUp() throws IOException {
        RootHost.require();
        runDir = Files.createTempDirectory("peapod-cni-test");
        netns = NetnsManager.linux(runDir);
        cacheDir = runDir.resolve("cache");
    }

    static CniNetwork network() {
        return new CniNetwork(TEST_NET.toConfigList(), CniNetwork.Options.defaults(cacheDir), new JdkProcessRunner());
    }

    static AttachmentRequest request(String id) {
        return AttachmentRequest.of(id, netns.create(id)).withArgs(List.of(CniArg.IGNORE_UNKNOWN,
                new CniArg("K8S_POD_NAMESPACE", "default"), new CniArg("K8S_POD_NAME", id),
                new CniArg("K8S_POD_INFRA_CONTAINER_ID", id), new CniArg("K8S_POD_UID", "uid-" + id)));
    }

    @AfterEach
    void detachEverything() {
        CniNetwork network = network();
        network.cachedAttachments().forEach(a -> network.del(a.request()));
        netns.list().forEach(netns::remove);
    }

    @AfterAll
    static void cleanUp() {
        if (runDir == null) return;
        RootHost.sh("ip link del peapodtest0; rm -rf " + LEASES + "; umount " + runDir.resolve("netns") + "; rm -rf " + runDir);
    }

    @Test
    void addGivesEth0AnAddressOfTheSubnetThatTheHostReachesOverTheBridge() throws Exception {
        AttachmentRequest req = request("it-add");

        CniResult result = network().add(req);

        assertThat(result.cniVersion()).isEqualTo("1.0.0");
        assertThat(result.sandboxIps()).hasSize(1);
        String ip = result.sandboxIps().getFirst();
        assertThat(ip).startsWith("10.86.").isNotEqualTo("10.86.0.1");
        assertThat(result.ips().getFirst().gateway()).isEqualTo("10.86.0.1");
        assertThat(result.interfaces()).extracting(CniResult.Interface::name).contains("peapodtest0", "eth0");
        assertThat(RootHost.ok("nsenter --net=" + req.netns() + " ip -o -4 addr show dev eth0")).contains(ip + "/16");
        assertThat(RootHost.ok("nsenter --net=" + req.netns() + " ip route show default")).contains("via 10.86.0.1");
        // host -> pod (ICMP) and pod -> host (TCP to a socket the host bound on the bridge address first).
        assertThat(RootHost.ok("busybox ping -c 1 -W 2 " + ip)).contains("1 packets received");
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("10.86.0.1"), 0));
            var client = java.util.concurrent.CompletableFuture.supplyAsync(() -> RootHost.sh("echo hello | nsenter --net="
                    + req.netns() + " busybox nc -w 5 10.86.0.1 " + server.getLocalPort()));
            server.setSoTimeout(20_000);
            try (Socket s = server.accept()) {
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("hello");
            }
            assertThat(client.get().exitCode()).isZero();
        }
    }

    @Test
    void delReleasesTheLeaseTheVethTheRulesAndTheCacheAndCanRepeat() {
        AttachmentRequest req = request("it-del");
        CniResult result = network().add(req);
        String ip = result.sandboxIps().getFirst();
        String veth = result.hostInterfaces().stream().map(CniResult.Interface::name)
                .filter(n -> !n.equals("peapodtest0")).findFirst().orElseThrow();
        assertThat(Files.exists(LEASES.resolve(ip))).isTrue();
        assertThat(RootHost.sh("ip link show " + veth).exitCode()).isZero();
        assertThat(RootHost.ok("iptables -t nat -S")).contains("id: \\\"it-del\\\"");
        assertThat(RootHost.ok("iptables -S CNI-FORWARD")).contains(ip + "/32");

        network().del(req);

        assertThat(Files.exists(LEASES.resolve(ip))).isFalse();
        assertThat(RootHost.sh("ip link show " + veth).exitCode()).isNotZero();
        assertThat(RootHost.ok("iptables -t nat -S")).doesNotContain("it-del");
        assertThat(RootHost.ok("iptables -S CNI-FORWARD")).doesNotContain(ip + "/32");
        assertThat(network().cached("it-del", "eth0")).isEmpty();
        network().del(req);
        netns.remove("it-del");
        network().del(req);
    }

    @Test
    void delWorksFromTheCacheAloneInANewInstance() {
        AttachmentRequest req = request("it-cache");
        String ip = network().add(req).sandboxIps().getFirst();

        new CniNetwork(TEST_NET.toConfigList(), CniNetwork.Options.defaults(cacheDir), new JdkProcessRunner())
                .del(AttachmentRequest.of("it-cache", null));

        assertThat(Files.exists(LEASES.resolve(ip))).isFalse();
        assertThat(RootHost.ok("ip -o link show master peapodtest0")).isBlank();
        assertThat(RootHost.ok("iptables -t nat -S")).doesNotContain("it-cache");
    }

    @Test
    void checkPassesOnAFreshAttachmentAndFailsOnceEth0NoLongerMatches() {
        AttachmentRequest req = request("it-check");
        network().add(req);

        network().check(req);

        // A changed MAC, not a deleted eth0: bridge 1.1.1 finds the addresses whose masquerade
        // rules it removes on DEL on eth0 itself, so DEL after deleting eth0 would leak them.
        RootHost.ok("nsenter --net=" + req.netns() + " ip link set eth0 address 02:00:00:00:00:01");
        CniException e = catchThrowableOfType(CniException.class, () -> network().check(req));
        assertThat(e.plugin()).isEqualTo("bridge");
        assertThat(e.command()).isEqualTo("CHECK");
        assertThat(e).hasMessageStartingWith("failed to check pod network (plugin bridge): ");
    }

    @Test
    void hostPortsBecomeDnatRulesThatDelRemoves() {
        AttachmentRequest req = request("it-port").withPortMappings(List.of(new PortMapping(18086, 80, "tcp", "")));
        String ip = network().add(req).sandboxIps().getFirst();

        assertThat(RootHost.ok("iptables -t nat -S")).contains("--to-destination " + ip + ":80");

        network().del(AttachmentRequest.of("it-port", null));
        assertThat(RootHost.ok("iptables -t nat -S")).doesNotContain(ip + ":80").doesNotContain("it-port");
    }

    @Test
    void aPluginErrorIsReportedInItsOwnWordsAndTheFailedAddLeavesNothing() {
        String broken = TEST_NET.toConfigList().toJson().toString().replace("\"host-local\"", "\"no-such-ipam\"");
        CniNetwork network = new CniNetwork(NetworkConfigList.fromConflist(broken), CniNetwork.Options.defaults(cacheDir),
                new JdkProcessRunner());

        CniException e = catchThrowableOfType(CniException.class, () -> network.add(request("it-fail")));

        assertThat(e.plugin()).isEqualTo("bridge");
        assertThat(e.code()).isPositive();
        assertThat(e).hasMessageStartingWith("failed to set up pod network (plugin bridge): ")
                .hasMessageContaining("no-such-ipam");
        assertLeakFree();
    }

    @Test
    void aFailureLaterInTheChainRollsBackTheEarlierPlugins() {
        AttachmentRequest req = request("it-rollback").withCapability("portMappings",
                CniJson.MAPPER.createArrayNode().add(CniJson.parseObject("{\"hostPort\":-1,\"containerPort\":80,\"protocol\":\"tcp\"}")));

        assertThatThrownBy(() -> network().add(req))
                .isInstanceOf(CniException.class)
                .hasMessageStartingWith("failed to set up pod network (plugin portmap): ");
        assertLeakFree();
    }

    /** 50 ADD/DEL cycles: nothing stays behind. Prints the mean cost of each step. */
    @Test
    void fiftyCyclesLeaveNoLeasesVethsRulesOrNamespaces() {
        int cycles = 50;
        long create = 0, add = 0, del = 0, remove = 0;
        CniNetwork network = network();
        for (int i = 0; i < cycles; i++) {
            String id = "it-cycle-" + i;
            long t0 = System.nanoTime();
            Path ns = netns.create(id);
            long t1 = System.nanoTime();
            network.add(AttachmentRequest.of(id, ns).withPortMappings(List.of(new PortMapping(18100 + i, 80, "tcp", ""))));
            long t2 = System.nanoTime();
            network.del(AttachmentRequest.of(id, ns));
            long t3 = System.nanoTime();
            netns.remove(id);
            long t4 = System.nanoTime();
            create += t1 - t0; add += t2 - t1; del += t3 - t2; remove += t4 - t3;
        }
        System.out.printf("[cni cost] mean of %d cycles: netns create %.2f ms, ADD %.2f ms, DEL %.2f ms, netns remove %.2f ms%n",
                cycles, create / 1e6 / cycles, add / 1e6 / cycles, del / 1e6 / cycles, remove / 1e6 / cycles);
        assertLeakFree();
    }

    /** Eight attachments set up and torn down at once, starting without a bridge: distinct addresses, no leftovers. */
    @Test
    void parallelAttachmentsGetDistinctAddressesAndLeaveNothing() throws Exception {
        RootHost.sh("ip link del peapodtest0");
        CniNetwork network = network();
        List<java.util.concurrent.Future<String>> ips = new java.util.ArrayList<>();
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                String id = "it-par-" + i;
                ips.add(executor.submit(() -> network.add(request(id)).sandboxIps().getFirst()));
            }
        }
        List<String> addresses = new java.util.ArrayList<>();
        for (var f : ips) addresses.add(f.get());
        assertThat(addresses).doesNotHaveDuplicates().hasSize(8);

        List<java.util.concurrent.Future<?>> dels = new java.util.ArrayList<>();
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                String id = "it-par-" + i;
                dels.add(executor.submit(() -> {
                    network.del(AttachmentRequest.of(id, null));
                    netns.remove(id);
                }));
            }
        }
        for (var f : dels) f.get();
        assertLeakFree();
        assertThat(netns.list()).isEmpty();
    }

    static void assertLeakFree() {
        try (Stream<Path> s = Files.list(LEASES)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .as("host-local leases").allMatch(n -> n.equals("lock") || n.startsWith("last_reserved_ip"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(RootHost.ok("ip -o link show master peapodtest0 2>/dev/null || true")).as("veths on the bridge").isBlank();
        assertThat(RootHost.ok("ip -o link show type veth")).as("veths").doesNotContain("peapodtest0");
        assertThat(RootHost.ok("iptables -t nat -S")).as("nat rules").doesNotContain("it-");
        assertThat(RootHost.ok("iptables -S")).as("filter rules").doesNotContain("10.86.");
        assertThat(network().cachedAttachments()).as("cached attachments").isEmpty();
    }
}
