package dev.peapod.node.spec;

import dev.peapod.oci.spec.Linux;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Facts the node established for one container before generating its spec.
 *
 * @param rootfs                 the mounted root filesystem (absolute)
 * @param cgroupsPath            the container's cgroup ({@code linux.cgroupsPath})
 * @param terminationMessageFile host file bind-mounted read-write at the container's
 *                               {@code terminationMessagePath}; null for none. The node must
 *                               create it with mode 0666, as kubelet does, or a non-root process
 *                               cannot write its message (checked with runc: "Permission denied")
 * @param env                    the container's {@code envFrom} and {@code env}, valueFrom already
 *                               resolved, in the order kubelet applies them (see {@link ResolvedEnv})
 * @param mounts                 the container's volume mounts, resolved to host paths (volumes and
 *                               subPath are the node's business)
 * @param users                  the image's {@code /etc/passwd} and {@code /etc/group}, for user names
 * @param seccomp                the profile the node chose and loaded ({@link SeccompChoice}); null:
 *                               unconfined. The generator fits it to the container's capabilities
 * @param hostDevices            the host's device nodes; a privileged container gets them all
 */
public record ContainerFacts(Path rootfs, String cgroupsPath, Path terminationMessageFile,
                             List<ResolvedEnv> env, List<ResolvedMount> mounts, UserResolver users,
                             SeccompProfile seccomp, List<Linux.Device> hostDevices) {
    public ContainerFacts {
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(cgroupsPath, "cgroupsPath");
        env = env == null ? List.of() : List.copyOf(env);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        users = users == null ? UserResolver.NONE : users;
        hostDevices = hostDevices == null ? List.of() : List.copyOf(hostDevices);
    }

    /** Facts with no env, no volume mounts, no termination message file and no user database. */
    public static ContainerFacts of(Path rootfs, String cgroupsPath) {
        return new ContainerFacts(rootfs, cgroupsPath, null, List.of(), List.of(), UserResolver.NONE, null, List.of());
    }

    public ContainerFacts withEnv(List<ResolvedEnv> e) {
        return new ContainerFacts(rootfs, cgroupsPath, terminationMessageFile, e, mounts, users, seccomp, hostDevices);
    }

    public ContainerFacts withMounts(List<ResolvedMount> m) {
        return new ContainerFacts(rootfs, cgroupsPath, terminationMessageFile, env, m, users, seccomp, hostDevices);
    }

    public ContainerFacts withUsers(UserResolver u) {
        return new ContainerFacts(rootfs, cgroupsPath, terminationMessageFile, env, mounts, u, seccomp, hostDevices);
    }

    public ContainerFacts withTerminationMessageFile(Path f) {
        return new ContainerFacts(rootfs, cgroupsPath, f, env, mounts, users, seccomp, hostDevices);
    }

    public ContainerFacts withSeccomp(SeccompProfile p) {
        return new ContainerFacts(rootfs, cgroupsPath, terminationMessageFile, env, mounts, users, p, hostDevices);
    }

    public ContainerFacts withHostDevices(List<Linux.Device> d) {
        return new ContainerFacts(rootfs, cgroupsPath, terminationMessageFile, env, mounts, users, seccomp, d);
    }
}
