package dev.peapod.node.volume;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicWriterTest {
    @TempDir Path dir;

    private static FileProjection file(String text, int mode) {
        return new FileProjection(text.getBytes(StandardCharsets.UTF_8), mode);
    }

    private List<String> entries() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesATimestampedDirectoryADataLinkAndVisibleLinksThroughIt() throws Exception {
        assertThat(new AtomicWriter(dir).write(Map.of("a.conf", file("one", 0644), "sub/dir/b", file("two", 0400)))).isTrue();

        Path data = dir.resolve("..data");
        assertThat(Files.isSymbolicLink(data)).isTrue();
        String stamp = Files.readSymbolicLink(data).toString();
        assertThat(stamp).matches("\\.\\.\\d{4}_\\d\\d_\\d\\d_\\d\\d_\\d\\d_\\d\\d\\.\\d+");
        assertThat(Files.readSymbolicLink(dir.resolve("a.conf"))).isEqualTo(Path.of("..data/a.conf"));
        assertThat(Files.readSymbolicLink(dir.resolve("sub"))).isEqualTo(Path.of("..data/sub"));
        assertThat(Files.readString(dir.resolve("a.conf"))).isEqualTo("one");
        assertThat(Files.readString(dir.resolve("sub/dir/b"))).isEqualTo("two");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(stamp).resolve("a.conf")))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(stamp).resolve("sub/dir/b")))).isEqualTo("r--------");
        assertThat(entries()).containsExactlyInAnyOrder("..data", stamp, "a.conf", "sub");
    }

    @Test
    void anUpdateSwapsTheDataLinkRemovesTheOldDirectoryAndEntriesGoneFromThePayload() throws Exception {
        var writer = new AtomicWriter(dir);
        writer.write(Map.of("keep", file("v1", 0644), "drop", file("x", 0644)));
        String first = Files.readSymbolicLink(dir.resolve("..data")).toString();

        assertThat(writer.write(Map.of("keep", file("v2", 0600), "new", file("n", 0644)))).isTrue();

        String second = Files.readSymbolicLink(dir.resolve("..data")).toString();
        assertThat(second).isNotEqualTo(first);
        assertThat(Files.readString(dir.resolve("keep"))).isEqualTo("v2");
        assertThat(Files.readString(dir.resolve("new"))).isEqualTo("n");
        assertThat(entries()).containsExactlyInAnyOrder("..data", second, "keep", "new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keep")))).isEqualTo("rw-------");
    }

    @Test
    void anUnchangedPayloadIsNotRewritten() throws Exception {
        var writer = new AtomicWriter(dir);
        writer.write(Map.of("k", file("same", 0644)));
        String first = Files.readSymbolicLink(dir.resolve("..data")).toString();
        assertThat(writer.write(Map.of("k", file("same", 0644)))).isFalse();
        assertThat(Files.readSymbolicLink(dir.resolve("..data")).toString()).isEqualTo(first);
        // A mode change alone is a change.
        assertThat(writer.write(Map.of("k", file("same", 0640)))).isTrue();
    }

    @Test
    void leftoversOfAnInterruptedWriteAreRemoved() throws Exception {
        Files.createDirectory(dir.resolve("..2020_01_01_00_00_00.123"));
        Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2020_01_01_00_00_00.123"));
        new AtomicWriter(dir).write(Map.of("k", file("v", 0644)));
        String current = Files.readSymbolicLink(dir.resolve("..data")).toString();
        assertThat(entries()).containsExactlyInAnyOrder("..data", current, "k");
    }

    @Test
    void pathsThatWouldEscapeOrCollideAreRefusedBeforeAnythingIsWritten() {
        var writer = new AtomicWriter(dir);
        for (String bad : List.of("../x", "a/../../x", "/etc/passwd", "..data", "..x", "", "./.")) {
            assertThatThrownBy(() -> writer.write(Map.of(bad, file("evil", 0644)))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void aFileAndADirectoryOfTheSameNameAreRefused() {
        assertThatThrownBy(() -> new AtomicWriter(dir).write(Map.of("a", file("1", 0644), "a/b", file("2", 0644))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(dir.resolve("..data"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
