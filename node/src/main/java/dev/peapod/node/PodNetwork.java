package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Path;
import java.util.List;

/**
 * Gives a pod its network: a persistent network namespace with the pod's addresses (CNI in
 * {@code HostRuntime}; a fake in tests). The infra process joins the namespace, so the namespace
 * and the CNI attachment can outlive a crash of Peapod and be torn down later.
 *
 * <p>Contract: thread safe; {@link #setUp} either succeeds or leaves nothing behind;
 * {@link #tearDown} is idempotent and best effort, and works after a restart of Peapod.
 */
public interface PodNetwork {

    /** A port of the pod published on the host (hostPort), for the portmap plugin. */
    record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {}

    /** What {@link #setUp} made: the namespace to join and the pod's IPs (first = primary). */
    record Attachment(Path netns, List<String> ips) {
        public String primaryIp() { return ips.isEmpty() ? null : ips.getFirst(); }
    }

    /** Creates the namespace and attaches it (CNI ADD). {@code sandboxId} identifies the attachment. */
    default Attachment setUp(String sandboxId, Pod pod, List<PortMapping> ports) {
        Path netns = createNamespace(sandboxId);
        return netns == null ? null : attach(sandboxId, netns, pod, ports);
    }

    /**
     * First half of {@link #setUp}: the namespace alone, so that the infra process can join it
     * while {@link #attach} runs. Returns null when the pod gets a private loopback-only namespace.
     */
    Path createNamespace(String sandboxId);

    /** Second half of {@link #setUp}: CNI ADD into the namespace {@link #createNamespace} made. */
    Attachment attach(String sandboxId, Path netns, Pod pod, List<PortMapping> ports);

    /** Detaches (CNI DEL) and removes the namespace. */
    void tearDown(String sandboxId, Pod pod);

    /**
     * No pod network: each infra process gets a fresh network namespace with only loopback
     * (what Peapod did before CNI; fakes and tests that do not test networking use it).
     */
    PodNetwork LOOPBACK_ONLY = new PodNetwork() {
        @Override public Path createNamespace(String sandboxId) { return null; }
        @Override public Attachment attach(String sandboxId, Path netns, Pod pod, List<PortMapping> ports) { return null; }
        @Override public void tearDown(String sandboxId, Pod pod) { }
    };
}
