package dev.peapod.node;

import dev.peapod.image.ImageConfig;
import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.spec.ContainerFacts;
import dev.peapod.node.spec.SandboxFacts;
import dev.peapod.node.spec.SpecGenerator;
import dev.peapod.node.spec.SpecInput;
import dev.peapod.node.status.PodStatusComputer;
import dev.peapod.node.status.StatusInput;
import dev.peapod.oci.spec.SpecJson;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Runs the engine's first-time code paths on a synthetic pod, with no side effect: spec
 * generation and its JSON, status computation, the image index. A cold CLI calls it on its second
 * core while the main thread parses the manifests, so that the first real pod does not pay for
 * class initialisation and Jackson's serializer construction (measured: ~150 ms of a cold
 * {@code peapod up} on the build host).
 */
public final class Warmup {
    private Warmup() {}

    public static void run(Engine.Parts parts) {
        run(parts.images(), parts.host());
    }

    /** The same with only what it needs, so that the CLI's AOT training run can use it without a host. */
    public static void run(dev.peapod.image.Images images, dev.peapod.node.spec.HostFacts host) {
        images.list();
        Trace.mark("warmup: image index read");
        var container = new Container();
        container.setName("warmup");
        container.setImage("warmup");
        container.setCommand(List.of("sh", "-c", "$(A) $$"));
        var spec = new PodSpec();
        spec.setContainers(List.of(container));
        var pod = new Pod("v1", "Pod", new ObjectMeta(), spec, null);
        pod.getMetadata().setName("warmup");
        pod.getMetadata().setNamespace("default");
        pod.getMetadata().setUid("00000000-0000-0000-0000-000000000000");
        var sandbox = new SandboxFacts(SandboxFacts.Namespaces.ofInfraPid(1),
                new SandboxFacts.PodFiles(null, null, null, null), "warmup");
        var facts = ContainerFacts.of(Path.of("/nonexistent"), "/peapod/warmup");
        var input = new SpecInput(pod, container, new ImageConfig(List.of(), List.of("sh"), List.of("PATH=/bin"), null, null, null),
                sandbox, facts, host);
        SpecJson.toJson(SpecGenerator.generate(input));
        Trace.mark("warmup: spec generated");
        PodStatusComputer.compute(StatusInput.of(pod, ObservedPod.empty(), Instant.now()));
    }
}
