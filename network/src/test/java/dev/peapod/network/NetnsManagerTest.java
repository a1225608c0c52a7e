package dev.peapod.network;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Real namespaces (root). Each test uses its own names; the directory is unmounted at the end. */
class NetnsManagerTest {
    static Path runDir;
    static NetnsManager manager;

    @BeforeAll
    static void setUp() throws Exception {
        RootHost.require();
        runDir = Files.createTempDirectory("peapod-netns-test");
        manager = NetnsManager.linux(runDir);
    }

    @AfterAll
    static void tearDown() {
        if (manager == null) return;
        manager.list().forEach(manager::remove);
        RootHost.sh("umount " + runDir.resolve("netns") + "; rm -rf " + runDir);
        assertThat(RootHost.ok("grep -c " + runDir + " /proc/self/mountinfo || true").strip()).isEqualTo("0");
    }

    @Test
    void createMakesANamespaceWithLoopbackUp() {
        Path ns = manager.create("nsa");

        assertThat(ns).isEqualTo(runDir.resolve("netns/nsa"));
        assertThat(NetnsManager.isNetns(ns)).isTrue();
        String links = RootHost.ok("nsenter --net=" + ns + " ip -o link show");
        assertThat(links.strip().lines()).hasSize(1);
        assertThat(links).contains("lo:").contains("UP,LOWER_UP");
        // A different namespace from ours: its inode differs from the host's.
        assertThat(RootHost.ok("stat -L -c %i " + ns)).isNotEqualTo(RootHost.ok("stat -L -c %i /proc/self/ns/net"));
        String ping = RootHost.ok("nsenter --net=" + ns + " busybox ping -c 1 -W 1 127.0.0.1");
        assertThat(ping).contains("1 packets received");
        manager.remove("nsa");
    }

    @Test
    void createAndRemoveAreIdempotent() {
        Path first = manager.create("nsb");
        String inode = RootHost.ok("stat -L -c %i " + first);
        Path again = manager.create("nsb");

        assertThat(again).isEqualTo(first);
        assertThat(RootHost.ok("stat -L -c %i " + again)).as("the same namespace").isEqualTo(inode);

        manager.remove("nsb");
        manager.remove("nsb");
        assertThat(Files.exists(first)).isFalse();
        assertThat(NetnsManager.isNetns(first)).isFalse();
        assertThat(manager.list()).doesNotContain("nsb");
    }

    @Test
    void aFileLeftByAHalfDoneCreateIsReused() throws Exception {
        Path stale = runDir.resolve("netns/nsc");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "");
        assertThat(NetnsManager.isNetns(stale)).isFalse();

        manager.create("nsc");

        assertThat(NetnsManager.isNetns(stale)).isTrue();
        manager.remove("nsc");
    }

    @Test
    void theCallingThreadStaysInItsNamespace() {
        String before = RootHost.ok("stat -L -c %i /proc/" + ProcessHandle.current().pid() + "/task/*/ns/net | sort -u");

        manager.create("nsd");
        manager.remove("nsd");

        String after = RootHost.ok("stat -L -c %i /proc/" + ProcessHandle.current().pid() + "/task/*/ns/net | sort -u");
        assertThat(after).isEqualTo(before);
        assertThat(before.strip().lines()).hasSize(1);
    }

    @Test
    void theDirectoryIsASharedMountLikeIproute2s() {
        manager.create("nse");
        String line = RootHost.ok("grep ' " + runDir.resolve("netns") + " ' /proc/self/mountinfo");
        assertThat(line).contains("shared:");
        manager.remove("nse");
    }

    @Test
    void badNamesAreRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> manager.create("../x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
