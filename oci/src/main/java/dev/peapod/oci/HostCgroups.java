package dev.peapod.oci;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@link Cgroups} on the host's cgroupfs mounts, found in /proc/self/mountinfo.
 * <ul>
 *   <li>V2: one cgroup2 tree at /sys/fs/cgroup; the pod directory and each of its ancestors get
 *       {@code +cpu +memory +pids} in {@code cgroup.subtree_control} (as far as the parent offers
 *       them), because a controller reaches a cgroup only through its parents (cgroup-v2.rst,
 *       "Top-down Constraint").</li>
 *   <li>V1 / HYBRID: a directory in each v1 hierarchy Peapod uses (cpu, cpuacct, memory, pids,
 *       cpuset, blkio, devices, freezer, hugetlb, name=systemd, where mounted), and on HYBRID in
 *       the controller-less cgroup2 tree too: crun 1.8 puts each container there as well
 *       (observed: {@code /sys/fs/cgroup/unified/<pod>/<container>}), and its delete leaves
 *       the pod level behind. New cpuset cgroups start with empty
 *       {@code cpuset.cpus}/{@code cpuset.mems}, in which no task may run, so they are copied
 *       from the parent (cgroups/cpusets.txt).</li>
 * </ul>
 */
public final class HostCgroups implements Cgroups {
    static final List<String> V1_CONTROLLERS = List.of(
            "cpu", "cpuacct", "memory", "pids", "cpuset", "blkio", "devices", "freezer", "hugetlb", "name=systemd");
    static final List<String> V2_CONTROLLERS = List.of("cpu", "memory", "pids");

    private final CgroupMode mode;
    /** Where pod directories go: every used hierarchy (v1 + unified) or the single v2 root. */
    private final List<Path> roots;
    private final Optional<Path> cpusetRoot;
    /** v1: the hierarchy of each controller; v2: every controller in the one tree. */
    private final java.util.Map<String, Path> controllerRoots = new java.util.HashMap<>();
    private final Duration removeTimeout;

    /** Detects the layout from /proc/self/mountinfo; {@link #remove} retries EBUSY for up to 2 s. */
    public HostCgroups() {
        this(MountInfo.read(), Duration.ofSeconds(2));
    }

    HostCgroups(List<MountInfo> mounts, Duration removeTimeout) {
        this.mode = detectMode(mounts);
        this.removeTimeout = removeTimeout;
        List<Path> found = new ArrayList<>();
        Path cpuset = null;
        if (mode == CgroupMode.V2) {
            found.add(cgroup2Mount(mounts).orElseThrow());
        } else {
            for (String controller : V1_CONTROLLERS) {
                Optional<Path> root = v1Mount(mounts, controller);
                root.filter(r -> !found.contains(r)).ifPresent(found::add);
                root.ifPresent(r -> controllerRoots.put(controller, r));
                if (controller.equals("cpuset") && root.isPresent()) {
                    cpuset = root.get();
                }
            }
            cgroup2Mount(mounts).ifPresent(found::add);
        }
        if (mode == CgroupMode.V2) V2_CONTROLLERS.forEach(c -> controllerRoots.put(c, found.getFirst()));
        this.roots = List.copyOf(found);
        this.cpusetRoot = Optional.ofNullable(cpuset);
    }

    /** V2 if cgroup2 is mounted at /sys/fs/cgroup; HYBRID if v1 controllers and a cgroup2 tree; else V1. */
    public static CgroupMode detectMode() {
        return detectMode(MountInfo.read());
    }

    static CgroupMode detectMode(List<MountInfo> mounts) {
        boolean v2Root = mounts.stream().anyMatch(m -> m.fsType().equals("cgroup2")
                && m.mountPoint().equals("/sys/fs/cgroup"));
        if (v2Root) {
            return CgroupMode.V2;
        }
        boolean v1 = mounts.stream().anyMatch(m -> m.fsType().equals("cgroup"));
        boolean v2 = mounts.stream().anyMatch(m -> m.fsType().equals("cgroup2"));
        if (!v1 && !v2) {
            throw new OciException("failed to detect cgroups: no cgroup filesystem is mounted");
        }
        return v1 && v2 ? CgroupMode.HYBRID : v1 ? CgroupMode.V1 : CgroupMode.V2;
    }

