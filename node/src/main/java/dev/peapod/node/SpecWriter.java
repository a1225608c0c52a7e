package dev.peapod.node;

import dev.peapod.image.ImageConfig;
import dev.peapod.node.model.ContainerUser;
import dev.peapod.node.spec.ContainerFacts;
import dev.peapod.node.spec.HostFacts;
import dev.peapod.node.spec.Passwd;
import dev.peapod.node.spec.ResolvedEnv;
import dev.peapod.node.spec.ResolvedMount;
import dev.peapod.node.spec.SandboxFacts;
import dev.peapod.node.spec.SpecGenerator;
import dev.peapod.node.spec.SpecInput;
import dev.peapod.node.spec.UserResolver;
import dev.peapod.oci.spec.SpecJson;
import io.fabric8.kubernetes.api.model.Container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a container's {@code config.json} into its bundle: gathers the sandbox and container
 * facts and hands them to the pure {@link SpecGenerator}. The only I/O here is reading the
 * image's {@code /etc/passwd} and {@code /etc/group} (for user names) and writing the file.
 */
final class SpecWriter {
    record Request(Containers.PodContext ctx, Container container, ImageConfig image, Path rootfs,
                   List<SubPaths.MountSpec> mounts, List<EnvResolver.EnvPair> env, Path terminationLog,
                   String containerId) {}

    private final HostFacts host;
    private final SeccompProfiles seccomp;
    private final UserNamespaces userns;

    SpecWriter(HostFacts host, SeccompProfiles seccomp, UserNamespaces userns) {
        this.host = host;
        this.seccomp = seccomp;
        this.userns = userns;
    }

    /**
     * Writes the spec and returns the identity its process will start with: the spec's
     * {@code process.user}, which is where containerd and CRI-O take {@code ContainerStatus.user}
     * from (containerd {@code toCRIContainerUser}).
     */
    ContainerUser write(Path bundle, Request r) throws IOException {
        var ctx = r.ctx();
        var sandbox = ctx.sandbox();
        var paths = ctx.paths();
        var sandboxFacts = new SandboxFacts(SandboxFacts.Namespaces.ofInfraPid(sandbox.pid()),
                new SandboxFacts.PodFiles(paths.hosts(), paths.hostname(), paths.resolvConf(), paths.shm()),
                sandbox.hostname(), userns.forPod(ctx.pod()));
        var env = r.env().stream().map(e -> new ResolvedEnv(e.name(), e.value(), e.literal())).toList();
        var mounts = r.mounts().stream().map(m -> new ResolvedMount(m.destination(), m.source(), m.readOnly(), !m.image())).toList();
        var facts = ContainerFacts.of(r.rootfs(), sandbox.cgroupPath() + "/" + r.containerId())
                .withEnv(env).withMounts(mounts).withTerminationMessageFile(r.terminationLog())
                .withUsers(users(r.rootfs()))
                .withSeccomp(seccomp.forContainer(ctx.pod(), r.container()))
                .withHostDevices(privileged(r.container()) ? HostDevices.list(Path.of("/dev")) : List.of());
        var spec = SpecGenerator.generate(new SpecInput(ctx.pod(), r.container(), r.image(), sandboxFacts, facts, host));
        SpecJson.write(spec, bundle.resolve("config.json"));
        var user = spec.process().user();
        return new ContainerUser(user.uid(), user.gid(), user.additionalGids());
    }

    private static boolean privileged(Container c) {
        return c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged());
    }

    /**
     * User and group names resolve against the image's own files. A symlinked /etc/passwd is not
     * followed: it could point at the host's files.
     */
    private static UserResolver users(Path rootfs) throws IOException {
        Path passwd = rootfs.resolve("etc/passwd");
        Path group = rootfs.resolve("etc/group");
        if (!Files.isRegularFile(passwd, LinkOption.NOFOLLOW_LINKS)) return UserResolver.NONE;
        String g = Files.isRegularFile(group, LinkOption.NOFOLLOW_LINKS) ? Files.readString(group) : "";
        return Passwd.parse(Files.readString(passwd), g);
    }
}
