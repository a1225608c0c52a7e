package dev.peapod.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.network.FakePlugins.Call;
import dev.peapod.oci.JdkProcessRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The CNI protocol as a runtime speaks it, against fake plugin executables that record every call. */
class CniNetworkTest {
    static final String FIRST_RESULT = """
            {"cniVersion":"1.0.0",
             "interfaces":[{"name":"br0","mac":"aa:aa:aa:aa:aa:01"},{"name":"veth1","mac":"aa:aa:aa:aa:aa:02"},
                           {"name":"eth0","mac":"aa:aa:aa:aa:aa:03","sandbox":"/run/x/netns/c1"}],
             "ips":[{"address":"10.9.0.5/16","gateway":"10.9.0.1","interface":2}],
             "routes":[{"dst":"0.0.0.0/0"}],"dns":{},"extra":"kept"}""";
    static final String SECOND_RESULT = FIRST_RESULT.replace("aa:aa:aa:aa:aa:03", "bb:bb:bb:bb:bb:03");
    static final String LIST = """
            {"cniVersion":"1.0.0","name":"testnet","plugins":[
              {"type":"first","bridge":"br0","capabilities":{"portMappings":false}},
              {"type":"second","capabilities":{"portMappings":true,"mac":true},"custom":{"a":1}}]}""";

    @TempDir Path tmp;
    FakePlugins plugins;
    Path cacheDir;
    Path netns;
    Predicate<Path> live = p -> true;

    @BeforeEach
    void setUp() throws Exception {
        plugins = new FakePlugins(tmp).install("first").install("second");
        plugins.answer("first", "ADD", FIRST_RESULT).answer("second", "ADD", SECOND_RESULT);
        cacheDir = tmp.resolve("cache");
        netns = tmp.resolve("netns-c1");
    }

    CniNetwork network(String list) {
        var options = new CniNetwork.Options(List.of(tmp.resolve("nowhere"), plugins.bin()), cacheDir, Duration.ofSeconds(20));
        return new CniNetwork(NetworkConfigList.fromConflist(list), options, new JdkProcessRunner(), p -> live.test(p));
    }

    AttachmentRequest request() {
        return AttachmentRequest.of("c1", netns)
                .withArgs(List.of(CniArg.IGNORE_UNKNOWN, new CniArg("K8S_POD_NAMESPACE", "ns1"), new CniArg("K8S_POD_NAME", "web")))
                .withPortMappings(List.of(new PortMapping(8080, 80, "TCP", ""), new PortMapping(5353, 53, "udp", "127.0.0.1")));
    }