    static Optional<Path> cgroup2Mount(List<MountInfo> mounts) {
        return mounts.stream().filter(m -> m.fsType().equals("cgroup2")).map(m -> Path.of(m.mountPoint())).findFirst();
    }

    static Optional<Path> v1Mount(List<MountInfo> mounts, String controller) {
        return mounts.stream()
                .filter(m -> m.fsType().equals("cgroup") && m.superOptionList().contains(controller))
                .map(m -> Path.of(m.mountPoint())).findFirst();
    }

    @Override
    public CgroupMode mode() { return mode; }

    /** The hierarchy roots pod cgroups are created in (for tests and diagnostics). */
    public List<Path> hierarchies() { return roots; }

    @Override
    public void create(String podPath) {
        List<String> levels = levels(podPath);
        for (Path root : roots) {
            try {
                createDirectories(resolve(root, podPath));
                if (mode == CgroupMode.V2) {
                    enableControllers(root, levels);
                } else if (cpusetRoot.filter(root::equals).isPresent()) {
                    initCpusets(root, levels);
                }
            } catch (IOException e) {
                throw new OciException("failed to create cgroup " + podPath + " in " + root + ": " + e, e);
            }
        }
    }

    /** mkdir -p that survives a concurrent {@link #removeEmptyParents} of another pod's teardown. */
    private static void createDirectories(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createDirectories(dir);
                return;
            } catch (java.nio.file.NoSuchFileException e) {
                if (attempt >= 3) throw e;
            }
        }
    }

    private void enableControllers(Path root, List<String> levels) throws IOException {
        Path dir = root;
        for (int i = 0; i <= levels.size(); i++) {
            Set<String> offered = Set.of(Files.readString(dir.resolve("cgroup.controllers")).strip().split("\\s+"));
            Set<String> enabled = Set.of(Files.readString(dir.resolve("cgroup.subtree_control")).strip().split("\\s+"));
            StringBuilder wanted = new StringBuilder();
            for (String c : V2_CONTROLLERS) {
                if (offered.contains(c) && !enabled.contains(c)) {
                    wanted.append(wanted.isEmpty() ? "+" : " +").append(c);
                }
            }
            if (!wanted.isEmpty()) {
                Files.writeString(dir.resolve("cgroup.subtree_control"), wanted);
            }
            if (i < levels.size()) {
                dir = dir.resolve(levels.get(i));
            }
        }
    }

    private static void initCpusets(Path root, List<String> levels) throws IOException {
        Path parent = root;
        for (String level : levels) {
            Path dir = parent.resolve(level);
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (Files.readString(dir.resolve(file)).isBlank()) {
                    Files.writeString(dir.resolve(file), Files.readString(parent.resolve(file)).strip());
                }
            }
            parent = dir;
        }
    }

    @Override
    public void remove(String podPath) {
        List<String> levels = levels(podPath);
        for (Path root : roots) {
            removeTree(resolve(root, podPath));
            removeEmptyParents(root, levels);
        }
    }

    /**
     * Removes the parents of a pod cgroup ({@code /peapod}) once no pod is left in them, so that
     * an idle host holds no Peapod cgroup at all. A parent another pod still uses is not empty and
     * rmdir refuses (ENOTEMPTY/EBUSY): that is fine. {@link #create} retries when it races with this.
     */
    private static void removeEmptyParents(Path root, List<String> levels) {
        for (int depth = levels.size() - 1; depth >= 1; depth--) {
            Path dir = root.resolve(String.join("/", levels.subList(0, depth)));
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                return; // still in use
            }
        }
    }

    @Override
    public void write(String path, List<CgroupFile> files) {
        levels(path);
        for (CgroupFile f : files) {
            Path root = controllerRoots.get(f.controller());
            if (root == null) {
                throw new OciException("failed to set " + f.name() + " of cgroup " + path + ": the "
                        + f.controller() + " controller is not mounted");
            }
            Path file = resolve(root, path).resolve(f.name());
            try {
                Files.writeString(file, f.value());
            } catch (IOException e) {
                throw new OciException("failed to set " + f.name() + " of cgroup " + path + " to " + f.value()
                        + ": " + (e.getMessage() == null ? e : e.getMessage()), e);
            }
        }
    }

    @Override
    public java.util.OptionalLong oomKills(String path) {
        // Empty when gone already, or on a kernel without the counter.
        return readMemoryFile(path, "memory.events", "memory.oom_control").map(c -> counter(c, "oom_kill"))
                .orElse(java.util.OptionalLong.empty());
    }

    @Override
    public java.util.OptionalLong memoryUsage(String path) {
        try {
            return readMemoryFile(path, "memory.current", "memory.usage_in_bytes")
                    .map(c -> java.util.OptionalLong.of(Long.parseLong(c.strip()))).orElse(java.util.OptionalLong.empty());
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /** A memory controller file of the cgroup (its v2 or its v1 name); empty when it cannot be read. */
    private Optional<String> readMemoryFile(String path, String v2Name, String v1Name) {
        levels(path);
        Path root = controllerRoots.get("memory");
        if (root == null) return Optional.empty();
        try {
            return Optional.of(Files.readString(resolve(root, path).resolve(mode == CgroupMode.V2 ? v2Name : v1Name)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The value of {@code key} in a flat-keyed cgroup file ("key value" lines). */
    static java.util.OptionalLong counter(String content, String key) {
        for (String line : content.split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                try {
                    return java.util.OptionalLong.of(Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    return java.util.OptionalLong.empty();
                }
            }
        }
        return java.util.OptionalLong.empty();
    }

    /** rmdir children first; cgroupfs directories only hold virtual files, so rmdir is enough. */
    private void removeTree(Path dir) {
        List<Path> children;
        try (Stream<Path> entries = Files.list(dir)) {
            children = entries.filter(Files::isDirectory).toList();
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new OciException("failed to remove cgroup " + dir + ": " + e, e);
        }
        children.forEach(this::removeTree);
        rmdir(dir);
    }

    /**
     * A cgroup whose last task just exited can stay busy for a moment while the kernel finishes
     * the exit (EBUSY); retry briefly rather than fail the pod teardown.
     */
    private void rmdir(Path dir) {
        long deadline = System.nanoTime() + removeTimeout.toNanos();
        long pauseMillis = 1;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (FileSystemException e) {
                if (!isBusy(e) || System.nanoTime() > deadline) {
                    throw new OciException("failed to remove cgroup " + dir + ": " + e.getMessage(), e);
                }
            } catch (IOException e) {
                throw new OciException("failed to remove cgroup " + dir + ": " + e, e);
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OciException("failed to remove cgroup " + dir + ": interrupted", e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 50);
        }
    }

    private static boolean isBusy(FileSystemException e) {
        return e.getReason() != null && e.getReason().contains("busy");
    }

    /** "/peapod/pod-1" → [peapod, pod-1]; rejects relative paths and ".." so we never leave the tree. */
    static List<String> levels(String podPath) {
        if (podPath == null || !podPath.startsWith("/") || podPath.equals("/")) {
            throw new OciException("failed to use cgroup path " + podPath + ": must be absolute and not /");
        }
        List<String> levels = new ArrayList<>();
        for (String part : podPath.substring(1).split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new OciException("failed to use cgroup path " + podPath + ": bad component '" + part + "'");
            }
            levels.add(part);
        }
        return levels;
    }

    private static Path resolve(Path root, String podPath) {
        return root.resolve(podPath.substring(1));
    }
}
