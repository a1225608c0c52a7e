package dev.peapod.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code volume ls} and {@code volume rm} on a real data dir, with a pod's record of the claims it uses. */
class VolumeCommandTest {
    @TempDir Path dataDir;
    final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        var cli = Main.commandLine(new CliContext(d -> new FakeImages()), args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void listsClaimsWithThePodsUsingThemAndRefusesToRemoveOneInUse() throws Exception {
        Path data = Files.createDirectories(dataDir.resolve("volumes/pvc/default/data"));
        Files.writeString(data.resolve("file"), "x");
        Path cache = Files.createDirectories(dataDir.resolve("volumes/pvc/team/cache"));
        Path pod = Files.createDirectories(dataDir.resolve("pods/0b5c"));
        Files.writeString(pod.resolve("claims"), "default/data\ndefault/data\n");

        assertThat(run("volume", "ls", "--data-dir", dataDir.toString())).isZero();
        assertThat(out.toString()).isEqualTo("""
                NAMESPACE  NAME   PODS  PATH
                default    data   1     %s
                team       cache  0     %s
                """.formatted(data.toAbsolutePath(), cache.toAbsolutePath()));

        assertThat(run("volume", "rm", "--data-dir", dataDir.toString(), "data")).isEqualTo(Main.FAILURE);
        assertThat(err.toString()).contains("Error: persistentvolumeclaim default/data is in use by 1 pod");
        assertThat(data.resolve("file")).exists();

        Files.delete(pod.resolve("claims"));
        assertThat(run("volume", "rm", "--data-dir", dataDir.toString(), "data", "-n", "default")).isZero();
        assertThat(data).doesNotExist();
        assertThat(run("volume", "rm", "--data-dir", dataDir.toString(), "-n", "team", "cache")).isZero();
        assertThat(cache).doesNotExist();
    }

    @Test
    void unknownAndHostileNamesAreNotFound() throws Exception {
        Path victim = Files.createDirectories(dataDir.resolve("volumes/pvc/victim"));
        assertThat(run("volume", "rm", "--data-dir", dataDir.toString(), "absent", "..", "../victim")).isEqualTo(Main.FAILURE);
        assertThat(err.toString().lines()).containsExactly(
                "Error: persistentvolumeclaim \"absent\" not found in namespace \"default\"",
                "Error: persistentvolumeclaim \"..\" not found in namespace \"default\"",
                "Error: persistentvolumeclaim \"../victim\" not found in namespace \"default\"");
        assertThat(victim).exists();
    }
}
