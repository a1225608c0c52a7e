package dev.peapod.node;

import dev.peapod.oci.Cgroups;
import dev.peapod.oci.CreateRequest;
import dev.peapod.oci.Mounter;
import dev.peapod.oci.OciRuntime;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

/**
 * Creates and removes pod sandboxes: pod directories, managed {@code /etc/hosts} and
 * {@code /etc/hostname}, the pod's {@code /dev/shm} tmpfs, the pod cgroup and the infra process.
 * Every step registers its undo at once ({@link Rollback}).
 */
final class Sandboxes {
    private final OciRuntime oci;
    private final Mounter mounter;
    private final Cgroups cgroups;
    private final Path infraRootfs;
    private final dev.peapod.node.spec.HostFacts host;
    private final PodNetwork network;
    private final long podPidsLimit;

    Sandboxes(OciRuntime oci, Mounter mounter, Cgroups cgroups, Path runDir, dev.peapod.node.spec.HostFacts host,
              PodNetwork network, long podPidsLimit) {
        this.network = network;
        this.podPidsLimit = podPidsLimit;
        this.oci = oci;
        this.mounter = mounter;
        this.cgroups = cgroups;
        this.infraRootfs = runDir.resolve("infra-rootfs");
        this.host = host;
    }

    /**
     * kubelet's layout: Guaranteed pods right under the root ({@code /peapod/pod-<uid>}), the
     * others under their QoS parent ({@code /peapod/burstable/pod-<uid>}, {@code /peapod/besteffort/...}),
     * which {@link QosCgroups} weighs.
     */
    static String podCgroup(Pod pod) {
        String parent = dev.peapod.node.spec.CgroupPolicy.qosParent(pod);
        return QosCgroups.ROOT + (parent.isEmpty() ? "" : "/" + parent) + "/pod-" + pod.getMetadata().getUid();
    }

    /**
     * Called once the infra process runs, while CNI ADD may still be in flight, with the sandbox as
     * it is then (no pod IPs yet): containers can be created, not started. Returns the undo that
     * removes them again should the sandbox fail after all.
     */
    interface Early {
        Rollback.Undo namespacesReady(Sandbox withoutIps) throws Exception;
    }

    Sandbox create(Pod pod, PodPaths paths, java.util.function.BiConsumer<String, String> warn) throws IOException {
        return create(pod, paths, warn, null);
    }

    Sandbox create(Pod pod, PodPaths paths, java.util.function.BiConsumer<String, String> warn, Early early) throws IOException {
        return create(pod, paths, warn, early, ContainerIds.next());
    }

    /** With the infra's id chosen by the caller (who records it before anything exists: {@link PodRecord#creating}). */
    Sandbox create(Pod pod, PodPaths paths, java.util.function.BiConsumer<String, String> warn, Early early, String id)
            throws IOException {
        String uid = pod.getMetadata().getUid();
        Trace.mark("sandbox: start");
        try (var rollback = new Rollback()) {
            Files.createDirectories(paths.runDir());
            rollback.add(() -> FileTree.deleteRecursively(paths.runDir()));
            boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
            var names = PodHostname.of(pod, PodHostname.DEFAULT_CLUSTER_DOMAIN, nodeHostname());
            Path netns = hostNetwork ? null : network.createNamespace(id);
            // CNI ADD (tens of ms of iptables) runs while the cgroup, /dev/shm and the infra process
            // are set up: the infra only needs the namespace to exist to join it.
            java.util.concurrent.CompletableFuture<PodNetwork.Attachment> attaching = netns == null ? null
                    : java.util.concurrent.CompletableFuture.supplyAsync(() -> network.attach(id, netns, pod, hostPorts(pod)),
                            r -> Thread.ofVirtual().name("cni-add").start(r));
            if (!hostNetwork) {
                rollback.add(() -> {
                    if (attaching != null) attaching.handle((a, e) -> a).join(); // never DEL during an ADD
                    network.tearDown(id, pod);
                });
            }
            Files.writeString(paths.hostname(), names.kernelHostname() + "\n");
            // No cluster DNS on a single host (yet): ClusterFirst falls back to the host's resolvers
            // with kubelet's MissingClusterDNS warning.
            var dns = ResolvConf.forPod(pod, new ResolvConf.NodeDns(readOrEmpty(Path.of("/etc/resolv.conf")), List.of(),
                    PodHostname.DEFAULT_CLUSTER_DOMAIN));
            dns.warnings().forEach(w -> warn.accept(w.reason(), w.message()));
            Files.writeString(paths.resolvConf(), dns.content());
            Trace.mark("sandbox: network ready");
            String cgroup = podCgroup(pod);
            cgroups.create(cgroup);
            rollback.add(() -> cgroups.remove(cgroup));
            // The pod cgroup caps the pod as a whole (kubelet's pod cgroup: shares, CFS quota and
            // memory from the summed requests/limits, the node's pod pids limit).
            cgroups.write(cgroup, dev.peapod.node.spec.CgroupPolicy.pod(pod, podPidsLimit).files(cgroups.mode()));

            // One /dev/shm per pod, shared by its containers: POSIX shared memory across containers
            // works because they all see the same tmpfs (SysV IPC through the shared IPC namespace).
            Files.createDirectories(paths.shm());
            mounter.mountTmpfs(paths.shm(), "mode=1777,size=65536k");
            rollback.add(() -> mounter.unmount(paths.shm(), true));

            Trace.mark("sandbox: cgroup and shm ready");
            ensureInfraRootfs();
            Path bundle = paths.bundle(id);
            Files.createDirectories(bundle);
            var spec = InfraSpec.of(infraRootfs.toString(), names.kernelHostname(), cgroup + "/" + id, host.nofileHard(),
                    host.minOomScoreAdj(), netns == null ? null : netns.toString(), hostNetwork);
            InfraSpec.sysctls(spec, Sysctls.forInfra(pod));
            Json.MAPPER.writeValue(bundle.resolve("config.json").toFile(), spec);
            var created = oci.create(new CreateRequest(id, bundle, bundle.resolve("infra.log"), false));
            rollback.add(() -> { oci.kill(id, "KILL", true); oci.delete(id, true); });
            Trace.mark("sandbox: infra created");
            oci.start(id);
            Trace.mark("sandbox: infra started");
            String nodeHosts = readOrEmpty(Path.of("/etc/hosts"));
            if (attaching != null && early != null && !attaching.isDone()) {
                // The hosts file is bind-mounted at create: it exists now and gets the pod IPs below,
                // rewritten in place (same inode), before any container starts.
                Files.writeString(paths.hosts(), HostsFile.forPod(pod, List.of(), names, nodeHosts));
                try {
                    rollback.add(early.namespacesReady(new Sandbox(id, created.pid(), cgroup, Instant.now(), List.of(), names.kernelHostname())));
                } catch (Exception e) {
                    throw new IOException("failed to create containers early: " + e.getMessage(), e);
                }
            }
            PodNetwork.Attachment net = attaching == null ? null : join(attaching);
            List<String> ips = net == null ? List.of() : net.ips();
            Files.writeString(paths.hosts(), HostsFile.forPod(pod, ips, names, nodeHosts));
            rollback.commit();
            return new Sandbox(id, created.pid(), cgroup, Instant.now(), ips, names.kernelHostname());
        }
    }

