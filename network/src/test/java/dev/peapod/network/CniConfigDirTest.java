package dev.peapod.network;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniConfigDirTest {
    @TempDir Path dir;

    static String conflist(String name) {
        return """
                {"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"bridge","bridge":"br-%s"},
                 {"type":"portmap","capabilities":{"portMappings":true}}]}""".formatted(name, name);
    }

    @Test
    void theFirstFileByNameWinsWhateverItsExtension() throws Exception {
        Files.writeString(dir.resolve("20-b.conflist"), conflist("b"));
        Files.writeString(dir.resolve("10-a.conf"), """
                {"cniVersion":"0.4.0","name":"a","type":"bridge","bridge":"br-a"}""");
        Files.writeString(dir.resolve("05-ignored.txt"), "not a config");
        Files.createDirectories(dir.resolve("00-dir.conflist"));

        CniConfigDir.Selection selection = CniConfigDir.selectFirst(dir).orElseThrow();

        assertThat(selection.file()).isEqualTo(dir.resolve("10-a.conf"));
        assertThat(selection.config().name()).isEqualTo("a");
        assertThat(selection.config().cniVersion()).isEqualTo("0.4.0");
        assertThat(selection.config().plugins()).singleElement().extracting(PluginConfig::type).isEqualTo("bridge");
        assertThat(selection.skipped()).isEmpty();
        assertThat(CniConfigDir.configFiles(dir)).extracting(p -> p.getFileName().toString())
                .containsExactly("10-a.conf", "20-b.conflist");
    }

    @Test
    void filesSortByteWiseSoUppercaseComesFirst() throws Exception {
        Files.writeString(dir.resolve("a.conflist"), conflist("lower"));
        Files.writeString(dir.resolve("B.conflist"), conflist("upper"));

        assertThat(CniConfigDir.selectFirst(dir).orElseThrow().config().name()).isEqualTo("upper");
    }

    @Test
    void brokenFilesAreSkippedAndReported() throws Exception {
        Files.writeString(dir.resolve("01-broken.conflist"), "{not json");
        Files.writeString(dir.resolve("02-noplugins.conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[]}");
        Files.writeString(dir.resolve("03-good.conflist"), conflist("good"));

        CniConfigDir.Selection selection = CniConfigDir.selectFirst(dir).orElseThrow();

        assertThat(selection.config().name()).isEqualTo("good");
        assertThat(selection.skipped()).hasSize(2);
        assertThat(selection.skipped().get(0)).startsWith("01-broken.conflist: failed to parse ").contains("invalid JSON");
        assertThat(selection.skipped().get(1)).endsWith("no plugins in list");
    }

    @Test
    void anEmptyOrMissingDirectoryHasNoConfiguration() {
        assertThat(CniConfigDir.selectFirst(dir)).isEmpty();
        assertThat(CniConfigDir.selectFirst(dir.resolve("absent"))).isEmpty();
        assertThatThrownBy(() -> CniConfigDir.require(dir))
                .isInstanceOf(NetworkException.class)
                .hasMessage("failed to load CNI configuration from " + dir + ": no .conflist, .conf or .json file");
    }

    @Test
    void requireSaysWhyNothingWasUsable() throws Exception {
        Files.writeString(dir.resolve("1.conflist"), "{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"bridge\"}]}");

        assertThatThrownBy(() -> CniConfigDir.require(dir))
                .isInstanceOf(NetworkException.class)
                .hasMessage("failed to load CNI configuration from " + dir + ": 1.conflist: failed to parse "
                        + dir.resolve("1.conflist") + ": network name is missing");
    }

    @Test
    void conflistFieldsAreParsedAndValidated() {
        NetworkConfigList list = NetworkConfigList.fromConflist(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n.1_x-y\",\"disableCheck\":\"TRUE\",\"plugins\":[{\"type\":\"bridge\",\"x\":[1,2]}]}");
        assertThat(list.disableCheck()).isTrue();
        assertThat(list.plugins().getFirst().raw().get("x").toString()).isEqualTo("[1,2]");

        for (var bad : List.of(
                List.of("{\"cniVersion\":\"1.0.0\",\"name\":\"-x\",\"plugins\":[{\"type\":\"bridge\"}]}", "network name '-x' is invalid"),
                List.of("{\"name\":\"x\",\"plugins\":[{\"type\":\"bridge\"}]}", "cniVersion is missing"),
                List.of("{\"cniVersion\":\"one\",\"name\":\"x\",\"plugins\":[{\"type\":\"bridge\"}]}", "cniVersion 'one' is invalid"),
                List.of("{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"type\":\"../bin/sh\"}]}", "plugin 0: plugin type '../bin/sh' is invalid"),
                List.of("{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"bridge\":\"b\"}]}", "plugin 0: plugin type is missing"),
                List.of("{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"disableCheck\":\"maybe\",\"plugins\":[{\"type\":\"b\"}]}",
                        "disableCheck is neither true nor false: \"maybe\""),
                List.of("{\"cniVersion\":\"1.0.0\",\"name\":\"x\"}", "no 'plugins' list"),
                List.of("[]", "not a JSON object"))) {
            assertThatThrownBy(() -> NetworkConfigList.fromConflist(bad.get(0)))
                    .as(bad.get(0)).isInstanceOf(IllegalArgumentException.class).hasMessage(bad.get(1));
        }
    }

    @Test
    void aConfFileWithAPluginListIsRejected() {
        assertThatThrownBy(() -> NetworkConfigList.fromSingleConf(conflist("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one plugin");
    }

    @Test
    void capabilitiesAreThoseDeclaredTrue() {
        PluginConfig plugin = PluginConfig.of(CniJson.parseObject(
                "{\"type\":\"p\",\"capabilities\":{\"portMappings\":true,\"mac\":false,\"bandwidth\":\"yes\"}}"));

        assertThat(plugin.capabilities()).containsExactly("portMappings");
    }

    @Test
    void pluginConfigsCannotBeChangedThroughTheirJson() {
        PluginConfig plugin = PluginConfig.of(CniJson.parseObject("{\"type\":\"p\"}"));
        plugin.raw().put("type", "q");
        assertThat(plugin.raw().get("type").asText()).isEqualTo("p");
    }
}
