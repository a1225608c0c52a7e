package dev.peapod.node.spec;

import dev.peapod.oci.spec.Mount;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The container's mount list, in containerd's order (internal/cri/opts/spec_linux_opts.go
 * {@code WithMounts}; pkg/oci/mounts.go {@code defaultMounts}):
 * <ol>
 *   <li>the kernel filesystems — /proc, /dev, /dev/pts, /dev/mqueue, /sys, /sys/fs/cgroup (no
 *       /run tmpfs: CRI removes it with {@code WithoutRunMount}) — minus any whose destination a
 *       bind mount below takes over (and everything under /dev if /dev itself is taken over);</li>
 *   <li>the bind mounts, stably sorted by path depth so that a parent is mounted before its
 *       children: the volume mounts in the container's order, then the pod's /etc/hosts and the
 *       termination message file (kubelet's own mounts), then /etc/hostname, /etc/resolv.conf and
 *       /dev/shm (containerd's); a pod file is left out when a volume mount targets its path.</li>
 * </ol>
 * Bind mounts carry {@code rbind, rprivate} and {@code ro} or {@code rw}. /etc/hostname and
 * /etc/resolv.conf are read-only exactly when the root filesystem is; /etc/hosts, /dev/shm and the
 * termination message file are always writable (kubelet and containerd do the same).
 */
final class Mounts {
    private Mounts() {}

    /** Kubernetes' default terminationMessagePath (API defaulting). */
    static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

    /** @param idmap an idmapped mount (volumes of {@code hostUsers: false} pods) */
    private record Bind(String destination, Path source, boolean readOnly, boolean idmap) {
        Bind(String destination, Path source, boolean readOnly) { this(destination, source, readOnly, false); }

        List<String> options() {
            var o = new ArrayList<>(List.of("rbind", "rprivate", readOnly ? "ro" : "rw"));
            if (idmap) o.add("idmap");
            return o;
        }
    }

    static List<Mount> of(SpecInput in, Security sec) {
        List<Bind> binds = binds(in, sec);
        Set<String> taken = new HashSet<>();
        for (Bind b : binds) taken.add(clean(b.destination()));
        var out = new ArrayList<Mount>();
        for (Mount m : kernelFilesystems(sec.privileged())) {
            String dst = clean(m.destination());
            if (taken.contains(dst) || (taken.contains("/dev") && dst.startsWith("/dev/"))) continue;
            out.add(m);
        }
        binds.stream()
                .sorted(Comparator.comparingLong(b -> depth(b.destination())))   // stable for ordered streams
                .forEach(b -> out.add(new Mount(b.destination(), "bind", b.source().toString(), b.options())));
        return out;
    }

    private static List<Bind> binds(SpecInput in, Security sec) {
        var binds = new ArrayList<Bind>();
        // Volumes of a hostUsers: false pod are idmapped (the runtime's "idmap" option, crun 1.8+):
        // a file keeps its on-disk owner as the container sees it, whatever the pod's host range
        // (KEP-127 with idmap mounts, Kubernetes 1.30+). The pod's own files (/etc/hosts...) are not.
        boolean idmap = in.sandbox().userns() != null;
        for (ResolvedMount m : in.facts().mounts()) {
            binds.add(new Bind(m.destination(), m.source(), m.readOnly(), idmap && m.idmappable()));
        }
        Set<String> volumes = new HashSet<>();
        for (Bind b : binds) volumes.add(clean(b.destination()));
        SandboxFacts.PodFiles files = in.sandbox().files();
        boolean ro = sec.readOnlyRootFilesystem();
        addUnlessTaken(binds, volumes, "/etc/hosts", files.hosts(), false);
        Path termination = in.facts().terminationMessageFile();
        if (termination != null) {
            String path = in.container().getTerminationMessagePath();
            binds.add(new Bind(path == null || path.isEmpty() ? DEFAULT_TERMINATION_MESSAGE_PATH : path,
                    termination, false));
        }
        addUnlessTaken(binds, volumes, "/etc/hostname", files.hostname(), ro);
        addUnlessTaken(binds, volumes, "/etc/resolv.conf", files.resolvConf(), ro);
        addUnlessTaken(binds, volumes, "/dev/shm", files.shm(), false);
        return binds;
    }

    private static void addUnlessTaken(List<Bind> binds, Set<String> volumes, String destination, Path source,
                                       boolean readOnly) {
        if (source != null && !volumes.contains(destination)) binds.add(new Bind(destination, source, readOnly));
    }

    private static List<Mount> kernelFilesystems(boolean privileged) {
        // A privileged container gets /sys and /sys/fs/cgroup writable (containerd
        // WithWriteableSysfs/WithWriteableCgroupfs via WithPrivileged).
        String mode = privileged ? "rw" : "ro";
        return List.of(
                new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", mode)),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", mode)));
    }

    /** Lexically cleaned path, like Go's filepath.Clean for absolute paths. */
    static String clean(String path) {
        String p = Path.of("/").resolve(path).normalize().toString();
        return p.isEmpty() ? "/" : p;
    }

    /** containerd {@code orderedMounts}: the number of separators in the cleaned path. */
    static long depth(String path) {
        return clean(path).chars().filter(ch -> ch == '/').count();
    }
}