    boolean alive(Sandbox sandbox) {
        return oci.exitCode(sandbox.id()).isEmpty();
    }

    /**
     * Stops the infra process and removes everything {@link #create} made. Idempotent, and also for
     * a sandbox whose creation an earlier engine did not finish (recorded before it began): what
     * does not exist is skipped, and one step failing does not keep the others from running.
     */
    void remove(Sandbox sandbox, Pod pod, PodPaths paths) throws IOException {
        var failures = new java.util.ArrayList<String>();
        if (sandbox != null) {
            if (oci.state(sandbox.id()).isPresent()) {
                try {
                    oci.kill(sandbox.id(), "KILL", true);
                } catch (dev.peapod.oci.OciException e) {
                    // exited already
                }
                attempt(failures, () -> oci.delete(sandbox.id(), true));
            }
            attempt(failures, () -> network.tearDown(sandbox.id(), pod));
        }
        attempt(failures, () -> mounter.unmount(paths.shm(), true));
        if (sandbox != null && sandbox.cgroupPath() != null) attempt(failures, () -> cgroups.remove(sandbox.cgroupPath()));
        attempt(failures, () -> FileTree.deleteRecursively(paths.runDir()));
        if (!failures.isEmpty()) throw new IOException(String.join("; ", failures));
    }

    private static void attempt(java.util.List<String> failures, Rollback.Undo step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e.getMessage());
        }
    }

    /** Every hostPort of the pod's containers (init containers included, as kubelet collects them). */
    static List<PodNetwork.PortMapping> hostPorts(Pod pod) {
        var out = new java.util.ArrayList<PodNetwork.PortMapping>();
        var all = new java.util.ArrayList<>(pod.getSpec().getInitContainers());
        all.addAll(pod.getSpec().getContainers());
        for (var c : all) {
            for (var p : c.getPorts()) {
                if (p.getHostPort() == null || p.getHostPort() <= 0) continue;
                out.add(new PodNetwork.PortMapping(p.getHostPort(), p.getContainerPort(),
                        p.getProtocol() == null ? "TCP" : p.getProtocol(), p.getHostIP() == null ? "" : p.getHostIP()));
            }
        }
        return out;
    }

    private static PodNetwork.Attachment join(java.util.concurrent.CompletableFuture<PodNetwork.Attachment> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private static String readOrEmpty(Path file) throws IOException {
        return Files.isReadable(file) ? Files.readString(file) : "";
    }

    private static String nodeHostname() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    }

    /** A read-only root holding only the static catatonit binary, shared by every infra container. */
    private void ensureInfraRootfs() throws IOException {
        Path bin = infraRootfs.resolve(InfraSpec.BINARY.substring(1));
        if (Files.isExecutable(bin)) return;
        // A directory of this call's own: two pods starting at once in one process (or two processes)
        // each build a copy, and the first rename wins.
        Files.createDirectories(infraRootfs.getParent());
        Path tmp = Files.createTempDirectory(infraRootfs.getParent(), "infra-rootfs.tmp-");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(tmp.resolve("proc"));
        Files.createDirectories(tmp.resolve("dev"));
        Path catatonit = HostBinaries.find("catatonit");
        Files.copy(catatonit, tmp.resolve(InfraSpec.BINARY.substring(1)), StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(tmp.resolve(InfraSpec.BINARY.substring(1)), PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Files.move(tmp, infraRootfs, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
            FileTree.deleteRecursively(tmp);
        }
    }
}
