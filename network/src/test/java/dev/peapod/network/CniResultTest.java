package dev.peapod.network;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniResultTest {
    /** What bridge 1.1.1 printed on this host. */
    static final String BRIDGE = """
            {"cniVersion":"1.0.0",
             "interfaces":[{"name":"pscratch0","mac":"06:b5:5a:38:00:d7"},{"name":"vethd497a6b1","mac":"fe:69:07:64:51:9d"},
                           {"name":"eth0","mac":"f2:dc:71:ab:81:ae","sandbox":"/run/netns/scratch1"}],
             "ips":[{"interface":2,"address":"10.87.0.2/16","gateway":"10.87.0.1"}],
             "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""";

    @Test
    void aBridgeResult() {
        CniResult r = CniResult.parse(CniJson.parseObject(BRIDGE));

        assertThat(r.cniVersion()).isEqualTo("1.0.0");
        assertThat(r.interfaces()).containsExactly(new CniResult.Interface("pscratch0", "06:b5:5a:38:00:d7", ""),
                new CniResult.Interface("vethd497a6b1", "fe:69:07:64:51:9d", ""),
                new CniResult.Interface("eth0", "f2:dc:71:ab:81:ae", "/run/netns/scratch1"));
        assertThat(r.ips()).containsExactly(new CniResult.IpConfig("10.87.0.2/16", "10.87.0.1", 2));
        assertThat(r.routes()).containsExactly(new CniResult.Route("0.0.0.0/0", ""));
        assertThat(r.dns().nameservers()).isEmpty();
        assertThat(r.sandboxIps()).containsExactly("10.87.0.2");
        assertThat(r.hostInterfaces()).extracting(CniResult.Interface::name).containsExactly("pscratch0", "vethd497a6b1");
        assertThat(r.raw()).isEqualTo(CniJson.parseObject(BRIDGE));
    }

    @Test
    void dualStackAnd040ResultsWithDns() {
        CniResult r = CniResult.parse(CniJson.parseObject("""
                {"cniVersion":"0.4.0","interfaces":[{"name":"cni0"},{"name":"eth0","sandbox":"/x"}],
                 "ips":[{"version":"4","address":"10.1.0.5/24","interface":1},{"version":"6","address":"fd00::5/64","interface":1},
                        {"version":"4","address":"192.168.0.1/24","interface":0},{"address":"10.9.9.9/32"}],
                 "dns":{"nameservers":["10.1.0.1"],"domain":"cluster.local","search":["a","b"],"options":["ndots:5"]}}"""));

        assertThat(r.sandboxIps()).containsExactly("10.1.0.5", "fd00::5", "10.9.9.9");
        assertThat(r.dns()).isEqualTo(new CniResult.Dns(java.util.List.of("10.1.0.1"), "cluster.local",
                java.util.List.of("a", "b"), java.util.List.of("ndots:5")));
    }

    @Test
    void malformedResultsAreRejected() {
        assertThatThrownBy(() -> CniResult.parse(CniJson.parseObject("{\"ip4\":{\"ip\":\"10.0.0.2/24\"}}")))
                .hasMessageContaining("pre-0.3.0");
        assertThatThrownBy(() -> CniResult.parse(CniJson.parseObject("{\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":3}]}")))
                .hasMessage("ip 10.0.0.2/24 names interface 3 of 0");
        assertThatThrownBy(() -> CniResult.parse(CniJson.parseObject("{\"ips\":[{\"gateway\":\"10.0.0.1\"}]}")))
                .hasMessage("an entry of 'ips' has no address");
        assertThatThrownBy(() -> CniResult.parse(CniJson.parseObject("{\"ips\":{}}")))
                .hasMessage("'ips' is not a list");
    }
}
