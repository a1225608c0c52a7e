package dev.peapod.e2e;

import dev.peapod.api.Manifests;
import dev.peapod.api.PodDefaults;
import dev.peapod.api.PodValidator;
import dev.peapod.node.ConfigSource;
import dev.peapod.node.Engine;
import dev.peapod.node.HostRuntime;
import dev.peapod.node.NodeConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real pods for end-to-end tests: a warm engine on real crun + conmon + overlayfs, on a data dir
 * of its own, with the project's busybox test image loaded. Fails loudly (naming what is
 * missing) on a host that cannot run pods.
 */
final class Harness implements AutoCloseable {
    static final Path REPO = locateRepo();
    private static Path testImage;

    final NodeConfig config;
    final RecordingListener listener = new RecordingListener();
    final HostRuntime host;
    final Engine engine;
    private final List<Pod> started = new ArrayList<>();

    Harness() { this(Duration.ofSeconds(10), Duration.ofSeconds(300)); }

    Harness(Duration backoffBase, Duration backoffMax) {
        this(backoffBase, backoffMax, ConfigSource.EMPTY);
    }

    Harness(Duration backoffBase, Duration backoffMax, ConfigSource configSource) {
        this(defaultConfig().withBackoff(backoffBase, backoffMax), configSource);
    }

    /**
     * The e2e pods get a network of their own (bridge {@value #BRIDGE}, {@value #SUBNET}), so that
     * the leak checks see only their own veths and leases even while another Peapod runs pods on
     * the default peapod0 network.
     */
    static final String NETWORK = "peapod-e2e", BRIDGE = "peapode2e0", SUBNET = "10.87.0.0/16";

    static NodeConfig defaultConfig() {
        Path cni = REPO.resolve("e2e/target/cni");
        new dev.peapod.network.DefaultCniConfig(NETWORK, BRIDGE, SUBNET, "10.87.0.1", Path.of("/var/lib/cni/networks"))
                .writeIfAbsent(cni);
        return NodeConfig.defaults(Path.of("/var/lib/peapod-e2e")).withCniConfigDir(cni);
    }

    Harness(NodeConfig config, ConfigSource configSource) {
        this(config, configSource, parts -> parts);
    }

    /** @param parts adapts the host's parts (e.g. gives the engine a registry puller) */
    Harness(NodeConfig config, ConfigSource configSource, java.util.function.UnaryOperator<Engine.Parts> parts) {
        requireRoot();
        this.config = config;
        host = HostRuntime.open(config);
        ensureImage();
        engine = new Engine(config, parts.apply(host.parts()), listener, configSource, Clock.systemUTC());
    }

    private static void requireRoot() {
        String user = System.getProperty("user.name");
        if (!"root".equals(user)) throw new IllegalStateException("end-to-end tests run real pods and need root (running as " + user + ")");
    }

    private void ensureImage() {
        var images = host.parts().images();
        if (images.resolve("peapod/busybox:latest").isPresent()) return;
        images.load(testImage());
    }

