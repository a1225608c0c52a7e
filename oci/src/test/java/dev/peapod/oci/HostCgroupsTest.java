package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peapod.oci.Cgroups.CgroupMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real cgroupfs on this host (hybrid: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified). */
class HostCgroupsTest {
    private final String top = "/" + TestHost.uniqueName("cg");
    private final String pod = top + "/pod-1";

    @BeforeAll
    static void host() {
        TestHost.ensureReady();
    }

    @AfterEach
    void tearDown() throws IOException {
        new HostCgroups().remove(top);
        TestHost.assertNoMountsOrCgroups();
    }

    @Test
    void detectsTheModeFromMountinfo() {
        List<MountInfo> hybrid = MountInfo.parse("""
                32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
                41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
                """);
        List<MountInfo> v2 = MountInfo.parse("31 23 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        List<MountInfo> v1 = MountInfo.parse("32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n");
        assertThat(HostCgroups.detectMode(hybrid)).isEqualTo(CgroupMode.HYBRID);
        assertThat(HostCgroups.detectMode(v2)).isEqualTo(CgroupMode.V2);
        assertThat(HostCgroups.detectMode(v1)).isEqualTo(CgroupMode.V1);
        assertThat(new HostCgroups(v1, Duration.ZERO).hierarchies()).containsExactly(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
    }

    @Test
    void createsThePodInEveryHierarchyAndRemovesIt() throws IOException {
        HostCgroups cgroups = new HostCgroups();
        assertThat(cgroups.mode()).isEqualTo(HostCgroups.detectMode());
        cgroups.create(pod);

        assertThat(cgroups.hierarchies()).isNotEmpty().allSatisfy(h -> assertThat(h.resolve(pod.substring(1))).isDirectory());
        if (cgroups.mode() == CgroupMode.HYBRID) {
            assertThat(cgroups.hierarchies()).contains(Path.of("/sys/fs/cgroup/memory"), Path.of("/sys/fs/cgroup/cpuset"),
                    Path.of("/sys/fs/cgroup/systemd"), Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup/hugetlb"));
            Path cpuset = Path.of("/sys/fs/cgroup/cpuset");
            assertThat(Files.readString(cpuset.resolve(pod.substring(1)).resolve("cpuset.cpus")).strip())
                    .isNotEmpty().isEqualTo(Files.readString(cpuset.resolve("cpuset.cpus")).strip());
            assertThat(Files.readString(cpuset.resolve(pod.substring(1)).resolve("cpuset.mems")).strip()).isNotEmpty();
        }
        if (cgroups.mode() == CgroupMode.V2) {
            Path root = cgroups.hierarchies().getFirst();
            assertThat(Files.readString(root.resolve(pod.substring(1)).resolve("cgroup.subtree_control")))
                    .contains("memory", "pids");
        }

        Files.createDirectories(cgroups.hierarchies().getFirst().resolve(pod.substring(1)).resolve("container/nested"));
        cgroups.remove(pod);
        cgroups.remove(pod); // idempotent
        assertThat(cgroups.hierarchies()).allSatisfy(h -> {
            assertThat(h.resolve(pod.substring(1))).doesNotExist();
            // The emptied parent goes too: an idle host holds no Peapod cgroup.
            assertThat(h.resolve(top.substring(1))).doesNotExist();
        });
    }

    @Test
    void aParentStillHoldingAnotherPodStays() {
        HostCgroups cgroups = new HostCgroups();
        String other = top + "/other";
        cgroups.create(pod);
        cgroups.create(other);
        cgroups.remove(pod);
        assertThat(cgroups.hierarchies()).allSatisfy(h -> {
            assertThat(h.resolve(pod.substring(1))).doesNotExist();
            assertThat(h.resolve(other.substring(1))).isDirectory();
        });
        cgroups.remove(other);
        assertThat(cgroups.hierarchies()).allSatisfy(h -> assertThat(h.resolve(top.substring(1))).doesNotExist());
    }

    /** A cgroup with a live task is busy; once the task is gone the removal goes through. */
    @Test
    void removeFailsWhileATaskLivesThereAndSucceedsAfter() throws Exception {
        HostCgroups cgroups = new HostCgroups(MountInfo.read(), Duration.ofMillis(100));
        cgroups.create(pod);
        Path pids = cgroups.hierarchies().getFirst();
        Process sleeper = new ProcessBuilder("/bin/sleep", "1000").start();
        try {
            Files.writeString(pids.resolve(pod.substring(1)).resolve("cgroup.procs"), Long.toString(sleeper.pid()));
            assertThatThrownBy(() -> cgroups.remove(pod)).isInstanceOf(OciException.class)
                    .hasMessageStartingWith("failed to remove cgroup ").hasMessageContaining("busy");
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(20, TimeUnit.SECONDS);
        }
        new HostCgroups().remove(pod);
        assertThat(pids.resolve(pod.substring(1))).doesNotExist();
    }

    @Test
    void rejectsPathsOutsideTheTree() {
        HostCgroups cgroups = new HostCgroups();
        assertThatThrownBy(() -> cgroups.create("relative")).isInstanceOf(OciException.class);
        assertThatThrownBy(() -> cgroups.create("/a/../../etc")).isInstanceOf(OciException.class);
        assertThatThrownBy(() -> cgroups.remove("/")).isInstanceOf(OciException.class);
    }

    @Test
    void writesLimitsIntoEachControllersHierarchyAndReadsTheOomCounter() throws IOException {
        HostCgroups cgroups = new HostCgroups();
        cgroups.create(pod);
        var limits = new CgroupLimits(512, 25_000L, 100_000, 32L << 20, false, 64L);
        cgroups.write(pod, limits.files(cgroups.mode()));

        if (cgroups.mode() == CgroupMode.V2) {
            Path dir = cgroups.hierarchies().getFirst().resolve(pod.substring(1));
            assertThat(Files.readString(dir.resolve("cpu.max")).strip()).isEqualTo("25000 100000");
            assertThat(Files.readString(dir.resolve("memory.max")).strip()).isEqualTo(Long.toString(32L << 20));
            assertThat(Files.readString(dir.resolve("pids.max")).strip()).isEqualTo("64");
        } else {
            Path cg = Path.of("/sys/fs/cgroup");
            assertThat(Files.readString(cg.resolve("cpu" + pod + "/cpu.cfs_quota_us")).strip()).isEqualTo("25000");
            assertThat(Files.readString(cg.resolve("cpu" + pod + "/cpu.shares")).strip()).isEqualTo("512");
            assertThat(Files.readString(cg.resolve("memory" + pod + "/memory.limit_in_bytes")).strip())
                    .isEqualTo(Long.toString(32L << 20));
            assertThat(Files.readString(cg.resolve("pids" + pod + "/pids.max")).strip()).isEqualTo("64");
        }
        // Lifting the limits again.
        cgroups.write(pod, new CgroupLimits(1024, null, 100_000, null, false, null).files(cgroups.mode()));
        if (cgroups.mode() != CgroupMode.V2) {
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu" + pod + "/cpu.cfs_quota_us")).strip()).isEqualTo("-1");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids" + pod + "/pids.max")).strip()).isEqualTo("max");
        }
        assertThat(cgroups.oomKills(pod)).hasValue(0);
        assertThat(cgroups.memoryUsage(pod)).hasValue(0); // no task ever ran in it
        assertThat(cgroups.memoryUsage(pod + "/missing")).isEmpty();
        assertThat(cgroups.oomKills(pod + "/missing")).isEmpty();
        assertThatThrownBy(() -> cgroups.write(pod + "/missing", limits.files(cgroups.mode())))
                .isInstanceOf(OciException.class).hasMessageContaining("failed to set cpu.");
    }

    @Test
    void readsFlatKeyedCounters() {
        assertThat(HostCgroups.counter("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill")).hasValue(3);
        assertThat(HostCgroups.counter("low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n", "oom_kill"))
                .hasValue(1);
        assertThat(HostCgroups.counter("oom_kill_disable 0\nunder_oom 0\n", "oom_kill")).isEmpty();
    }
}