    @Test
    void addRunsThePluginsInOrderChainingEachResultIntoTheNext() throws Exception {
        CniResult result = network(LIST).add(request());

        List<Call> calls = plugins.calls();
        assertThat(calls).extracting(Call::plugin, Call::command)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("first", "ADD"), org.assertj.core.groups.Tuple.tuple("second", "ADD"));
        assertThat(calls.get(0).stdin().has("prevResult")).isFalse();
        assertThat(calls.get(1).stdin().get("prevResult")).isEqualTo(CniJson.parseObject(FIRST_RESULT));
        assertThat(result.raw()).isEqualTo(CniJson.parseObject(SECOND_RESULT));
        assertThat(result.interfaces().get(2).mac()).isEqualTo("bb:bb:bb:bb:bb:03");
        assertThat(result.sandboxIps()).containsExactly("10.9.0.5");
    }

    @Test
    void everyPluginGetsTheCniEnvironment() throws Exception {
        network(LIST).add(request());

        Map<String, String> env = plugins.calls().get(0).env();
        assertThat(env).containsEntry("CNI_COMMAND", "ADD").containsEntry("CNI_CONTAINERID", "c1")
                .containsEntry("CNI_NETNS", netns.toString()).containsEntry("CNI_IFNAME", "eth0")
                .containsEntry("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web")
                .containsEntry("CNI_PATH", tmp.resolve("nowhere") + ":" + plugins.bin());
        assertThat(env.get("PATH").split(":")).contains("/usr/sbin", "/sbin");
    }

    @Test
    void stdinCarriesNameVersionAndRuntimeConfigOnlyForDeclaredCapabilities() throws Exception {
        network(LIST).add(request());

        ObjectNode first = plugins.calls().get(0).stdin();
        ObjectNode second = plugins.calls().get(1).stdin();
        assertThat(first.get("name").asText()).isEqualTo("testnet");
        assertThat(first.get("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(first.has("runtimeConfig")).as("portMappings declared false").isFalse();
        assertThat(first.has("capabilities")).isFalse();
        assertThat(second.get("runtimeConfig")).isEqualTo(CniJson.parseObject("""
                {"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},
                                 {"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"}]}"""));
        assertThat(second.get("custom").get("a").asInt()).isEqualTo(1);
    }

    @Test
    void addCachesTheFinalResultAtomicallyWithAVersion() throws Exception {
        network(LIST).add(request());

        Path file = cacheDir.resolve("testnet-c1-eth0.json");
        ObjectNode cached = CniJson.parseObject(Files.readString(file));
        assertThat(cached.get("version").asInt()).isEqualTo(1);
        assertThat(cached.get("containerId").asText()).isEqualTo("c1");
        assertThat(cached.get("netns").asText()).isEqualTo(netns.toString());
        assertThat(cached.get("result")).isEqualTo(CniJson.parseObject(SECOND_RESULT));
        assertThat(cached.get("config")).isEqualTo(NetworkConfigList.fromConflist(LIST).toJson());
        assertThat(cached.get("cniArgs").toString()).isEqualTo("[[\"IgnoreUnknown\",\"1\"],[\"K8S_POD_NAMESPACE\",\"ns1\"],[\"K8S_POD_NAME\",\"web\"]]");
        try (Stream<Path> s = Files.list(cacheDir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("testnet-c1-eth0.json");
        }
        assertThat(Files.getPosixFilePermissions(file)).hasSize(2); // rw-------
    }

    @Test
    void delFromTheCacheAloneRunsInReverseWithTheAddsResultConfigAndParameters() throws Exception {
        network(LIST).add(request());
        plugins.clearCalls();
        // A new instance (as after a restart) whose configuration has changed meanwhile.
        String changed = LIST.replace("\"type\":\"second\"", "\"type\":\"third\"");

        network(changed).del(AttachmentRequest.of("c1", null));

        List<Call> calls = plugins.calls();
        assertThat(calls).extracting(Call::plugin).containsExactly("second", "first");
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.command()).isEqualTo("DEL");
            assertThat(c.stdin().get("prevResult")).isEqualTo(CniJson.parseObject(SECOND_RESULT));
            assertThat(c.env()).containsEntry("CNI_NETNS", netns.toString())
                    .containsEntry("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web");
        });
        assertThat(calls.get(0).stdin().get("runtimeConfig").get("portMappings")).hasSize(2);
        assertThat(Files.exists(cacheDir.resolve("testnet-c1-eth0.json"))).isFalse();
    }

    @Test
    void delWithoutCacheUsesTheCurrentConfigWithoutPrevResultAndCanRepeat() throws Exception {
        CniNetwork network = network(LIST);

        network.del(request());
        network.del(request());

        List<Call> calls = plugins.calls();
        assertThat(calls).extracting(Call::plugin).containsExactly("second", "first", "second", "first");
        assertThat(calls).allSatisfy(c -> assertThat(c.stdin().has("prevResult")).isFalse());
    }

    @Test
    void delLeavesCniNetnsOutWhenThePathIsNoLongerANamespace() throws Exception {
        network(LIST).add(request());
        plugins.clearCalls();
        live = p -> false;

        network(LIST).del(AttachmentRequest.of("c1", null));

        assertThat(plugins.calls()).allSatisfy(c -> assertThat(c.env()).doesNotContainKey("CNI_NETNS"));
    }

    @Test
    void aFailedDelKeepsTheCacheForTheRetry() throws Exception {
        network(LIST).add(request());
        plugins.answer("first", "DEL", "", "iptables: resource busy", 1);

        assertThatThrownBy(() -> network(LIST).del(AttachmentRequest.of("c1", null)))
                .isInstanceOf(CniException.class)
                .hasMessage("failed to tear down pod network (plugin first): iptables: resource busy");
        assertThat(Files.exists(cacheDir.resolve("testnet-c1-eth0.json"))).isTrue();

        plugins.answer("first", "DEL", "", "", 0);
        network(LIST).del(AttachmentRequest.of("c1", null));
        assertThat(Files.exists(cacheDir.resolve("testnet-c1-eth0.json"))).isFalse();
    }

    @Test
    void anUnreadableCacheEntryDoesNotBlockDel() throws Exception {
        Files.createDirectories(cacheDir);
        Files.writeString(cacheDir.resolve("testnet-c1-eth0.json"), "{\"version\": 99}");

        network(LIST).del(request());

        assertThat(plugins.calls()).extracting(Call::plugin).containsExactly("second", "first");
        assertThat(Files.exists(cacheDir.resolve("testnet-c1-eth0.json"))).isFalse();
    }

    @Test
    void checkGivesEveryPluginTheCachedResultInOrder() throws Exception {
        network(LIST).add(request());
        plugins.clearCalls();

        network(LIST).check(AttachmentRequest.of("c1", null));

        List<Call> calls = plugins.calls();
        assertThat(calls).extracting(Call::plugin).containsExactly("first", "second");
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.command()).isEqualTo("CHECK");
            assertThat(c.stdin().get("prevResult")).isEqualTo(CniJson.parseObject(SECOND_RESULT));
            assertThat(c.env()).containsEntry("CNI_NETNS", netns.toString());
        });
    }

    @Test
    void checkIsRefusedForAnAttachmentNeverAddedAndSkippedWhenDisabled() throws Exception {
        assertThatThrownBy(() -> network(LIST).check(request()))
                .isInstanceOf(NetworkException.class)
                .hasMessage("failed to check pod network testnet: attachment c1/eth0 was never added");

        String disabled = LIST.replace("\"name\":\"testnet\"", "\"name\":\"testnet\",\"disableCheck\":\"true\"");
        network(disabled).add(request());
        plugins.clearCalls();
        network(disabled).check(request());
        assertThat(plugins.calls()).isEmpty();
    }

    @Test
    void anErrorObjectBecomesACniExceptionAndTheChainIsRolledBack() throws Exception {
        plugins.answer("second", "ADD", """
                {"cniVersion":"1.0.0","code":7,"msg":"invalid network config","details":"hostPort 8080 is taken"}""",
                "portmap: log line\n", 1);

        CniException e = catchThrowableOfType(CniException.class, () -> network(LIST).add(request()));

        assertThat(e).hasMessage("failed to set up pod network (plugin second): invalid network config: hostPort 8080 is taken");
        assertThat(e.plugin()).isEqualTo("second");
        assertThat(e.command()).isEqualTo("ADD");
        assertThat(e.code()).isEqualTo(7);
        assertThat(e.msg()).isEqualTo("invalid network config");
        assertThat(e.details()).isEqualTo("hostPort 8080 is taken");
        assertThat(e.stderr()).isEqualTo("portmap: log line");
        assertThat(e.retryable()).isFalse();
        // The spec: a delete must still be executed even if the add fails; all plugins, in reverse.
        assertThat(plugins.calls()).extracting(c -> c.plugin() + " " + c.command())
                .containsExactly("first ADD", "second ADD", "second DEL", "first DEL");
        assertThat(Files.exists(cacheDir.resolve("testnet-c1-eth0.json"))).isFalse();
    }

    @Test
    void theRollbackDeletesOnlyThePluginsCalledAndGoesOnPastFailures() throws Exception {
        plugins.answer("first", "ADD", "", "no bridge", 1);
        assertThatThrownBy(() -> network(LIST).add(request())).isInstanceOf(CniException.class);
        assertThat(plugins.calls()).extracting(c -> c.plugin() + " " + c.command()).containsExactly("first ADD", "first DEL");

        plugins.clearCalls();
        plugins.answer("first", "ADD", FIRST_RESULT);
        plugins.answer("second", "ADD", "", "bad port", 1).answer("second", "DEL", "", "bad port", 1);
        CniException e = catchThrowableOfType(CniException.class, () -> network(LIST).add(request()));
        assertThat(e).hasMessage("failed to set up pod network (plugin second): bad port");
        assertThat(e.getSuppressed()).singleElement().extracting(Throwable::getMessage)
                .isEqualTo("failed to tear down pod network (plugin second): bad port");
        assertThat(plugins.calls()).extracting(c -> c.plugin() + " " + c.command())
                .containsExactly("first ADD", "second ADD", "second DEL", "first DEL");
        assertThat(plugins.calls()).filteredOn(c -> c.command().equals("DEL"))
                .allSatisfy(c -> assertThat(c.stdin().has("prevResult")).isFalse());
    }

    @Test
    void aFailureWithoutErrorObjectReportsStderrOrTheExitStatus() throws Exception {
        plugins.answer("first", "ADD", "", "panic: runtime error\n", 2);
        assertThatThrownBy(() -> network(LIST).add(request()))
                .isInstanceOf(CniException.class)
                .hasMessage("failed to set up pod network (plugin first): panic: runtime error");

        plugins.answer("first", "ADD", "", "", 3);
        CniException e = catchThrowableOfType(CniException.class, () -> network(LIST).add(request()));
        assertThat(e).hasMessage("failed to set up pod network (plugin first): exit status 3");
        assertThat(e.code()).isEqualTo(CniException.NO_CODE);
    }

    @Test
    void aRetryableErrorIsMarkedAsSuch() throws Exception {
        plugins.answer("first", "ADD", "{\"code\":11,\"msg\":\"try again\"}", "", 1);

        CniException e = catchThrowableOfType(CniException.class, () -> network(LIST).add(request()));

        assertThat(e.retryable()).isTrue();
        assertThat(e).hasMessage("failed to set up pod network (plugin first): try again");
    }

    @Test
    void aMissingPluginIsReportedWithTheSearchPath() {
        String list = LIST.replace("\"type\":\"second\"", "\"type\":\"nosuch\"");

        assertThatThrownBy(() -> network(list).add(request()))
                .isInstanceOf(CniException.class)
                .hasMessage("failed to set up pod network (plugin nosuch): plugin executable not found in "
                        + tmp.resolve("nowhere") + ":" + plugins.bin());
    }

    @Test
    void aPluginThatPrintsNoResultOnAddFails() throws Exception {
        plugins.answer("second", "ADD", "");

        assertThatThrownBy(() -> network(LIST).add(request()))
                .isInstanceOf(CniException.class)
                .hasMessage("failed to set up pod network (plugin second): plugin printed no result");
    }

    @Test
    void aSecondAddOfTheSameAttachmentIsRefusedWithoutRunningPlugins() throws Exception {
        network(LIST).add(request());
        plugins.clearCalls();

        assertThatThrownBy(() -> network(LIST).add(request()))
                .isInstanceOf(NetworkException.class)
                .hasMessage("failed to set up pod network testnet: attachment c1/eth0 exists already on network testnet; tear it down first");
        assertThat(plugins.calls()).isEmpty();
        assertThat(network(LIST).cached("c1", "eth0")).isPresent();
    }

    @Test
    void cachedAttachmentsListWhatIsAttached() throws Exception {
        CniNetwork network = network(LIST);
        network.add(request());
        network.add(AttachmentRequest.of("c2", netns));

        assertThat(network.cachedAttachments()).extracting(CachedAttachment::containerId).containsExactly("c1", "c2");
        CachedAttachment c1 = network.cached("c1", "eth0").orElseThrow();
        assertThat(c1.request()).isEqualTo(request());
        assertThat(c1.result().raw()).isEqualTo(CniJson.parseObject(SECOND_RESULT));
    }
}