    /** Builds the project's test image once per JVM with scripts/build-test-image.sh. */
    static synchronized Path testImage() {
        if (testImage != null) return testImage;
        try {
            Path out = REPO.resolve("e2e/target/busybox-image.tar");
            Files.createDirectories(out.getParent());
            var p = new ProcessBuilder("bash", REPO.resolve("scripts/build-test-image.sh").toString(), out.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("failed to build the test image: " + output);
            }
            testImage = out;
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("failed to build the test image: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Builds the examples' images (scripts/build-example-images.sh) once per JVM and loads those missing. */
    void loadExampleImages() {
        Path dir = exampleImages();
        var images = host.parts().images();
        for (String[] image : new String[][] {{"peapod/nginx:example", "nginx.tar"}, {"peapod/git:example", "git.tar"}}) {
            if (images.resolve(image[0]).isEmpty()) images.load(dir.resolve(image[1]));
        }
    }

    private static Path exampleImages;

    private static synchronized Path exampleImages() {
        if (exampleImages != null) return exampleImages;
        Path out = REPO.resolve("e2e/target/example-images");
        try {
            var p = new ProcessBuilder("bash", REPO.resolve("scripts/build-example-images.sh").toString(), out.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("failed to build the example images: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("failed to build the example images: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        exampleImages = out;
        return out;
    }

    /** The pods of a manifest file (defaulted, valid), in file order. */
    static List<Pod> podsOf(Path manifest) {
        var out = new ArrayList<Pod>();
        for (HasMetadata o : Manifests.parseFile(manifest)) {
            if (!(o instanceof Pod pod)) continue;
            PodDefaults.apply(pod);
            assertThat(PodValidator.validate(pod)).as("validation errors in " + manifest).isEmpty();
            out.add(pod);
        }
        return out;
    }

    /** The ConfigMaps and Secrets of a manifest file, as {@code peapod up} takes them. */
    static ConfigSource configSourceOf(Path manifest) throws IOException {
        return configSource(Files.readString(manifest));
    }

    /** Runs an already parsed pod. */
    Pod run(Pod pod) {
        engine.run(pod);
        started.add(pod);
        return pod;
    }

    /** Parses, defaults, validates (must be valid) and runs the pod. */
    Pod run(String yaml) {
        Pod pod = parsePod(yaml);
        engine.run(pod);
        started.add(pod);
        return pod;
    }

    static Pod parsePod(String yaml) {
        List<HasMetadata> objects = Manifests.parse(yaml, "test.yaml");
        Pod pod = (Pod) objects.stream().filter(o -> o instanceof Pod).findFirst().orElseThrow();
        PodDefaults.apply(pod);
        assertThat(PodValidator.validate(pod)).as("validation errors").isEmpty();
        return pod;
    }

    static ConfigSource configSource(String yaml) {
        var objects = Manifests.parse(yaml, "test.yaml");
        return ConfigSource.of(objects.stream().filter(o -> o instanceof ConfigMap).map(o -> (ConfigMap) o).toList(),
                objects.stream().filter(o -> o instanceof Secret).map(o -> (Secret) o).toList());
    }

    /** Waits for the pod to finish (all its runtime resources gone) and returns it with its final status. */
    Pod awaitFinished(Pod pod, Duration timeout) throws Exception {
        return engine.finished(pod.getMetadata().getUid()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    Pod latest(Pod pod) { return listener.latest.get(pod.getMetadata().getUid()); }

    /** The content lines of a container attempt's CRI log. */
    List<String> logs(Pod pod, String container, int attempt) throws IOException {
        var files = listener.logs.get(pod.getMetadata().getUid() + "/" + container);
        if (files == null || files.size() <= attempt) return List.of();
        Path f = files.get(attempt);
        if (!Files.exists(f)) return List.of();
        var out = new ArrayList<String>();
        var partial = new StringBuilder();
        for (String line : Files.readAllLines(f)) {
            String[] parts = line.split(" ", 4);
            if (parts.length < 3) continue;
            partial.append(parts.length == 4 ? parts[3] : "");
            if (parts[2].startsWith("F")) { out.add(partial.toString()); partial.setLength(0); }
        }
        return out;
    }

    List<String> logs(Pod pod, String container) throws IOException { return logs(pod, container, 0); }

    /** Removes a finished pod now (it still takes part in the leak check at close). */
    void remove(Pod finishedPod) {
        engine.remove(finishedPod.getMetadata().getUid());
        started.removeIf(p -> p.getMetadata().getUid().equals(finishedPod.getMetadata().getUid()));
        removed.add(finishedPod);
    }

    private final List<Pod> removed = new ArrayList<>();

    /** Terminates what is still running, removes every pod and checks that nothing leaked. */
    @Override
    public void close() throws Exception {
        for (Pod p : started) engine.terminate(p.getMetadata().getUid(), Duration.ofSeconds(5));
        var finished = new ArrayList<Pod>(removed);
        for (Pod p : started) {
            finished.add(engine.finished(p.getMetadata().getUid()).get(60, TimeUnit.SECONDS));
            engine.remove(p.getMetadata().getUid());
        }
        engine.close();
        LeakCheck.assertNothingLeft(config, finished);
    }

    private static Path locateRepo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/build-test-image.sh"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
        return p;
    }
}
