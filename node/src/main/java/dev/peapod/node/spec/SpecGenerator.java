package dev.peapod.node.spec;

import dev.peapod.oci.spec.Linux;
import dev.peapod.oci.spec.Process;
import dev.peapod.oci.spec.Root;
import dev.peapod.oci.spec.Spec;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a container's OCI {@code config.json} from the pod, the container, the image config and
 * facts about the sandbox and the host. A pure function: it reads no files, starts nothing and
 * returns equal specs for equal inputs (DESIGN.md habit 4; containerd
 * internal/cri/server/container_create.go {@code buildLinuxSpec} is the model, kubelet
 * {@code generateContainerConfig} decides what it is fed).
 *
 * <p>The container joins the sandbox's network, IPC and UTS namespaces and gets a new mount
 * namespace; its pid namespace is new, the sandbox's ({@code shareProcessNamespace}) or the
 * host's ({@code hostPID}). The spec sets no {@code hostname}: the joined UTS namespace already
 * carries the pod's, and runtimes refuse a hostname without a private UTS namespace (runc's
 * config validator: "unable to set hostname without a private UTS namespace"); containerd sets
 * it only on the sandbox.
 */
public final class SpecGenerator {
    private SpecGenerator() {}

    /** The container's nofile limit: containerd/CRI-O default 1048576, capped by the host's hard limit. */
    static final long DEFAULT_NOFILE = 1_048_576;

