package dev.peapod.node;

import dev.peapod.api.PodDefaults;
import dev.peapod.node.spec.HostFacts;
import dev.peapod.testing.FakeCgroups;
import dev.peapod.testing.FakeImages;
import dev.peapod.testing.FakeMounter;
import dev.peapod.testing.FakeOciRuntime;
import dev.peapod.testing.OciCall;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A node engine on the stateful fakes of the testing module, with real directories under one
 * temp dir and the system clock (the engine waits on real time for resync and backoff, so the
 * delays are small: backoff 50 ms doubling to 200 ms, resync 20 ms). Each fake container runs
 * {@code [<container name>]}, so the runtime's call log names containers by {@code args[0]}.
 */
final class FakeNode implements AutoCloseable {
    static final String INFRA = InfraSpec.BINARY;
    static final Duration BACKOFF_BASE = Duration.ofMillis(50);

    final Path root;
    final NodeConfig config;
    final FakeOciRuntime oci;
    final FakeMounter mounter = new FakeMounter();
    final FakeCgroups cgroups = new FakeCgroups();
    final FakeImages images;
    final Recorder listener = new Recorder();
    final Engine engine;

    FakeNode(Path root) { this(root, ConfigSource.EMPTY, Clock.systemUTC()); }

    /** With the test's changes to the node's configuration. */
    FakeNode(Path root, java.util.function.UnaryOperator<NodeConfig> configure) {
        this(root, ConfigSource.EMPTY, Clock.systemUTC(), configure);
    }

    /** With the ConfigMaps and Secrets of {@code config} and the given clock (for token renewals). */
    FakeNode(Path root, ConfigSource config, java.time.InstantSource clock) {
        this(root, config, clock, c -> c);
    }

    FakeNode(Path root, ConfigSource config, java.time.InstantSource clock, java.util.function.UnaryOperator<NodeConfig> configure) {
        this.root = root;
        this.config = configure.apply(new NodeConfig(root.resolve("data"), root.resolve("run"), "crun", BACKOFF_BASE,
                Duration.ofMillis(200), Duration.ofMillis(20), null));
        this.oci = new FakeOciRuntime(root.resolve("exits"));
        this.images = new FakeImages(root.resolve("layers"));
        images.add("busybox:1.36");
        var host = new HostFacts(1 << 20, 4096, 8L << 30, true, true, HostFacts.OOM_SCORE_ADJ_MIN);
        this.engine = new Engine(this.config, new Engine.Parts(oci, mounter, cgroups, images, host), listener,
                config, clock);
    }

    Pod run(Pod pod) { return engine.run(pod); }

    Pod finish(Pod pod) throws Exception {
        return engine.finished(pod.getMetadata().getUid()).get(10, TimeUnit.SECONDS);
    }

    PodPaths paths(Pod pod) { return PodPaths.of(config, pod.getMetadata().getUid()); }

    /** The runtime's calls for the pod's own containers (not the infra), of the given kinds, as "START app". */
    List<String> trace(OciCall.Op... ops) {
        Set<OciCall.Op> wanted = EnumSet.copyOf(List.of(ops));
        return containerCalls().filter(c -> wanted.contains(c.op())).map(OciCall::toString).toList();
    }

    Stream<OciCall> containerCalls() {
        return oci.calls().stream().filter(c -> !c.program().equals(INFRA) && !c.args().isEmpty());
    }

    /** The config.json of the (first) container running {@code program}. */
    com.fasterxml.jackson.databind.JsonNode spec(String program) throws java.io.IOException {
        FakeOciRuntime.Container c = oci.containers().stream().filter(x -> x.program().equals(program))
                .findFirst().orElseThrow();
        return Json.MAPPER.readTree(c.bundle().resolve("config.json").toFile());
    }

    /** "source ro|rw" of the one bind mount at {@code destination} in {@code spec}. */
    static String bind(com.fasterxml.jackson.databind.JsonNode spec, String destination) {
        List<String> found = new ArrayList<>();
        for (var m : spec.path("mounts")) {
            if (!m.path("destination").asText().equals(destination)) continue;
            List<String> options = new ArrayList<>();
            m.path("options").forEach(o -> options.add(o.asText()));
            found.add(m.path("source").asText() + " " + (options.contains("ro") ? "ro" : "rw"));
        }
        org.assertj.core.api.Assertions.assertThat(found).as("mounts at " + destination).hasSize(1);
        return found.getFirst();
    }

    boolean running(String name) {
        return oci.containers().stream().anyMatch(c -> c.program().equals(name) && c.status() == FakeOciRuntime.Status.RUNNING);
    }

    @Override
    public void close() { engine.close(); }

    /** Pods whose containers run their own name; defaulted like the API server would. */
    static final class PodFixture {
        private final String restartPolicy;
        private final List<Container> inits = new ArrayList<>();
        private final List<Container> containers = new ArrayList<>();
        private final List<Volume> volumes = new ArrayList<>();
        private long grace = 2;

        PodFixture(String restartPolicy) { this.restartPolicy = restartPolicy; }

        PodFixture init(String name) { inits.add(container(name).build()); return this; }

        PodFixture sidecar(String name) { inits.add(container(name).withRestartPolicy("Always").build()); return this; }

        PodFixture container(String name, VolumeMount... mounts) {
            containers.add(container(name).withVolumeMounts(mounts).build());
            return this;
        }

        PodFixture emptyDir(String name, String medium) {
            volumes.add(new VolumeBuilder().withName(name).withNewEmptyDir().withMedium(medium).endEmptyDir().build());
            return this;
        }

        PodFixture grace(long seconds) { grace = seconds; return this; }

        Pod build() {
            Pod pod = new PodBuilder().withNewMetadata().withName("web").endMetadata()
                    .withNewSpec().withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(grace)
                    .withInitContainers(inits).withContainers(containers).withVolumes(volumes).endSpec().build();
            PodDefaults.apply(pod);
            return pod;
        }

        private static ContainerBuilder container(String name) {
            return new ContainerBuilder().withName(name).withImage("busybox:1.36").withCommand(name);
        }
    }

    /** Everything the engine reported, in order; thread safe. */
    static final class Recorder implements PodListener {
        final List<PodEvent> events = new CopyOnWriteArrayList<>();
        final List<Pod> statuses = new CopyOnWriteArrayList<>();
        final List<Pod> removed = new CopyOnWriteArrayList<>();

        @Override public void event(PodEvent event) { events.add(event); }
        @Override public void statusChanged(Pod pod) { statuses.add(pod); }
        @Override public void removed(Pod pod) { removed.add(pod); }

        List<PodEvent> events(String container, String reason) {
            return events.stream().filter(e -> reason.equals(e.reason()) && java.util.Objects.equals(container, e.container())).toList();
        }

        /** Every published status of the named container (init or regular), oldest first. */
        List<ContainerStatus> history(String name) {
            return statuses.stream().flatMap(p -> Stream.concat(p.getStatus().getInitContainerStatuses().stream(),
                    p.getStatus().getContainerStatuses().stream())).filter(s -> s.getName().equals(name)).toList();
        }

        Optional<ContainerStatus> latest(String name) {
            var h = history(name);
            return h.isEmpty() ? Optional.empty() : Optional.of(h.getLast());
        }

        String phase() {
            return statuses.isEmpty() ? null : statuses.getLast().getStatus().getPhase();
        }
    }
}
