package dev.peapod.node.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.peapod.image.ImageConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Inputs for spec tests: pods from YAML, a busybox image, fixed sandbox and host facts. */
final class Fixtures {
    private Fixtures() {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final String POD_UID = "0b6f8a5e-1111-4c2d-9e3f-aaaaaaaaaaaa";
    static final Path POD_RUN = Path.of("/run/peapod/pods", POD_UID);

    static Pod pod(String yaml) {
        try {
            return YAML.readValue(yaml, Pod.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** busybox:1.36 as published: no entrypoint, Cmd ["sh"], PATH only. */
    static ImageConfig busybox() {
        return new ImageConfig(List.of(), List.of("sh"),
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), null, null, null);
    }

    static SandboxFacts sandbox() {
        return new SandboxFacts(SandboxFacts.Namespaces.ofInfraPid(4242),
                new SandboxFacts.PodFiles(POD_RUN.resolve("etc-hosts"), POD_RUN.resolve("etc-hostname"),
                        POD_RUN.resolve("resolv.conf"), POD_RUN.resolve("shm")),
                "web");
    }

    static ContainerFacts facts(String containerName) {
        return ContainerFacts.of(POD_RUN.resolve("containers").resolve(containerName).resolve("rootfs"),
                        "/peapod/pod" + POD_UID + "/" + containerName)
                .withTerminationMessageFile(Path.of("/var/lib/peapod/pods", POD_UID, "termination", containerName));
    }

    /** This host's shape: nofile hard 20000, 8 GiB, cgroup v1 with swap accounting. */
    static HostFacts host() {
        return new HostFacts(20000, 96365, 8L << 30, false, true, HostFacts.OOM_SCORE_ADJ_MIN);
    }

    /** The input for the named container (init or regular) of {@code pod}, with the busybox image. */
    static SpecInput input(Pod pod, String containerName) {
        return new SpecInput(pod, container(pod, containerName), busybox(), sandbox(), facts(containerName), host());
    }

    static Container container(Pod pod, String name) {
        var all = new java.util.ArrayList<Container>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) all.addAll(pod.getSpec().getInitContainers());
        return all.stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no container " + name));
    }

    static String podYaml(String containerYaml) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: default
                  uid: %s
                spec:
                  containers:
                %s
                """.formatted(POD_UID, containerYaml.indent(2).stripTrailing());
    }
}
