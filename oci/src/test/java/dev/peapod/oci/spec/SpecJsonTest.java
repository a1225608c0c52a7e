package dev.peapod.oci.spec;

import dev.peapod.oci.OciException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecJsonTest {

    static Spec sample() {
        var caps = List.of("CAP_CHOWN", "CAP_KILL");
        var process = new Process(false, new Process.User(1000, 1000, null, List.of(1000L, 5L)),
                List.of("/bin/sh", "-c", "echo hi"), List.of("PATH=/bin", "HOSTNAME=web"), "/",
                new Process.Capabilities(caps, caps, List.of(), caps, List.of()),
                List.of(new Process.Rlimit("RLIMIT_NOFILE", 20000, 20000)), true, 1000, null);
        var linux = new Linux(
                List.of(Linux.Namespace.create("pid"), Linux.Namespace.join("network", "/proc/42/ns/net")),
                null, null,
                new Resources(List.of(Resources.DeviceRule.denyAll()), new Resources.Memory(1L << 26, null, 1L << 26),
                        new Resources.Cpu(512L, 50000L, 100000L, null, null), null),
                "/peapod/pod1/c1", Map.of(), List.of("/proc/kcore"), List.of("/proc/sys"), null, null);
        return new Spec(Spec.VERSION, process, new Root("/run/rootfs", true), null,
                List.of(new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                        new Mount("/data", "bind", "/var/data", List.of("rbind", "rprivate", "ro"))),
                linux, Map.of("z.last", "2", "a.first", "1"));
    }

    @Test
    void writesPropertiesInSpecOrderAndLeavesOutAbsentOptionalOnes() {
        String json = SpecJson.toJson(sample());

        assertThat(json).startsWith("{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": {\n    \"terminal\": false,\n");
        assertThat(json).endsWith("}\n");
        assertThat(json.indexOf("\"process\"")).isLessThan(json.indexOf("\"root\""));
        assertThat(json.indexOf("\"root\"")).isLessThan(json.indexOf("\"mounts\""));
        assertThat(json.indexOf("\"mounts\"")).isLessThan(json.indexOf("\"linux\""));
        assertThat(json.indexOf("\"linux\"")).isLessThan(json.indexOf("\"annotations\""));
        assertThat(json.indexOf("\"a.first\"")).isLessThan(json.indexOf("\"z.last\""));
        assertThat(json).doesNotContain("hostname", "apparmorProfile", "umask", "uidMappings", "sysctl",
                "seccomp", "mountLabel", "pids", "null");
        // Empty capability sets are written: an empty set is a decision, not a default.
        assertThat(json).contains("\"inheritable\": []", "\"ambient\": []");
        assertThat(json).contains("\"path\": \"/proc/42/ns/net\"");
    }

    @Test
    void outputIsStableAndRoundTrips() {
        Spec spec = sample();
        String json = SpecJson.toJson(spec);

        assertThat(SpecJson.toJson(sample())).isEqualTo(json);
        assertThat(SpecJson.fromJson(json)).isEqualTo(spec);
    }

    @Test
    void readsRuntimeGeneratedConfigWithUnknownProperties() {
        String json = """
                {"ociVersion": "1.0.0", "process": {"terminal": true, "user": {"uid": 0, "gid": 0},
                 "args": ["sh"], "cwd": "/", "consoleSize": {"height": 1, "width": 2}},
                 "root": {"path": "rootfs"}, "linux": {"namespaces": [{"type": "pid"}], "rootfsPropagation": "private"},
                 "hooks": {}}
                """;
        Spec spec = SpecJson.fromJson(json);

        assertThat(spec.process().terminal()).isTrue();
        assertThat(spec.process().args()).containsExactly("sh");
        assertThat(spec.root()).isEqualTo(new Root("rootfs", false));
        assertThat(spec.linux().namespaces()).containsExactly(Linux.Namespace.create("pid"));
    }

    @Test
    void writeReplacesTheFileAtomicallyAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "old");

        SpecJson.write(sample(), file);

        assertThat(Files.readString(file)).isEqualTo(SpecJson.toJson(sample()));
        assertThat(SpecJson.read(file)).isEqualTo(sample());
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void writeIntoMissingDirectoryFailsWithPathInMessage(@TempDir Path dir) {
        Path file = dir.resolve("missing").resolve("config.json");

        assertThatThrownBy(() -> SpecJson.write(sample(), file))
                .isInstanceOf(OciException.class)
                .hasMessageStartingWith("failed to write OCI spec " + file);
    }

    @Test
    void malformedJsonFailsWithDecodeMessage() {
        assertThatThrownBy(() -> SpecJson.fromJson("{\"ociVersion\": "))
                .isInstanceOf(OciException.class)
                .hasMessageStartingWith("failed to decode OCI spec");
    }
}
