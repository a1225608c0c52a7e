package dev.peapod.node;

import dev.peapod.image.LocalImageStore;
import dev.peapod.node.spec.HostFacts;
import dev.peapod.oci.ConmonRuntime;
import dev.peapod.oci.HostCgroups;
import dev.peapod.oci.HostLimits;
import dev.peapod.oci.HostPreflight;
import dev.peapod.oci.JdkProcessRunner;
import dev.peapod.oci.LinuxMounter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real parts on this host, after the preflight: crun or runc through conmon, mount(2) through
 * FFM, the host's cgroups, the local image store. {@link #notes} says what the preflight changed
 * on the host (e.g. a cgroup controller moved off the v2 hierarchy so that crun accepts it).
 */
public final class HostRuntime implements AutoCloseable {
    private final Engine.Parts parts;
    private final List<String> notes;

    private HostRuntime(Engine.Parts parts, List<String> notes) {
        this.parts = parts;
        this.notes = notes;
    }

    /** Checks the host (fixing what can be fixed) and builds the parts; fails with every problem and its fix. */
    public static HostRuntime open(NodeConfig config) {
        var mounter = new LinuxMounter();
        var runner = new JdkProcessRunner();
        var report = new HostPreflight(mounter, runner).fix();
        Trace.mark("host: preflight done");
        if (!report.ok()) throw new HostException(report.describe());
        var oci = new ConmonRuntime(new ConmonRuntime.Config(ConmonRuntime.detectRuntime(config.runtime()),
                ConmonRuntime.detectConmon(), config.runDir().resolve("oci"),
                config.runDir().resolve(config.runtime()), Duration.ofMinutes(2)), runner);
        Trace.mark("host: runtime ready");
        var cgroups = new HostCgroups();
        var limits = HostLimits.read();
        var host = new HostFacts(limits.nofileHard(), limits.nprocHard(), memoryCapacity(),
                cgroups.mode() == HostCgroups.CgroupMode.V2, swapAccounting(), ownOomScoreAdj())
                .withCapabilities(HostFacts.capabilitiesOfMask(boundingCapabilities()));
        Trace.mark("host: cgroups and limits read");
        var images = new LocalImageStore(config.dataDir().resolve("images"));
        var notes = new java.util.ArrayList<>(report.applied());
        var network = podNetwork(config, runner, notes);
        return new HostRuntime(new Engine.Parts(oci, mounter, cgroups, images, host, network), notes);
    }

    /**
     * CNI from the configured directory; on first start, when it holds no configuration, the default
     * bridge network ({@code peapod0}, 10.85.0.0/16, portmap, firewall) is written there.
     */
    private static PodNetwork podNetwork(NodeConfig config, dev.peapod.oci.ProcessRunner runner, List<String> notes) {
        if (config.cniConfigDir() == null) return PodNetwork.LOOPBACK_ONLY;
        var written = dev.peapod.network.DefaultCniConfig.PEAPOD.writeIfAbsent(config.cniConfigDir());
        written.ifPresent(f -> notes.add("wrote the default pod network configuration " + f));
        var selection = dev.peapod.network.CniConfigDir.require(config.cniConfigDir());
        var cni = new dev.peapod.network.CniNetwork(selection.config(),
                dev.peapod.network.CniNetwork.Options.defaults(config.dataDir().resolve("cni/results")), runner);
        Trace.mark("host: pod network configured");
        return new CniPodNetwork(cni, dev.peapod.network.NetnsManager.linux(config.runDir()));
    }

    public Engine.Parts parts() { return parts; }

    public List<String> notes() { return notes; }

    @Override
    public void close() {
        // Nothing is held open today; the handle exists so that fronts release the host in one place.
    }

    private static long memoryCapacity() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException ignored) {
            // unknown
        }
        return 0;
    }

    /** Swap limits need the v1 memsw files or the v2 swap files. */
    private static boolean swapAccounting() {
        return Files.exists(Path.of("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"))
                || Files.exists(Path.of("/sys/fs/cgroup/memory.swap.max"));
    }

    /**
     * Without CAP_SYS_RESOURCE a process may not lower oom_score_adj below its own value
     * (this happens in nested sandboxes): ask for no less (containerd's restrict_oom_score_adj).
     */
    private static int ownOomScoreAdj() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            var m = java.util.regex.Pattern.compile("CapEff:\\s*([0-9a-f]+)").matcher(status);
            boolean sysResource = m.find() && (Long.parseUnsignedLong(m.group(1), 16) & (1L << 24)) != 0;
            if (sysResource) return HostFacts.OOM_SCORE_ADJ_MIN;
            return Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The host cannot run pods; the message lists each problem and the command that fixes it. */
    public static final class HostException extends RuntimeException {
        HostException(String message) { super(message); }
    }

    /** The CapBnd mask of /proc/self/status: what crun, our child, may grant; all when unreadable. */
    private static long boundingCapabilities() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) return Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // fall through
        }
        return -1L;
    }
}
