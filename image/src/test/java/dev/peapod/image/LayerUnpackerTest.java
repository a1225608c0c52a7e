package dev.peapod.image;

import static dev.peapod.image.TestArchives.tar;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Unpacking one layer, as root (the test tier runs as root: ownership and devices need it). */
class LayerUnpackerTest {
    @TempDir
    Path root;
    /** The layer directory, one level below the temp dir, so the escape checks look at a sibling of our own. */
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void layerDir() throws IOException {
        dir = Files.createDirectory(root.resolve("layer"));
    }

    /** Our own cleanup, without following the absolute symlinks the layers contain. */
    @AfterEach
    void cleanUp() throws IOException {
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                FileTrees.deleteRecursively(p);
            }
        }
    }

    private LayerUnpacker.Result unpack(byte[] blob) {
        return new LayerUnpacker(dir, "sha256:test").unpack(new ByteArrayInputStream(blob));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW_LINKS);
    }

    @Test
    void keepsModesOwnersTimesLinksAndFifos() throws IOException {
        byte[] layer = tar(t -> t.dir("./", 0755).dir("etc", 0750)
                .file("etc/shadow", "secret".getBytes(StandardCharsets.UTF_8), 0640, 0, 42)
                .file("bin/su", "su".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
                .dir("tmp", 01777)
                .file("home/user/notes", "n".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1000)
                .symlink("etc/motd", "/etc/issue")
                .hardlink("bin/su2", "bin/su")
                .fifo("run.fifo"));

        LayerUnpacker.Result result = unpack(layer);

        assertThat(result.diffId()).isEqualTo(TestArchives.sha256(layer));
        assertThat(result.size()).isEqualTo(6 + 2 + 1);
        assertThat(Files.readString(dir.resolve("etc/shadow"))).isEqualTo("secret");
        assertThat(mode(dir.resolve("etc/shadow")) & 07777).isEqualTo(0640);
        assertThat(Files.getAttribute(dir.resolve("etc/shadow"), "unix:gid")).isEqualTo(42);
        assertThat(mode(dir.resolve("etc")) & 07777).isEqualTo(0750);
        assertThat(mode(dir.resolve("bin/su")) & 07777).isEqualTo(04755);
        assertThat(mode(dir.resolve("tmp")) & 07777).isEqualTo(01777);
        assertThat(mode(dir.resolve("bin")) & 07777).as("implicit parent").isEqualTo(0755);
        assertThat(Files.getAttribute(dir.resolve("home/user/notes"), "unix:uid")).isEqualTo(1000);
        assertThat(Files.readSymbolicLink(dir.resolve("etc/motd"))).isEqualTo(Path.of("/etc/issue"));
        assertThat(Files.isSameFile(dir.resolve("bin/su"), dir.resolve("bin/su2"))).isTrue();
        assertThat(mode(dir.resolve("run.fifo")) & 0170000).isEqualTo(LibC.S_IFIFO);
        FileTime mtime = FileTime.from(TestArchives.MTIME);
        assertThat(Files.getLastModifiedTime(dir.resolve("etc/shadow"))).isEqualTo(mtime);
        assertThat(Files.getLastModifiedTime(dir.resolve("etc"))).as("dir mtime set after its children").isEqualTo(mtime);
        assertThat(Files.getLastModifiedTime(dir.resolve("etc/motd"), NOFOLLOW_LINKS)).isEqualTo(mtime);
    }

    @Test
    void turnsAufsWhiteoutsIntoOverlayWhiteoutsAndOpaqueDirs() throws IOException {
        byte[] layer = tar(t -> t.dir("etc", 0755).file("etc/.wh.hosts", "")
                .dir("var/cache", 0755).file("var/cache/.wh..wh..opq", "")
                .file("var/cache/new", "kept")
                .file(".wh..wh.plnk", ""));

        unpack(layer);

        Path whiteout = dir.resolve("etc/hosts");
        assertThat(mode(whiteout) & 0170000).as("character device").isEqualTo(LibC.S_IFCHR);
        assertThat(Files.getAttribute(whiteout, "unix:rdev", NOFOLLOW_LINKS)).isEqualTo(0L);
        assertThat(dir.resolve("etc/.wh.hosts")).doesNotExist();
        assertThat(LibC.lgetxattr(dir.resolve("var/cache"), "trusted.overlay.opaque"))
                .isEqualTo("y".getBytes(StandardCharsets.US_ASCII));
        assertThat(dir.resolve("var/cache/.wh..wh..opq")).doesNotExist();
        assertThat(Files.readString(dir.resolve("var/cache/new"))).isEqualTo("kept");
        assertThat(LibC.lgetxattr(dir.resolve("etc"), "trusted.overlay.opaque")).isNull();
        assertThat(TestArchives.tree(dir)).doesNotContain(".wh..wh.plnk");
    }

    @Test
    void keepsOverlayStyleWhiteoutsAndSkipsOtherDevices() throws IOException {
        byte[] layer = tar(t -> t.device("gone", TarConstants.LF_CHR, 0, 0)
                .device("null", TarConstants.LF_CHR, 1, 3)
                .device("sda", TarConstants.LF_BLK, 8, 0));

        unpack(layer);

        assertThat(mode(dir.resolve("gone")) & 0170000).isEqualTo(LibC.S_IFCHR);
        assertThat(dir.resolve("null")).doesNotExist();
        assertThat(dir.resolve("sda")).doesNotExist();
    }

    @Test
    void laterEntriesReplaceEarlierOnes() throws IOException {
        byte[] layer = tar(t -> t.file("a", "one").file("a", "two")
                .symlink("b", "a").file("b", "file now")
                .dir("c", 0700).file("c/x", "x").dir("c", 0755));

        unpack(layer);

        assertThat(Files.readString(dir.resolve("a"))).isEqualTo("two");
        assertThat(Files.isSymbolicLink(dir.resolve("b"))).isFalse();
        assertThat(Files.readString(dir.resolve("b"))).isEqualTo("file now");
        assertThat(Files.readString(dir.resolve("c/x"))).as("a directory entry keeps the directory").isEqualTo("x");
        assertThat(mode(dir.resolve("c")) & 07777).isEqualTo(0755);
    }

    @Test
    void aHardLinkToASymlinkLinksTheSymlinkItself() throws IOException {
        unpack(tar(t -> t.symlink("s", "/etc/passwd").hardlink("h", "s")));

        assertThat(Files.isSymbolicLink(dir.resolve("h"))).isTrue();
        assertThat(Files.readSymbolicLink(dir.resolve("h"))).isEqualTo(Path.of("/etc/passwd"));
    }

    @Test
    void measuresDiffIdOfCompressedLayersOverTheUncompressedTar() {
        byte[] layer = tar(t -> t.file("f", "content"));
        assertThat(unpack(TestArchives.zstd(layer)).diffId()).isEqualTo(TestArchives.sha256(layer));
    }

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("dot-dot", tar(t -> t.file("../x", "x")), "entry \"../x\" escapes the layer directory"),
                Arguments.of("deep dot-dot", tar(t -> t.file("a/../../etc/passwd", "x")),
                        "entry \"a/../../etc/passwd\" escapes the layer directory"),
                Arguments.of("absolute", tar(t -> t.file("/abs", "x")), "entry \"/abs\" escapes the layer directory"),
                Arguments.of("symlinked parent", tar(t -> t.symlink("a", "/tmp").file("a/evil", "x")),
                        "entry \"a/evil\" escapes the layer directory through symlink \"a\""),
                Arguments.of("relative symlinked parent", tar(t -> t.dir("d", 0755).symlink("d/up", "../..")
                        .file("d/up/evil", "x")), "entry \"d/up/evil\" escapes the layer directory through symlink \"d/up\""),
                Arguments.of("hard link out", tar(t -> t.hardlink("h", "../../x")),
                        "entry \"h\" links to \"../../x\" and escapes the layer directory"),
                Arguments.of("hard link absolute", tar(t -> t.hardlink("h", "/etc/passwd")),
                        "entry \"h\" links to \"/etc/passwd\" and escapes the layer directory"),
                Arguments.of("hard link through symlink", tar(t -> t.symlink("s", "/etc").hardlink("h", "s/passwd")),
                        "entry \"h\" links to \"s/passwd\" through a symlink and escapes the layer directory"),
                Arguments.of("whiteout of parent", tar(t -> t.file("a/.wh...", "")), "entry \"a/.wh...\" escapes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void refusesEntriesThatWouldLeaveTheLayer(String name, byte[] layer, String message) {
        assertThatThrownBy(() -> unpack(layer))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("failed to unpack layer sha256:test: ")
                .hasMessageContaining(message);
        assertThat(dir.getParent().resolve("x")).doesNotExist();
        assertThat(Path.of("/tmp/evil")).doesNotExist();
    }
}
