package dev.peapod.e2e;

import dev.peapod.node.ConfigSource;
import dev.peapod.node.NodeConfig;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pod networking with the real CNI plugins: every pod has its own IP on a bridge (the harness's own
 * network, {@link Harness#BRIDGE}, laid out like the default peapod0 one).
 * All traffic stays on this machine: loopback, the bridge and the pods' own namespaces.
 */
class NetworkE2eTest {
    static final String WEB = """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s}
            spec:
              containers:
              - name: web
                image: peapod/busybox:latest
                ports: [{containerPort: 8080%s}]
                command: ["sh", "-c", "mkdir -p /www && echo hello from %s > /www/index.html && trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]
            """;

    @Test
    void eachPodHasItsOwnIpReachableFromTheHostAndFromAnotherPod() throws Exception {
        try (var h = new Harness()) {
            Pod a = h.run(WEB.formatted("web-a", "", "web-a"));
            Pod b = h.run(WEB.formatted("web-b", "", "web-b")); // the same containerPort in another pod
            String ipA = awaitIp(h, a);
            String ipB = awaitIp(h, b);
            assertThat(ipA).startsWith("10.87.").isNotEqualTo(ipB);
            assertThat(h.latest(a).getStatus().getPodIPs()).extracting(p -> p.getIp()).containsExactly(ipA);
            assertThat(get("http://" + ipA + ":8080/")).isEqualTo("hello from web-a\n");
            assertThat(get("http://" + ipB + ":8080/")).isEqualTo("hello from web-b\n");

            Pod client = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: client}
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: c
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "wget -q -O - http://%s:8080/; ip -o -4 addr show eth0 | awk '{print $4}'; grep -c '%s' /etc/hosts"]
                    """.formatted(ipA, "client"));
            Pod done = h.awaitFinished(client, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            var lines = h.logs(client, "c");
            assertThat(lines.get(0)).isEqualTo("hello from web-a");
            assertThat(lines.get(1)).startsWith(done.getStatus().getPodIP() + "/");
            assertThat(lines.get(2)).isEqualTo("1"); // the pod IP line names the pod
        }
    }

    @Test
    void hostPortIsReachableOnTheHostAndAClashIsRejected() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run(WEB.formatted("published", ", hostPort: 18080", "published"));
            awaitIp(h, pod);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> get("http://127.0.0.1:18080/").equals("hello from published\n"));
            String hostIp = h.latest(pod).getStatus().getHostIP();
            assertThat(get("http://" + hostIp + ":18080/")).isEqualTo("hello from published\n");

            Pod clash = h.run(WEB.formatted("clash", ", hostPort: 18080", "clash"));
            await().atMost(Duration.ofSeconds(10)).until(() -> h.latest(clash) != null
                    && "Failed".equals(h.latest(clash).getStatus().getPhase()));
            assertThat(h.latest(clash).getStatus().getReason()).isEqualTo("NodePorts");
            assertThat(h.latest(clash).getStatus().getMessage()).contains("18080").contains("default/published");
        }
    }

    @Test
    void hostNetworkPodsShareTheHostsNetworkAndHostname() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: on-host}
                    spec:
                      restartPolicy: Never
                      hostNetwork: true
                      containers:
                      - name: c
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "hostname; readlink /proc/self/ns/net"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            String hostHostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            String hostNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            assertThat(h.logs(pod, "c")).containsExactly(hostHostname, hostNet);
            assertThat(done.getStatus().getPodIP()).isEqualTo(done.getStatus().getHostIP());
        }
    }

    @Test
    void resolvConfAndHostsFollowDnsPolicyDnsConfigHostAliasesAndSubdomain() throws Exception {
        try (var h = new Harness()) {
            Pod pod = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: dns, namespace: team}
                    spec:
                      restartPolicy: Never
                      hostname: box
                      subdomain: group
                      dnsPolicy: "None"
                      dnsConfig:
                        nameservers: ["192.0.2.53"]
                        searches: ["team.example"]
                        options: [{name: ndots, value: "2"}]
                      hostAliases:
                      - {ip: "192.0.2.10", hostnames: ["db.local", "db"]}
                      containers:
                      - name: c
                        image: peapod/busybox:latest
                        command: ["sh", "-c", "cat /etc/resolv.conf; echo ---; tail -n 5 /etc/hosts; echo ---; hostname"]
                    """);
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
            String ip = done.getStatus().getPodIP();
            assertThat(h.logs(pod, "c")).containsExactly(
                    "search team.example", "nameserver 192.0.2.53", "options ndots:2", "---",
                    "fe00::2\tip6-allrouters",
                    ip + "\tbox.group.team.svc.cluster.local\tbox",
                    "",
                    "# Entries added by HostAliases.",
                    "192.0.2.10\tdb.local\tdb",
                    "---", "box");

            Pod fallback = h.run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: cluster-first}
                    spec:
                      restartPolicy: Never
                      containers:
                      - {name: c, image: peapod/busybox:latest, command: ["cat", "/etc/resolv.conf"]}
                    """);
            h.awaitFinished(fallback, Duration.ofSeconds(60));
            assertThat(h.listener.events(fallback.getMetadata().getUid(), "MissingClusterDNS")).isNotEmpty();
            List<String> hostServers = Files.readAllLines(Path.of("/etc/resolv.conf")).stream()
                    .filter(l -> l.startsWith("nameserver")).toList();
            assertThat(h.logs(fallback, "c")).containsAll(hostServers);
        }
    }

    @Test
    void aFailingPluginLeavesNothingBehindAndIsReported() throws Exception {
        Path conf = Files.createTempDirectory("peapod-e2e-cni");
        Files.writeString(conf.resolve("10-broken.conflist"), """
                {"cniVersion": "1.0.0", "name": "broken", "plugins": [{"type": "no-such-plugin"}]}
                """);
        var config = Harness.defaultConfig().withCniConfigDir(conf);
        try (var h = new Harness(config, ConfigSource.EMPTY)) {
            Pod pod = h.run(WEB.formatted("no-network", "", "x"));
            await().atMost(Duration.ofSeconds(20)).until(() -> !h.listener.events(pod.getMetadata().getUid(), "FailedCreatePodSandBox").isEmpty());
            assertThat(h.listener.events(pod.getMetadata().getUid(), "FailedCreatePodSandBox").getFirst().message())
                    .contains("no-such-plugin");
            assertThat(Path.of(config.runDir() + "/netns")).satisfiesAnyOf(
                    p -> assertThat(p).doesNotExist(), p -> assertThat(Files.list(p)).isEmpty());
        } finally {
            new ProcessBuilder("rm", "-rf", conf.toString()).start().waitFor();
        }
    }

    @Test
    void twoHundredCreateDeleteCyclesLeaveNoLeasesVethsOrNamespaces() throws Exception {
        try (var h = new Harness()) {
            var ips = new ArrayList<String>();
            for (int batch = 0; batch < 20; batch++) {
                var pods = new ArrayList<Pod>();
                for (int i = 0; i < 10; i++) {
                    pods.add(h.run("""
                            apiVersion: v1
                            kind: Pod
                            metadata: {name: cycle-%d-%d}
                            spec:
                              restartPolicy: Never
                              containers:
                              - {name: c, image: peapod/busybox:latest, command: ["true"]}
                            """.formatted(batch, i)));
                }
                for (Pod p : pods) {
                    Pod done = h.awaitFinished(p, Duration.ofSeconds(60));
                    assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
                    ips.add(done.getStatus().getPodIP());
                    h.remove(done);
                }
            }
            assertThat(ips).hasSize(200).doesNotContainNull();
        }
    }

    private static String awaitIp(Harness h, Pod pod) {
        await().atMost(Duration.ofSeconds(30)).until(() -> h.latest(pod) != null && h.latest(pod).getStatus().getPodIP() != null
                && RestartAndTerminationE2eTest.allRunning(h.latest(pod)));
        return h.latest(pod).getStatus().getPodIP();
    }

    static String get(String url) throws Exception {
        try (var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            var response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.body();
        }
    }
}
