package dev.peapod.node.spec;

import dev.peapod.image.ImageConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Objects;

/**
 * Everything {@link SpecGenerator#generate} needs, already gathered by the node: the pod and one
 * of its containers (init, sidecar or regular) as the API holds them, the image's config, and the
 * facts the node established on the host (namespaces, files, rootfs, resolved env and volumes).
 * The generator reads no files and resolves no references; what needs the host is in here.
 *
 * @param pod       the pod as stored (spec defaulted or not; the generator applies the defaults it needs)
 * @param container the container to run, one of the pod's init or regular containers
 * @param image     the image's runtime config
 * @param sandbox   facts about the pod's sandbox (infra namespaces, pod-wide files, hostname)
 * @param facts     facts about this container (rootfs, cgroup, resolved env and mounts, users)
 * @param host      limits and capabilities of the host
 */
public record SpecInput(Pod pod, Container container, ImageConfig image, SandboxFacts sandbox,
                        ContainerFacts facts, HostFacts host) {
    public SpecInput {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(container, "container");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(host, "host");
    }

    public SpecInput withContainer(Container c) { return new SpecInput(pod, c, image, sandbox, facts, host); }
    public SpecInput withImage(ImageConfig i) { return new SpecInput(pod, container, i, sandbox, facts, host); }
    public SpecInput withSandbox(SandboxFacts s) { return new SpecInput(pod, container, image, s, facts, host); }
    public SpecInput withFacts(ContainerFacts f) { return new SpecInput(pod, container, image, sandbox, f, host); }
    public SpecInput withHost(HostFacts h) { return new SpecInput(pod, container, image, sandbox, facts, h); }
}
