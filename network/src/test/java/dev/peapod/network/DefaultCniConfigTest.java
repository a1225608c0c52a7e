package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultCniConfigTest {
    @TempDir Path dir;

    @Test
    void theDefaultNetworkIsABridgeWithHostLocalPortmapAndFirewall() {
        NetworkConfigList list = DefaultCniConfig.PEAPOD.toConfigList();

        assertThat(list.name()).isEqualTo("peapod");
        assertThat(list.cniVersion()).isEqualTo("1.0.0");
        assertThat(list.plugins()).extracting(PluginConfig::type).containsExactly("bridge", "portmap", "firewall");
        ObjectNode bridge = list.plugins().get(0).raw();
        assertThat(bridge).isEqualTo(CniJson.parseObject("""
                {"type":"bridge","bridge":"peapod0","isGateway":true,"ipMasq":true,"hairpinMode":true,
                 "ipam":{"type":"host-local","ranges":[[{"subnet":"10.85.0.0/16","gateway":"10.85.0.1"}]],
                         "routes":[{"dst":"0.0.0.0/0"}],"dataDir":"/var/lib/cni/networks"}}"""));
        assertThat(list.plugins().get(1).capabilities()).containsExactly("portMappings");
        assertThat(list.plugins().get(0).capabilities()).isEmpty();
    }

    @Test
    void itIsWrittenOnceIntoAnEmptyDirectoryAndReadBackAsItself() throws Exception {
        Path conf = dir.resolve("net.d");

        Path written = DefaultCniConfig.PEAPOD.writeIfAbsent(conf).orElseThrow();

        assertThat(written).isEqualTo(conf.resolve("10-peapod.conflist"));
        assertThat(CniConfigDir.require(conf).config()).isEqualTo(DefaultCniConfig.PEAPOD.toConfigList());
        assertThat(DefaultCniConfig.PEAPOD.writeIfAbsent(conf)).isEmpty();
        try (Stream<Path> files = Files.list(conf)) {
            assertThat(files).containsExactly(written); // no temp file left
        }
    }

    @Test
    void anExistingConfigurationIsLeftAlone() throws Exception {
        Files.writeString(dir.resolve("99-mine.conf"), "{\"cniVersion\":\"1.0.0\",\"name\":\"mine\",\"type\":\"ptp\"}");

        assertThat(DefaultCniConfig.PEAPOD.writeIfAbsent(dir)).isEmpty();
        assertThat(Files.exists(dir.resolve("10-peapod.conflist"))).isFalse();
    }
}
