package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Section 3 of the spec, "Deriving execution configuration from plugin configuration". */
class ExecConfigTest {
    static final NetworkConfigList LIST = NetworkConfigList.fromConflist("""
            {"cniVersion":"1.0.0","name":"dbnet","plugins":[
              {"type":"tuning","name":"own","cniVersion":"0.3.1","capabilities":{"mac":true,"portMappings":false},
               "sysctl":{"net.core.somaxconn":"500"},"runtimeConfig":{"stale":1},"prevResult":{"stale":1}},
              {"type":"portmap","capabilities":{"portMappings":true}}]}""");
    static final Map<String, JsonNode> CAPS = Map.of(
            "portMappings", CniJson.MAPPER.valueToTree(List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp"))),
            "mac", CniJson.MAPPER.valueToTree("00:11:22:33:44:66"),
            "bandwidth", CniJson.MAPPER.valueToTree(Map.of("ingressRate", 1)));

    @Test
    void theSpecsTuningExample() {
        ObjectNode prev = CniJson.parseObject("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.0.5/16\"}]}");

        ObjectNode conf = ExecConfig.derive(LIST, LIST.plugins().get(0), prev, CAPS);

        assertThat(conf).isEqualTo(CniJson.parseObject("""
                {"type":"tuning","name":"dbnet","cniVersion":"1.0.0","sysctl":{"net.core.somaxconn":"500"},
                 "runtimeConfig":{"mac":"00:11:22:33:44:66"},
                 "prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/16"}]}}"""));
        assertThat(conf.propertyStream().map(Map.Entry::getKey))
                .as("original fields keep their order").startsWith("type", "name", "cniVersion", "sysctl");
    }

    @Test
    void noRuntimeConfigOrPrevResultWhenThereIsNothingToGive() {
        ObjectNode conf = ExecConfig.derive(LIST, LIST.plugins().get(0), null, Map.of("portMappings", CAPS.get("portMappings")));

        assertThat(conf.has("runtimeConfig")).isFalse();
        assertThat(conf.has("prevResult")).isFalse();
        assertThat(conf.has("capabilities")).isFalse();
    }

    @Test
    void onlyDeclaredCapabilitiesReachThePlugin() {
        ObjectNode conf = ExecConfig.derive(LIST, LIST.plugins().get(1), null, CAPS);

        assertThat(conf.get("runtimeConfig").propertyStream().map(Map.Entry::getKey)).containsExactly("portMappings");
    }

    @Test
    void derivingDoesNotChangeTheInputs() {
        ObjectNode prev = CniJson.parseObject("{\"ips\":[]}");
        ((ObjectNode) ExecConfig.derive(LIST, LIST.plugins().get(1), prev, CAPS).get("prevResult")).put("changed", true);

        assertThat(prev.has("changed")).isFalse();
        assertThat(LIST.plugins().get(1).raw().has("capabilities")).isTrue();
    }
}
