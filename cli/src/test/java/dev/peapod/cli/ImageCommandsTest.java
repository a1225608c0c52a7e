package dev.peapod.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.image.Image;
import dev.peapod.image.ImageDetails;
import dev.peapod.node.gc.ImagesInUse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code image inspect} and {@code image prune} over a fake store, with pods' in-use files on a real data dir. */
class ImageCommandsTest {
    static final String APP_ID = "sha256:" + "a".repeat(64), OTHER_ID = "sha256:" + "b".repeat(64),
            DANGLING_ID = "sha256:" + "c".repeat(64), MANIFEST = "sha256:" + "d".repeat(64);

    @TempDir
    Path dataDir;
    final Image app = new Image(APP_ID, List.of("docker.io/library/app:1", "quay.io/team/app:1"), null,
            List.of("sha256:" + "1".repeat(64), "sha256:" + "2".repeat(64)), 4_262_000);
    final Image other = new Image(OTHER_ID, List.of("docker.io/library/other:2"), null, List.of(), 2_000_000);
    final Image dangling = new Image(DANGLING_ID, List.of(), null, List.of(), 1_000);
    final FakeImages store = new FakeImages(app, other, dangling);
    final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        var cli = Main.commandLine(new CliContext(d -> store), args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void inspectPrintsPodmansShapeFromTheStoredConfig() throws Exception {
        store.details.put(APP_ID, new ImageDetails(app, List.of(MANIFEST), """
                {"created": "2026-01-02T03:04:05Z", "architecture": "amd64", "os": "linux",
                 "config": {"Env": ["PATH=/bin"], "Entrypoint": ["/app"], "Cmd": ["serve"], "WorkingDir": "/srv",
                            "User": "1000", "ExposedPorts": {"8080/tcp": {}}, "Labels": {"team": "x"}, "StopSignal": "SIGQUIT"},
                 "rootfs": {"type": "layers", "diff_ids": []}, "history": [{"created_by": "build"}]}
                """));

        assertThat(run("image", "inspect", "--data-dir", dataDir.toString(), "docker.io/library/app:1")).isZero();

        JsonNode json = ImageInspection.JSON.readTree(out.toString());
        assertThat(json.size()).isEqualTo(1);
        JsonNode i = json.get(0);
        assertThat(i.path("Id").asText()).isEqualTo("a".repeat(64));
        assertThat(i.path("Digest").asText()).isEqualTo(MANIFEST);
        assertThat(i.path("RepoTags").toString()).isEqualTo("[\"docker.io/library/app:1\",\"quay.io/team/app:1\"]");
        assertThat(i.path("RepoDigests").toString()).isEqualTo(
                "[\"docker.io/library/app@" + MANIFEST + "\",\"quay.io/team/app@" + MANIFEST + "\"]");
        assertThat(i.path("Created").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(i.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(i.path("Os").asText()).isEqualTo("linux");
        assertThat(i.path("Size").asLong()).isEqualTo(4_262_000);
        assertThat(i.path("Config").path("Env").toString()).isEqualTo("[\"PATH=/bin\"]");
        assertThat(i.path("Config").path("Entrypoint").toString()).isEqualTo("[\"/app\"]");
        assertThat(i.path("Config").path("Cmd").toString()).isEqualTo("[\"serve\"]");
        assertThat(i.path("Config").path("WorkingDir").asText()).isEqualTo("/srv");
        assertThat(i.path("Config").path("User").asText()).isEqualTo("1000");
        assertThat(i.path("Config").path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(i.path("Config").path("StopSignal").asText()).isEqualTo("SIGQUIT");
        assertThat(i.path("Labels").path("team").asText()).isEqualTo("x");
        assertThat(i.path("RootFS").toString()).isEqualTo("{\"Type\":\"layers\",\"Layers\":[\"sha256:" + "1".repeat(64)
                + "\",\"sha256:" + "2".repeat(64) + "\"]}");
        assertThat(i.path("History").get(0).path("created_by").asText()).isEqualTo("build");
    }

    @Test
    void inspectOfAnUnknownImageFailsButPrintsTheOthers() throws Exception {
        assertThat(run("image", "inspect", "nope", "docker.io/library/other:2")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("Error: failed to inspect image nope: image not known\n");
        JsonNode json = ImageInspection.JSON.readTree(out.toString());
        assertThat(json.size()).isEqualTo(1);
        assertThat(json.get(0).has("Digest")).as("no manifest digest known").isFalse();
    }

    @Test
    void pruneRemovesOnlyUnusedDanglingImagesWithoutAll() {
        assertThat(run("image", "prune", "--data-dir", dataDir.toString())).isZero();
        assertThat(out.toString()).isEqualTo("Deleted: " + DANGLING_ID + "\nTotal reclaimed space: 1 kB\n");
        assertThat(store.list()).containsExactly(app, other);
    }

    @Test
    void pruneAllRemovesEveryImageNoPodUses() {
        ImagesInUse.record(dataDir.resolve("pods/some-uid"), APP_ID);
        assertThat(run("image", "prune", "-a", "--data-dir", dataDir.toString())).isZero();
        assertThat(out.toString()).isEqualTo("Untagged: docker.io/library/other:2\nDeleted: " + OTHER_ID + "\n"
                + "Deleted: " + DANGLING_ID + "\nTotal reclaimed space: 2 MB\n");
        assertThat(store.list()).containsExactly(app);
    }
}
