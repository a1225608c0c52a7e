package dev.peapod.testing;

import dev.peapod.oci.CreateRequest;
import dev.peapod.oci.OciException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fake keeps the {@link dev.peapod.oci.OciRuntime} contract the engine relies on. */
class FakeOciRuntimeTest {
    @TempDir
    Path tmp;

    private CreateRequest bundle(String id, String... args) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bundles").resolve(id));
        String json = "{\"process\":{\"args\":[" + String.join(",", java.util.Arrays.stream(args).map(a -> "\"" + a + "\"").toList()) + "]}}";
        Files.writeString(dir.resolve("config.json"), json);
        return new CreateRequest(id, dir, tmp.resolve("logs").resolve(id + ".log"), false);
    }

    @Test
    void termEndsARunningProcessWith143AndWritesTheExitFile() throws IOException {
        var oci = new FakeOciRuntime(tmp.resolve("exits"));
        oci.create(bundle("c1", "app"));
        oci.start("c1");
        assertThat(oci.exitCode("c1")).isEmpty();

        oci.kill("c1", "SIGTERM", false);

        assertThat(oci.exitCode("c1")).isEqualTo(OptionalInt.of(143));
        assertThat(Files.readString(tmp.resolve("exits/c1"))).isEqualTo("143");
        assertThat(oci.state("c1").orElseThrow().status()).isEqualTo("stopped");
    }

    @Test
    void aProcessThatIgnoresTermDiesOnlyOfKill() throws IOException {
        var oci = new FakeOciRuntime(tmp.resolve("exits")).onProgram("stubborn", FakeProcess.ignoreTerm());
        oci.create(bundle("c1", "stubborn"));
        oci.start("c1");

        oci.kill("c1", "TERM", false);
        assertThat(oci.exitCode("c1")).isEmpty();
        oci.kill("c1", "KILL", true);

        assertThat(oci.exitCode("c1")).isEqualTo(OptionalInt.of(137));
        assertThat(oci.calls()).extracting(OciCall::toString)
                .containsExactly("CREATE stubborn", "START stubborn", "KILL stubborn TERM", "KILL stubborn KILL", "EXIT stubborn 137");
    }

    @Test
    void newerRulesWinAndSeeTheAttemptNumber() throws IOException {
        var oci = new FakeOciRuntime(tmp.resolve("exits"))
                .onProgram("app", FakeProcess.failCreate("first rule"))
                .onStart(l -> l.program().equals("app") && l.attempt() == 0, FakeProcess.failCreate("boom"));

        assertThatThrownBy(() -> oci.create(bundle("c1", "app"))).isInstanceOf(OciException.class)
                .hasMessage("failed to create container c1: boom");
        assertThatThrownBy(() -> oci.create(bundle("c2", "app"))).hasMessageContaining("first rule");
        assertThat(oci.containers()).isEmpty();
    }

    @Test
    void deleteRemovesTheExitFileAndUnknownContainersAreNoOps() throws IOException {
        var oci = new FakeOciRuntime(tmp.resolve("exits"));
        oci.create(bundle("c1", "app"));
        oci.start("c1");
        assertThatThrownBy(() -> oci.delete("c1", false)).hasMessageContaining("running");

        oci.delete("c1", true);
        oci.delete("c1", true);
        oci.kill("c1", "KILL", true);

        assertThat(oci.containers()).isEmpty();
        assertThat(tmp.resolve("exits/c1")).doesNotExist();
        assertThat(oci.exitCode("c1")).isEmpty();
    }

    @Test
    void aPrintingProcessWritesCriLogLines() throws IOException {
        var oci = new FakeOciRuntime(tmp.resolve("exits")).onProgram("app", FakeProcess.runUntilSignalled().printing("a", "b"));
        var request = bundle("c1", "app");
        oci.create(request);
        oci.start("c1");

        assertThat(Files.readAllLines(request.logPath()))
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout F [ab]"))
                .hasSize(2);
    }
}
