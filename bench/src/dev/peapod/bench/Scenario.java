package dev.peapod.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * One pod of the benchmark, as each side runs it.
 *
 * @param key         short name used in progress lines and the raw samples ("one", "three")
 * @param label       the table's row label
 * @param pod         the pod's metadata.name (the same on both sides)
 * @param peapodYaml  the manifest Peapod runs
 * @param podmanYaml  the manifest podman runs (differs only where podman lacks a feature)
 * @param started     every container that must have started (Peapod: regular containers, sidecars
 *                    and init containers; init containers must also have terminated)
 * @param podmanUp    the containers that must be running once {@code podman kube play} returned
 *                    (podman removes init containers after they ran)
 */
record Scenario(String key, String label, String pod, Path peapodYaml, Path podmanYaml,
                List<String> started, List<String> podmanUp) {

    static List<Scenario> all(Path pods) {
        return List.of(
                new Scenario("one", "1 container", "bench-one", pods.resolve("one.yaml"), pods.resolve("one.yaml"),
                        List.of("app"), List.of("app")),
                new Scenario("three", "3 containers (init + sidecar + app)", "bench-three",
                        pods.resolve("three.yaml"), pods.resolve("three-podman.yaml"),
                        List.of("init", "sidecar", "app"), List.of("sidecar", "app")));
    }
}
