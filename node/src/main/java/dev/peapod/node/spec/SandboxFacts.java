package dev.peapod.node.spec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a container of the pod shares with the pod's sandbox (the infra process).
 *
 * @param namespaces the infra's namespaces, joined by every container of the pod
 * @param files      pod-wide files bind-mounted into every container
 * @param hostname   the pod's hostname: {@code spec.hostname} or the pod name, at most 63
 *                   characters (kubelet {@code GeneratePodHostNameAndDomain}); becomes the
 *                   {@code HOSTNAME} variable, as containerd sets it
 *                   (internal/cri/server/container_create.go, "Add HOSTNAME env")
 * @param userns     the pod's uid/gid mapping when it has {@code hostUsers: false}, else null
 */
public record SandboxFacts(Namespaces namespaces, PodFiles files, String hostname, PodUserNamespace userns) {
    public SandboxFacts {
        Objects.requireNonNull(namespaces, "namespaces");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(hostname, "hostname");
    }

    /** A sandbox in the host's user namespace. */
    public SandboxFacts(Namespaces namespaces, PodFiles files, String hostname) {
        this(namespaces, files, hostname, null);
    }

    public SandboxFacts withUserns(PodUserNamespace u) { return new SandboxFacts(namespaces, files, hostname, u); }

    /**
     * Namespace files of the infra process. The pod decides which are used: {@code hostNetwork}
     * uses the host's network and UTS namespaces, {@code hostIPC} the host's IPC namespace,
     * {@code hostPID} the host's pid namespace, {@code shareProcessNamespace} the infra's pid
     * namespace, and otherwise each container gets a new pid namespace. A path the pod needs must
     * not be null.
     *
     * @param network e.g. {@code /proc/<infraPid>/ns/net} or a pinned {@code /run/netns/<name>}
     * @param ipc     e.g. {@code /proc/<infraPid>/ns/ipc}
     * @param uts     e.g. {@code /proc/<infraPid>/ns/uts}; it carries the pod's hostname
     * @param pid     e.g. {@code /proc/<infraPid>/ns/pid}; only used with {@code shareProcessNamespace}
     */
    public record Namespaces(String network, String ipc, String uts, String pid) {
        /** The four namespaces of a running infra process. */
        public static Namespaces ofInfraPid(long infraPid) {
            String dir = "/proc/" + infraPid + "/ns/";
            return new Namespaces(dir + "net", dir + "ipc", dir + "uts", dir + "pid");
        }
    }

    /**
     * Pod-wide files. Each is bind-mounted when not null, unless a volume mount of the container
     * already targets the same path (kubelet and containerd both skip theirs then).
     *
     * @param hosts      the pod's managed {@code /etc/hosts} (mounted read-write, as kubelet does)
     * @param hostname   the pod's {@code /etc/hostname}
     * @param resolvConf the pod's {@code /etc/resolv.conf}
     * @param shm        the pod's {@code /dev/shm} tmpfs directory, shared by its containers
     */
    public record PodFiles(Path hosts, Path hostname, Path resolvConf, Path shm) {}
}