    /**
     * Kubelet's default masked paths (pkg/securitycontext/util.go {@code defaultMaskedPaths}, which
     * containerd's CRI applies instead of its own list; same set as containerd pkg/oci/spec.go).
     */
    static final List<String> MASKED_PATHS = List.of(
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/sys/devices/virtual/powercap");

    /** Kubelet's default read-only paths (pkg/securitycontext/util.go {@code defaultReadonlyPaths}). */
    static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /**
     * The spec for {@code in.container()}.
     *
     * @throws SpecException when the container cannot run as configured (no command, unknown user,
     *                       runAsNonRoot violated, a needed sandbox namespace missing)
     */
    public static Spec generate(SpecInput in) {
        Security sec = Security.of(in.pod(), in.container());
        Environment env = Environment.build(in.facts().env(), in.image().env(), in.sandbox().hostname());
        Process.Capabilities caps = Caps.of(sec, in.host().capabilities());
        // Container.tty: the process runs on a terminal (conmon -t holds its master), with
        // TERM=xterm as containerd's WithTTY and CRI-O add it.
        boolean tty = Boolean.TRUE.equals(in.container().getTty());
        var process = new Process(tty, Users.resolve(in, sec),
                ProcessArgs.of(in.container(), in.image(), env.container()), tty ? withTerm(env.process()) : env.process(), workingDir(in),
                caps, List.of(nofile(in.host())), sec.noNewPrivileges(),
                oomScoreAdj(in), sec.appArmorProfile());
        boolean masked = !sec.privileged() && !sec.unmaskedProc();
        // The profile is fitted to the capabilities the process gets (Docker/Podman setupSeccomp).
        SeccompProfile profile = sec.privileged() ? null : in.facts().seccomp();
        var userns = in.sandbox().userns();
        var idMap = userns == null ? null : List.of(new Linux.IdMapping(0, userns.hostId(), userns.size()));
        var linux = new Linux(namespaces(in, sec), idMap, idMap,
                ResourcePolicy.of(in.container(), sec.privileged(), in.host().swapAccounting()),
                in.facts().cgroupsPath(), null,
                masked ? MASKED_PATHS : List.of(), masked ? READONLY_PATHS : List.of(),
                profile == null ? null : profile.toOci(caps.bounding(), SeccompProfile.NATIVE_ARCH), null)
                // containerd WithPrivileged: every host device, beside the allow-all device rule.
                .withDevices(sec.privileged() ? in.facts().hostDevices() : List.of());
        return new Spec(Spec.VERSION, process,
                new Root(in.facts().rootfs().toString(), sec.readOnlyRootFilesystem()), null,
                Mounts.of(in, sec), linux, annotations(in));
    }

    /** {@code env} with {@code TERM=xterm} appended unless it names a TERM already. */
    private static List<String> withTerm(List<String> env) {
        if (env.stream().anyMatch(e -> e.startsWith("TERM="))) return env;
        var withTerm = new java.util.ArrayList<>(env);
        withTerm.add("TERM=xterm");
        return List.copyOf(withTerm);
    }

    /** container.workingDir, else the image's WorkingDir, else "/". */
    private static String workingDir(SpecInput in) {
        String dir = in.container().getWorkingDir();
        if (dir != null && !dir.isEmpty()) return dir;
        dir = in.image().workingDir();
        return dir != null && !dir.isEmpty() ? dir : "/";
    }

    /** kubelet's QoS score, raised to what the runtime may set (containerd restrictOOMScoreAdj). */
    private static Integer oomScoreAdj(SpecInput in) {
        Integer adj = QosPolicy.oomScoreAdj(in.pod(), in.container(), in.host().memoryCapacityBytes());
        return adj == null ? null : Math.max(adj, in.host().minOomScoreAdj());
    }

    private static Process.Rlimit nofile(HostFacts host) {
        long n = Math.min(DEFAULT_NOFILE, host.nofileHard());
        return new Process.Rlimit("RLIMIT_NOFILE", n, n);
    }

    /** In containerd's order (pid, ipc, uts, mount, network, cgroup); a host namespace has no entry. */
    private static List<Linux.Namespace> namespaces(SpecInput in, Security sec) {
        PodSpec pod = in.pod().getSpec();
        SandboxFacts.Namespaces ns = in.sandbox().namespaces();
        boolean hostNetwork = Boolean.TRUE.equals(pod.getHostNetwork());
        var out = new ArrayList<Linux.Namespace>();
        if (in.sandbox().userns() != null && Boolean.TRUE.equals(pod.getShareProcessNamespace())) {
            // The pod's namespaces belong to the host's user namespace (see userNamespace below);
            // a container's user namespace could not mount /proc for the infra's pid namespace.
            throw new SpecException(SpecException.CREATE_CONTAINER_CONFIG_ERROR,
                    "failed to create the user namespace of container \"" + in.container().getName()
                            + "\": hostUsers: false with shareProcessNamespace is not supported by Peapod");
        }
        userNamespace(in, out);
        if (!Boolean.TRUE.equals(pod.getHostPID())) {
            out.add(Boolean.TRUE.equals(pod.getShareProcessNamespace())
                    ? Linux.Namespace.join("pid", required(in, "pid", ns.pid()))
                    : Linux.Namespace.create("pid"));
        }
        if (!Boolean.TRUE.equals(pod.getHostIPC())) out.add(Linux.Namespace.join("ipc", required(in, "ipc", ns.ipc())));
        // hostNetwork also means the host's UTS namespace (containerd WithPodNamespaces).
        if (!hostNetwork) out.add(Linux.Namespace.join("uts", required(in, "uts", ns.uts())));
        out.add(Linux.Namespace.create("mount"));
        if (!hostNetwork) out.add(Linux.Namespace.join("network", required(in, "network", ns.network())));
        // cgroupns hides the host's hierarchy on v2; not on v1 or for privileged containers
        // (KEP-2254 cgroup v2, "cgroup namespace"; containerd buildLinuxSpec).
        if (in.host().cgroupV2() && !sec.privileged()) out.add(Linux.Namespace.create("cgroup"));
        return out;
    }

    /**
     * {@code hostUsers: false}: a new user namespace with the pod's mapping, created first so the
     * container's new pid, mount and cgroup namespaces belong to it. Unlike containerd, where the
     * sandbox owns the user namespace and the pod's network namespace is created inside it, the
     * pod's network, IPC and UTS namespaces stay owned by the host's user namespace (the pod
     * network is set up before any container exists, and the kubelet-approved sysctls are written
     * by the infra in them); every container of the pod gets its own user namespace with the same
     * mapping, so files and processes have the same owners across the pod. The price: the
     * container's root has no CAP_NET_ADMIN over the pod's network.
     */
    private static void userNamespace(SpecInput in, List<Linux.Namespace> out) {
        if (in.sandbox().userns() != null) out.add(Linux.Namespace.create("user"));
    }

    private static String required(SpecInput in, String type, String path) {
        if (path == null || path.isEmpty()) {
            throw new SpecException(SpecException.CREATE_CONTAINER_ERROR,
                    "failed to join the " + type + " namespace of pod \"" + in.pod().getMetadata().getName()
                            + "\": the sandbox has no " + type + " namespace path");
        }
        return path;
    }

    private static Map<String, String> annotations(SpecInput in) {
        var meta = in.pod().getMetadata();
        var a = new LinkedHashMap<String, String>();
        a.put("io.kubernetes.cri.container-type", "container");
        a.put("io.kubernetes.pod.name", meta.getName());
        a.put("io.kubernetes.pod.namespace", meta.getNamespace() == null ? "default" : meta.getNamespace());
        if (meta.getUid() != null) a.put("io.kubernetes.pod.uid", meta.getUid());
        a.put("io.kubernetes.container.name", in.container().getName());
        return a;
    }
}
