package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real-host fixtures for the oci tests: a prepared host, busybox bundles, and the leftover
 * checks every test ends with (no conmon, no runtime state, no mounts, no cgroups named
 * peapod-test).
 */
final class TestHost {
    static final String MARK = "peapod-test";
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static PreflightReport prepared;

    private TestHost() {}

    /** Applies the host fixes once per JVM (crun refuses this hybrid host until hugetlb is moved to v1). */
    static PreflightReport ensureReady() {
        LOCK.lock();
        try {
            if (prepared == null) {
                prepared = new HostPreflight(new LinuxMounter(), new JdkProcessRunner()).fix();
            }
            assertThat(prepared.problems()).as("host problems: %s %s", prepared.describe(), prepared.failures())
                    .isEmpty();
            return prepared;
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * A bundle whose rootfs is the static busybox plus applet symlinks, with a hand-written
     * config.json (pid, mount, ipc, uts and network namespaces; /proc, /dev, /sys).
     */
    static Path busyboxBundle(Path dir, String cgroupsPath, String... args) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        for (String d : List.of("bin", "proc", "dev", "sys", "tmp")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "sleep", "echo", "cat", "true")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        String argv = Stream.of(args).map(TestHost::json).collect(Collectors.joining(","));
        Files.writeString(dir.resolve("config.json"), """
                {"ociVersion": "1.0.2",
                 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": [%s],
                             "env": ["PATH=/bin"], "cwd": "/"},
                 "root": {"path": "rootfs"},
                 "hostname": "peapod-test",
                 "mounts": [
                   {"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                   {"destination": "/sys", "type": "sysfs", "source": "sysfs",
                    "options": ["nosuid", "noexec", "nodev", "ro"]}],
                 "linux": {"cgroupsPath": %s,
                           "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"},
                                          {"type": "uts"}, {"type": "network"}]}}
                """.formatted(argv, json(cgroupsPath)));
        return dir;
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Everything this JVM's tests may have started, checked by every test's cleanup. */
    static void assertNoLeftovers(Path runtimeRoot) throws IOException {
        assertThat(conmonProcesses()).as("conmon processes left").isEmpty();
        if (Files.isDirectory(runtimeRoot)) {
            try (Stream<Path> entries = Files.list(runtimeRoot)) {
                assertThat(entries.filter(Files::isDirectory).toList()).as("runtime state left").isEmpty();
            }
        }
        assertNoMountsOrCgroups();
    }

    static void assertNoMountsOrCgroups() throws IOException {
        assertThat(MountInfo.read().stream().map(MountInfo::mountPoint).filter(m -> m.contains(MARK)).toList())
                .as("mounts left").isEmpty();
        assertThat(cgroupDirs()).as("cgroups left").isEmpty();
    }

    static List<String> conmonProcesses() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains("conmon") && cmdline.contains(MARK)) {
                        found.add(proc.getFileName() + ": " + cmdline);
                    }
                } catch (IOException gone) {
                    // exited while we looked
                }
            }
        }
        return found;
    }

    static List<Path> cgroupDirs() throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.filter(Files::isDirectory).toList()) {
                if (h.getFileName().toString().startsWith(MARK)) { // a v2 host keeps cgroups right here
                    found.add(h);
                    continue;
                }
                try (Stream<Path> dirs = Files.list(h)) {
                    dirs.filter(d -> d.getFileName().toString().startsWith(MARK)).forEach(found::add);
                }
            }
        }
        return found;
    }

    static String uniqueName(String what) {
        return MARK + "-" + what + "-" + Long.toHexString(System.nanoTime());
    }

    /** Exited: no such process, or a zombie its new parent (pid 1 here) has not reaped yet. */
    static boolean isGone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    /** Waits for a process to exit (pidfd, no polling); false after the deadline. */
    static boolean awaitExit(int pid, Duration timeout) {
        return Libc.awaitExit(pid, (int) timeout.toMillis());
    }
}
