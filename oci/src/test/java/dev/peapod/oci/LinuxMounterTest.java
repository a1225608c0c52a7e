package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real mounts (root) in a temp dir; each test unmounts what it mounted and the cleanup checks. */
class LinuxMounterTest {
    private final LinuxMounter mounter = new LinuxMounter();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory(TestHost.MARK + "-mnt-");
    }

    @AfterEach
    void tearDown() throws IOException {
        // Whatever a failed test left mounted, deepest first, then prove nothing is left.
        MountInfo.read().stream().map(MountInfo::mountPoint).filter(m -> m.startsWith(dir.toString()))
                .sorted(Comparator.reverseOrder()).forEach(m -> mounter.unmount(Path.of(m), true));
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        TestHost.assertNoMountsOrCgroups();
    }

    @Test
    void tmpfsMountsAndUnmountsEvenWithASpaceInThePath() throws IOException {
        Path target = Files.createDirectories(dir.resolve("with space\tand tab"));
        assertThat(mounter.isMounted(target)).isFalse();

        mounter.mountTmpfs(target, "mode=1777,size=1m");
        assertThat(mounter.isMounted(target)).isTrue();
        Files.writeString(target.resolve("f"), "x");
        assertThat(MountInfo.read()).anySatisfy(m -> {
            assertThat(m.mountPoint()).isEqualTo(target.toString());
            assertThat(m.fsType()).isEqualTo("tmpfs");
            assertThat(m.superOptions()).contains("size=1024k");
        });

        mounter.unmount(target, false);
        assertThat(mounter.isMounted(target)).isFalse();
        assertThat(Files.exists(target.resolve("f"))).isFalse();
    }

    @Test
    void unmountOfSomethingNotMountedIsANoOp() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        mounter.unmount(plain, false);
        mounter.unmount(dir.resolve("missing"), true);
        assertThat(mounter.isMounted(plain)).isFalse();
    }

    @Test
    void bindShowsTheSourceAndReadOnlyBindRefusesWrites() throws IOException {
        Path source = Files.createDirectories(dir.resolve("source"));
        Files.writeString(source.resolve("file"), "hello");
        Path rw = Files.createDirectories(dir.resolve("rw"));
        Path ro = Files.createDirectories(dir.resolve("ro"));

        mounter.bind(source, rw, false);
        mounter.bind(source, ro, true);

        assertThat(Files.readString(ro.resolve("file"))).isEqualTo("hello");
        Files.writeString(rw.resolve("new"), "through rw");
        assertThat(Files.readString(source.resolve("new"))).isEqualTo("through rw");
        assertThatThrownBy(() -> Files.writeString(ro.resolve("file"), "no"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
        assertThat(MountInfo.read()).filteredOn(m -> m.mountPoint().equals(ro.toString()))
                .singleElement().satisfies(m -> assertThat(m.options()).startsWith("ro"));

        mounter.unmount(ro, false);
        mounter.unmount(rw, false);
        assertThat(mounter.isMounted(ro) || mounter.isMounted(rw)).isFalse();
        Files.writeString(source.resolve("file"), "still writable");
    }

    @Test
    void overlayStacksLowersTopFirstAndWritesToUpper() throws IOException {
        Path top = Files.createDirectories(dir.resolve("lower-top"));
        Path bottom = Files.createDirectories(dir.resolve("lower-bottom"));
        Files.writeString(top.resolve("shared"), "top");
        Files.writeString(bottom.resolve("shared"), "bottom");
        Files.writeString(bottom.resolve("only-bottom"), "b");
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path merged = Files.createDirectories(dir.resolve("merged"));

        mounter.mountOverlay(List.of(top, bottom), upper, work, merged);

        assertThat(mounter.isMounted(merged)).isTrue();
        assertThat(Files.readString(merged.resolve("shared"))).isEqualTo("top");
        assertThat(Files.readString(merged.resolve("only-bottom"))).isEqualTo("b");
        Files.writeString(merged.resolve("written"), "w");
        assertThat(Files.readString(upper.resolve("written"))).isEqualTo("w");
        assertThat(Files.exists(top.resolve("written"))).isFalse();

        mounter.unmount(merged, false);
        assertThat(mounter.isMounted(merged)).isFalse();
    }

    @Test
    void readOnlyLayersMergeTopFirstAndRefuseWritesWithOneLayerOrSeveral() throws IOException {
        Path top = Files.createDirectories(dir.resolve("ro-top"));
        Path bottom = Files.createDirectories(dir.resolve("ro-bottom"));
        Files.writeString(top.resolve("shared"), "top");
        Files.writeString(bottom.resolve("shared"), "bottom");
        Files.writeString(bottom.resolve("only-bottom"), "b");
        Path merged = Files.createDirectories(dir.resolve("ro-merged"));
        Path single = Files.createDirectories(dir.resolve("ro-single"));

        mounter.mountReadOnlyLayers(List.of(top, bottom), merged);
        mounter.mountReadOnlyLayers(List.of(bottom), single);

        assertThat(Files.readString(merged.resolve("shared"))).isEqualTo("top");
        assertThat(Files.readString(merged.resolve("only-bottom"))).isEqualTo("b");
        assertThat(Files.readString(single.resolve("shared"))).isEqualTo("bottom");
        for (Path p : List.of(merged, single)) {
            assertThatThrownBy(() -> Files.writeString(p.resolve("new"), "no"))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
        }
        assertThat(MountInfo.read()).filteredOn(m -> m.mountPoint().equals(merged.toString()))
                .singleElement().satisfies(m -> assertThat(m.options()).startsWith("ro"));

        mounter.unmount(merged, false);
        mounter.unmount(single, false);
        assertThat(mounter.isMounted(merged) || mounter.isMounted(single)).isFalse();
    }

    @Test
    void overlayRefusesOptionsOverOnePage() {
        List<Path> layers = IntStream.range(0, 60).mapToObj(i -> dir.resolve("layer-" + "x".repeat(60) + i)).toList();
        assertThatThrownBy(() -> mounter.mountOverlay(layers, dir.resolve("u"), dir.resolve("w"), dir.resolve("m")))
                .isInstanceOf(OciException.class).hasMessageContaining("4095-byte limit of mount(2)");
    }

    @Test
    void overlayRefusesPathsThatWouldBreakTheOptionString() {
        assertThatThrownBy(() -> mounter.mountOverlay(List.of(dir.resolve("a:b")), dir.resolve("u"),
                dir.resolve("w"), dir.resolve("m"))).isInstanceOf(OciException.class).hasMessageContaining("a:b");
    }

    @Test
    void errorsCarryErrnoText() {
        assertThatThrownBy(() -> mounter.mountTmpfs(dir.resolve("missing"), "size=1m"))
                .isInstanceOf(OciException.class)
                .hasMessage("failed to mount tmpfs at " + dir.resolve("missing") + ": No such file or directory (errno 2)");
    }
}
