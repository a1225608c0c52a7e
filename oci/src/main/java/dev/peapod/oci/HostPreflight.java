package dev.peapod.oci;

import dev.peapod.oci.Cgroups.CgroupMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that this host can run Peapod's containers and fixes what it safely can. Packages are
 * never installed automatically (that is the administrator's call); the report names the Debian
 * package and the exact command. Thread safe; {@link #fix} changes the host (a module load, cgroup
 * mounts) and is idempotent.
 */
public final class HostPreflight {
    /** Debian package per tool: crun, conmon, catatonit (pause), CNI plugins (pod networking). */
    static final Map<String, String> PACKAGES = Map.of(
            "crun", "crun", "runc", "runc", "conmon", "conmon", "catatonit", "catatonit",
            "bridge", "containernetworking-plugins");
    static final List<Path> CNI_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private final Mounter mounter;
    private final ProcessRunner runner;

    public HostPreflight(Mounter mounter, ProcessRunner runner) {
        this.mounter = mounter;
        this.runner = runner;
    }

    /**
     * The host as preflight sees it.
     *
     * @param unifiedControllers controllers on the cgroup2 tree of a hybrid host (empty otherwise)
     */
    record HostFacts(int euid, boolean overlayfs, List<HostProblem.MissingBinary> missing, CgroupMode mode,
                     List<String> unifiedControllers) {}

    /** Reads the facts and reports every problem; changes nothing. */
    public PreflightReport check() {
        return new PreflightReport(problems(readFacts()), List.of(), List.of());
    }

    /** Applies the fixes it can (overlay module, hybrid controllers), then checks again. */
    public PreflightReport fix() {
        List<String> applied = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (HostProblem problem : problems(readFacts())) {
            switch (problem) {
                case HostProblem.NoOverlayfs ignored -> loadOverlay(applied, failures);
                case HostProblem.HybridControllers h -> h.controllers().forEach(c -> bindController(c, applied, failures));
                case HostProblem.NotRoot ignored -> { }
                case HostProblem.MissingBinary ignored -> { }
            }
        }
        return new PreflightReport(problems(readFacts()), applied, failures);
    }

    /** {@link #fix}, then throws with every remaining problem and its fix command. */
    public PreflightReport requireReady() {
        PreflightReport report = fix();
        if (!report.ok()) {
            throw new OciException("failed to prepare host for Peapod:\n" + report.describe()
                    + (report.failures().isEmpty() ? "" : "\n" + String.join("\n", report.failures())));
        }
        return report;
    }

    /** Pure: the problems these facts imply. Not being root hides the rest, which cannot be fixed without it. */
    static List<HostProblem> problems(HostFacts facts) {
        List<HostProblem> problems = new ArrayList<>();
        if (facts.euid() != 0) {
            problems.add(new HostProblem.NotRoot(facts.euid()));
        }
        problems.addAll(facts.missing());
        if (!facts.overlayfs()) {
            problems.add(new HostProblem.NoOverlayfs());
        }
        if (facts.mode() == CgroupMode.HYBRID && !facts.unifiedControllers().isEmpty()) {
            problems.add(new HostProblem.HybridControllers(facts.unifiedControllers()));
        }
        return problems;
    }

    static HostFacts readFacts() {
        List<MountInfo> mounts = MountInfo.read();
        CgroupMode mode = HostCgroups.detectMode(mounts);
        List<String> unified = mode == CgroupMode.HYBRID
                ? HostCgroups.cgroup2Mount(mounts).map(HostPreflight::controllers).orElse(List.of())
                : List.of();
        return new HostFacts(Libc.geteuid(), hasOverlayfs(), missingBinaries(), mode, unified);
    }

    static List<HostProblem.MissingBinary> missingBinaries() {
        List<HostProblem.MissingBinary> missing = new ArrayList<>();
        if (Executables.find("crun").isEmpty() && Executables.find("runc").isEmpty()) {
            missing.add(new HostProblem.MissingBinary("crun (or runc)", PACKAGES.get("crun")));
        }
        for (String tool : List.of("conmon", "catatonit")) {
            if (Executables.find(tool).isEmpty()) {
                missing.add(new HostProblem.MissingBinary(tool, PACKAGES.get(tool)));
            }
        }
        boolean cni = CNI_DIRS.stream().anyMatch(dir -> List.of("bridge", "host-local", "loopback", "portmap")
                .stream().allMatch(p -> Files.isExecutable(dir.resolve(p))));
        if (!cni) {
            missing.add(new HostProblem.MissingBinary("CNI plugins (bridge, host-local, loopback, portmap in "
                    + CNI_DIRS.getFirst() + ")", PACKAGES.get("bridge")));
        }
        return missing;
    }

    private static boolean hasOverlayfs() {
        try {
            // Lines read "nodev\toverlay": the name is the last field.
            return Files.readAllLines(Path.of("/proc/filesystems")).stream()
                    .map(line -> line.strip().split("\\s+"))
                    .anyMatch(fields -> fields[fields.length - 1].equals("overlay"));
        } catch (IOException e) {
            throw new OciException("failed to read /proc/filesystems: " + e, e);
        }
    }

    private static List<String> controllers(Path cgroup2Root) {
        try {
            String text = Files.readString(cgroup2Root.resolve("cgroup.controllers")).strip();
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\\s+"));
        } catch (IOException e) {
            throw new OciException("failed to read " + cgroup2Root.resolve("cgroup.controllers") + ": " + e, e);
        }
    }

    private void loadOverlay(List<String> applied, List<String> failures) {
        Optional<Path> modprobe = Executables.find("modprobe");
        if (modprobe.isEmpty()) {
            failures.add("failed to load overlay module: modprobe is not installed (apt-get install -y kmod)");
            return;
        }
        ProcessResult result = runner.run(List.of(modprobe.get().toString(), "overlay"), Duration.ofSeconds(30));
        if (result.succeeded() && hasOverlayfs()) {
            applied.add("loaded the overlay kernel module (modprobe overlay)");
        } else {
            failures.add("failed to load overlay module: " + result.cause());
        }
    }

    /** The fix the host notes verified: a controller mounted as v1 leaves the cgroup2 tree. */
    private void bindController(String controller, List<String> applied, List<String> failures) {
        Path target = CGROUP_ROOT.resolve(controller);
        try {
            Files.createDirectories(target);
            mounter.mountCgroupV1(controller, target);
            applied.add("bound cgroup controller " + controller + " to a v1 hierarchy at " + target
                    + " so that crun accepts this hybrid host");
        } catch (IOException | OciException e) {
            failures.add("failed to bind cgroup controller " + controller + " to " + target + ": " + e.getMessage());
        }
    }
}
