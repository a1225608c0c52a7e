package dev.peapod.node;

import dev.peapod.network.AttachmentRequest;
import dev.peapod.network.CniArg;
import dev.peapod.network.CniNetwork;
import dev.peapod.network.NetnsManager;
import dev.peapod.network.NetworkException;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Files;
import java.util.List;

/**
 * The pod network through CNI (https://www.cni.dev/docs/spec/): a persistent network namespace
 * per sandbox, named by the sandbox id, attached with the configured plugin chain; the
 * Kubernetes identifiers travel in {@code CNI_ARGS} as kubelet's CRI runtimes pass them.
 * Teardown runs DEL before removing the namespace: the bridge plugin only removes its
 * masquerade rules when it still finds the pod's interface.
 */
final class CniPodNetwork implements PodNetwork {
    private final CniNetwork cni;
    private final NetnsManager netns;

    CniPodNetwork(CniNetwork cni, NetnsManager netns) {
        this.cni = cni;
        this.netns = netns;
    }

    @Override
    public java.nio.file.Path createNamespace(String sandboxId) {
        return netns.create(sandboxId);
    }

    @Override
    public Attachment attach(String sandboxId, java.nio.file.Path path, Pod pod, List<PortMapping> ports) {
        var request = request(sandboxId, pod).withNetns(path).withPortMappings(ports.stream()
                .map(p -> new dev.peapod.network.PortMapping(p.hostPort(), p.containerPort(), p.protocol(), p.hostIp()))
                .toList());
        var result = cni.add(request);
        Trace.mark("sandbox: CNI ADD done");
        return new Attachment(path, result.sandboxIps());
    }

    @Override
    public void tearDown(String sandboxId, Pod pod) {
        try {
            var path = netns.path(sandboxId);
            cni.del(request(sandboxId, pod).withNetns(Files.exists(path) ? path : null));
        } catch (NetworkException e) {
            throw new IllegalStateException("failed to tear down pod network: " + e.getMessage(), e);
        } finally {
            netns.remove(sandboxId);
        }
    }

    private static AttachmentRequest request(String sandboxId, Pod pod) {
        var md = pod.getMetadata();
        return AttachmentRequest.of(sandboxId, null).withArgs(List.of(CniArg.IGNORE_UNKNOWN,
                new CniArg("K8S_POD_NAMESPACE", md.getNamespace()), new CniArg("K8S_POD_NAME", md.getName()),
                new CniArg("K8S_POD_INFRA_CONTAINER_ID", sandboxId), new CniArg("K8S_POD_UID", md.getUid())));
    }
}
