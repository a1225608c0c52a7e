package dev.peapod.cli;

import dev.peapod.image.Image;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    private static final String BUSYBOX_ID = "sha256:" + "0123456789ab".repeat(5) + "cdef";

    private final FakeImages store = new FakeImages(
            new Image(BUSYBOX_ID, List.of("docker.io/library/busybox:latest", "docker.io/peapod/busybox:latest"),
                    null, List.of(), 4_262_000));
    private final List<Path> openedDataDirs = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cli = Main.commandLine(new CliContext(dataDir -> {
            openedDataDirs.add(dataDir);
            return store;
        }), args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void versionNamesReleaseAndJava() {
        assertThat(run("--version")).isZero();
        var lines = out.toString().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("peapod 0.1.0").doesNotContain("SNAPSHOT");
        assertThat(lines.get(1)).startsWith("java " + Runtime.version().feature());
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).startsWith("Error: missing subcommand").contains("Usage: peapod");
        assertThat(run("image")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: peapod image");
    }

    @Test
    void unknownOptionIsAUsageErrorWithOneErrorLine() {
        assertThat(run("image", "ls", "--bogus")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Error: Unknown option: '--bogus'").contains("See 'peapod image ls --help'.");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertThat(run("imgae")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Error: Unmatched argument").contains("image");
    }

    @Test
    void imageListPrintsAPodmanStyleTable() {
        assertThat(run("image", "ls")).isZero();
        assertThat(out.toString()).isEqualTo("""
                IMAGE ID      NAMES                                                             SIZE
                0123456789ab  docker.io/library/busybox:latest,docker.io/peapod/busybox:latest  4.26 MB
                """);
        assertThat(openedDataDirs).containsExactly(Path.of("/var/lib/peapod"));
    }

    @Test
    void dataDirIsTakenFromTheCommandLine() {
        assertThat(run("image", "ls", "-q", "--data-dir", "/tmp/pp")).isZero();
        assertThat(out.toString()).isEqualTo("0123456789ab\n");
        assertThat(openedDataDirs).containsExactly(Path.of("/tmp/pp"));
    }

    @Test
    void dataDirBeforeTheSubcommandReachesIt() {
        assertThat(run("--data-dir", "/tmp/a", "image", "ls", "-q")).isZero();
        assertThat(run("--data-dir=/tmp/a", "image", "ls", "--data-dir", "/tmp/b")).isZero();
        assertThat(openedDataDirs).containsExactly(Path.of("/tmp/a"), Path.of("/tmp/b"));
    }

    @Test
    void removingOneNameUntagsAndTheLastNameDeletes() {
        assertThat(run("image", "rm", "docker.io/library/busybox:latest")).isZero();
        assertThat(out.toString()).isEqualTo("Untagged: docker.io/library/busybox:latest\n");
        assertThat(run("image", "rm", "docker.io/peapod/busybox:latest")).isZero();
        assertThat(out.toString()).endsWith("Deleted: " + BUSYBOX_ID + "\n");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void removingAnUnknownImageGoesOnAndFails() {
        assertThat(run("image", "rm", "nope", BUSYBOX_ID)).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("Error: failed to remove image nope: image not known\n");
        assertThat(out.toString()).isEqualTo("Deleted: " + BUSYBOX_ID + "\n");
    }

    @Test
    void loadPrintsEachLoadedImage(@TempDir Path dir) throws IOException {
        Path archive = Files.writeString(dir.resolve("alpine"), "x");
        assertThat(run("image", "load", archive.toString())).isZero();
        assertThat(out.toString()).isEqualTo("Loaded image: docker.io/library/alpine:latest\n");
        assertThat(store.loaded).containsExactly(archive);
    }

    @Test
    void loadOfAMissingFileFailsWithoutStackTrace(@TempDir Path dir) {
        Path missing = dir.resolve("missing.tar");
        assertThat(run("image", "load", missing.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("Error: failed to load image archive " + missing + ": no such file\n");
        assertThat(store.loaded).isEmpty();
    }

    @Test
    void storeFailureIsOneLineAndDebugAddsTheStackTrace(@TempDir Path dir) throws IOException {
        Path corrupt = Files.writeString(dir.resolve("corrupt.tar"), "x");
        assertThat(run("image", "load", corrupt.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("Error: failed to load image archive " + corrupt + ": manifest.json missing\n");

        err.getBuffer().setLength(0);
        assertThat(run("--debug", "image", "load", corrupt.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("Error: failed to load").contains("at dev.peapod.cli.FakeImages.load");

        err.getBuffer().setLength(0);
        assertThat(run("image", "load", "--debug", corrupt.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("at dev.peapod.cli.FakeImages.load");
    }

    @Test
    void helpListsTheSubcommandsButNotTheTrainingOne() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("image", "up").doesNotContain("__train");
    }

    @Test
    void messagesOfPathExceptionsSayWhatHappened() {
        assertThat(Main.message(new java.nio.file.NoSuchFileException("/x"))).isEqualTo("/x: no such file or directory");
        assertThat(Main.message(new IllegalStateException())).isEqualTo("IllegalStateException");
        assertThat(Main.message(new RuntimeException(null, new java.io.IOException("disk full"))))
                .isEqualTo("RuntimeException: disk full");
    }
}
