package dev.peapod.network;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Attachment parameters, CNI_ARGS, port mappings and the failure parsing of plugin output. */
class RequestTest {
    @Test
    void identifiersFollowTheSpec() {
        assertThat(AttachmentRequest.of("a1_b.c-d", Path.of("/x")).ifName()).isEqualTo("eth0");
        for (String bad : List.of("", "-a", "a/b", "a b", "ä")) {
            assertThatThrownBy(() -> AttachmentRequest.of(bad, null)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        AttachmentRequest ok = AttachmentRequest.of("c", null);
        for (String bad : List.of("", ".", "..", "a/b", "a:b", "a b", "abcdefghijklmnop")) {
            assertThatThrownBy(() -> ok.withIfName(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(ok.withIfName("abcdefghijklmno").ifName()).hasSize(15);
    }

    @Test
    void cniArgsAreJoinedAndCannotInjectPairs() {
        assertThat(CniArg.format(List.of(CniArg.IGNORE_UNKNOWN, new CniArg("K8S_POD_NAME", "web-0"))))
                .isEqualTo("IgnoreUnknown=1;K8S_POD_NAME=web-0");
        assertThatThrownBy(() -> new CniArg("K", "v;X=1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CniArg("K=1", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CniArg("", "v")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portMappingsUseTheConventionsShape() {
        assertThat(new PortMapping(8080, 80, "TCP", null).toJson().toString())
                .isEqualTo("{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}");
        assertThat(new PortMapping(53, 53, "UDP", "127.0.0.1").toJson().toString())
                .isEqualTo("{\"hostPort\":53,\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"}");
        assertThatThrownBy(() -> new PortMapping(0, 80, "tcp", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PortMapping(80, 80, "icmp", "")).isInstanceOf(IllegalArgumentException.class);
        AttachmentRequest req = AttachmentRequest.of("c", null).withPortMappings(List.of(new PortMapping(1, 2, "", "")));
        assertThat(req.capabilityArgs()).containsKey("portMappings");
        assertThat(req.withPortMappings(List.of()).capabilityArgs()).isEmpty();
    }

    @Test
    void pluginFailuresAreReadFromStdoutThenStderrThenPlainText() {
        var fromStdout = PluginInvoker.failure("bridge", "ADD", new dev.peapod.oci.ProcessResult(1,
                "{\"code\":7,\"msg\":\"bad\",\"details\":\"worse\"}", "log\n"));
        assertThat(fromStdout).hasMessage("failed to set up pod network (plugin bridge): bad: worse");
        assertThat(fromStdout.stderr()).isEqualTo("log");

        var fromStderr = PluginInvoker.failure("bridge", "DEL", new dev.peapod.oci.ProcessResult(1, "",
                "{\"code\":999,\"msg\":\"unknown FS magic\"}"));
        assertThat(fromStderr.code()).isEqualTo(999);
        assertThat(fromStderr).hasMessage("failed to tear down pod network (plugin bridge): unknown FS magic");

        var plain = PluginInvoker.failure("portmap", "CHECK", new dev.peapod.oci.ProcessResult(2, "", "panic: nil\n"));
        assertThat(plain).hasMessage("failed to check pod network (plugin portmap): panic: nil");
        assertThat(plain.code()).isEqualTo(CniException.NO_CODE);

        var noMsg = PluginInvoker.failure("x", "ADD", new dev.peapod.oci.ProcessResult(1, "{\"code\":4}", ""));
        assertThat(noMsg).hasMessage("failed to set up pod network (plugin x): error code 4");
    }

    @Test
    void pluginsGetTheSystemDirectoriesOnTheirPath() {
        assertThat(PluginInvoker.pathForPlugins("/opt/bin:relative:/usr/bin"))
                .isEqualTo("/opt/bin:/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin");
        assertThat(PluginInvoker.pathForPlugins(null)).startsWith("/usr/local/sbin:");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(CniVersion.atLeast("1.0.0", "0.4.0")).isTrue();
        assertThat(CniVersion.atLeast("0.4.0", "0.4.0")).isTrue();
        assertThat(CniVersion.atLeast("0.3.1", "0.4.0")).isFalse();
        assertThat(CniVersion.atLeast("0.10.0", "0.4.0")).isTrue();
        assertThat(CniVersion.atLeast("x", "0.4.0")).isFalse();
        assertThat(CniVersion.valid("1.0")).isTrue();
        assertThat(CniVersion.valid("1.0.0-rc1")).isFalse();
    }
}
