package dev.peapod.testing;

import dev.peapod.oci.OciException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeMounterTest {
    @TempDir
    Path tmp;

    @Test
    void mountsStackLikeTheKernelsAndUnmountIsIdempotent() throws IOException {
        var m = new FakeMounter();
        Path shm = Files.createDirectories(tmp.resolve("shm"));
        m.mountTmpfs(shm, "size=1k");
        m.mountTmpfs(shm, "size=2k");

        m.unmount(shm, true);
        assertThat(m.isMounted(shm)).as("one mount is still stacked").isTrue();
        m.unmount(shm, true);
        m.unmount(shm, true);

        assertThat(m.mounted()).isEmpty();
        assertThat(m.history()).hasSize(2);
    }

    @Test
    void injectedFailuresAndMissingTargetsMountNothing() throws IOException {
        var m = new FakeMounter();
        Path a = Files.createDirectories(tmp.resolve("a"));
        m.failNextMountWhere(p -> p.endsWith("a"), "injected");

        assertThatThrownBy(() -> m.mountTmpfs(a, "")).isInstanceOf(OciException.class).hasMessageEndingWith("injected");
        assertThatThrownBy(() -> m.mountTmpfs(tmp.resolve("missing"), "")).hasMessageContaining("No such file");
        m.mountTmpfs(a, "");

        assertThat(m.mounted()).containsExactly(a);
    }
}
