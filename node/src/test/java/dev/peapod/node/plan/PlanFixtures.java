package dev.peapod.node.plan;

import dev.peapod.node.model.ContainerKind;
import dev.peapod.node.model.ObservedContainer;
import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.ObservedSandbox;
import dev.peapod.node.model.RuntimeState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The planner tests' base pod and a small language for what the runtime observed.
 *
 * <p>The base pod: init containers {@code init-1} and {@code init-2}, the native sidecar
 * {@code proxy} (an init container with {@code restartPolicy: Always}) and, in
 * {@link Layout#TWO_SIDECARS}, a second sidecar {@code logs}; regular containers {@code app} and
 * {@code helper}.
 */
final class PlanFixtures {

    /** When the first sandbox was created; every attempt begins after it unless a test says otherwise. */
    static final Instant SANDBOX_CREATED = Instant.parse("2026-03-01T10:00:00Z");

    private PlanFixtures() {}

    /** Where the sidecar(s) sit among the init containers. */
    enum Layout {
        SIDECAR_BETWEEN("init-1", "proxy", "init-2"),
        SIDECAR_LAST("init-1", "init-2", "proxy"),
        TWO_SIDECARS("init-1", "proxy", "init-2", "logs"),
        NO_INIT;

        final List<String> inits;

        Layout(String... inits) { this.inits = List.of(inits); }
    }

    static boolean isSidecarName(String name) {
        return name.equals("proxy") || name.equals("logs");
    }

    static boolean isInitName(String name) {
        return name.startsWith("init-");
    }

    static Pod pod(String restartPolicy, Layout layout) {
        List<Container> inits = layout.inits.stream().map(PlanFixtures::container).toList();
        return new PodBuilder()
                .withNewMetadata().withName("web").withNamespace("default").withUid("uid-1").endMetadata()
                .withNewSpec()
                .withRestartPolicy(restartPolicy)
                .withInitContainers(inits)
                .withContainers(container("app"), container("helper"))
                .endSpec()
                .build();
    }

    private static Container container(String name) {
        var b = new ContainerBuilder().withName(name).withImage("busybox:1.36");
        if (isSidecarName(name)) b.withRestartPolicy("Always");
        return b.build();
    }

    /**
     * What the runtime reports, built attempt by attempt. Every call adds one attempt (the first is
     * attempt 0) at a later moment of a fake clock that ticks one second per event, so attempts
     * added after {@link #newSandbox()} belong to the new sandbox and the ones before to the old.
     */
    static final class Obs {
        private Optional<ObservedSandbox> sandbox =
                Optional.of(new ObservedSandbox("sandbox-1", true, SANDBOX_CREATED));
        private final List<ObservedContainer> containers = new ArrayList<>();
        private final Map<String, Integer> attempts = new HashMap<>();
        private Instant clock = SANDBOX_CREATED;

        Obs created(String name) { return add(name, new RuntimeState.Created(tick())); }

        Obs running(String name) { return add(name, new RuntimeState.Running(tick())); }

        /**
         * The latest attempt, if it is still created or running, exits now; otherwise a new attempt
         * starts and exits (a restart that failed again, or a first run observed only at its end).
         */
        Obs exited(String name, int code) {
            var live = latestLive(name);
            if (live.isPresent()) return finish(live.get(), code, tick());
            Instant started = tick();
            return add(name, new RuntimeState.Exited(code, started, tick(), reason(code), null));
        }

        /** Every attempt still created or running is killed now (exit 137), as a dying sandbox does. */
        Obs allKilled() {
            Instant at = tick();
            for (var c : List.copyOf(containers)) if (!c.exited()) finish(c, 137, at);
            return this;
        }

        private Optional<ObservedContainer> latestLive(String name) {
            return build().latest(name).filter(c -> !c.exited());
        }

        private Obs finish(ObservedContainer c, int code, Instant at) {
            Instant started = c.state() instanceof RuntimeState.Running r ? r.startedAt() : null;
            containers.set(containers.indexOf(c), new ObservedContainer(c.name(), c.kind(), c.id(), c.attempt(),
                    c.image(), c.imageId(), new RuntimeState.Exited(code, started, at, reason(code), null)));
            return this;
        }

        private static String reason(int code) { return code == 0 ? "Completed" : "Error"; }

        Obs sandboxDead() {
            sandbox = sandbox.map(s -> new ObservedSandbox(s.id(), false, s.createdAt()));
            return this;
        }

        Obs noSandbox() { sandbox = Optional.empty(); return this; }

        /** The sandbox was replaced: a new, ready one created now. */
        Obs newSandbox() {
            sandbox = Optional.of(new ObservedSandbox("sandbox-2", true, tick()));
            return this;
        }

        ObservedPod build() { return new ObservedPod(sandbox, containers); }

        private Obs add(String name, RuntimeState state) {
            int attempt = attempts.merge(name, 1, Integer::sum) - 1;
            containers.add(new ObservedContainer(name, kind(name), name + "-" + attempt, attempt,
                    "busybox:1.36", "sha256:0123", state));
            return this;
        }

        private Instant tick() {
            clock = clock.plusSeconds(1);
            return clock;
        }

        private static ContainerKind kind(String name) {
            if (isSidecarName(name)) return ContainerKind.SIDECAR;
            return isInitName(name) ? ContainerKind.INIT : ContainerKind.REGULAR;
        }
    }

    static Obs obs() { return new Obs(); }

    /**
     * A fake backoff: the named containers are in CrashLoopBackOff until the given instants. It
     * records what it was asked, so tests can check the planner passes the latest attempt's exit time.
     */
    static final class FakeGate implements RestartGate {
        final Map<String, Instant> blocked;
        final Map<String, Instant> asked = new LinkedHashMap<>();

        FakeGate(Map<String, Instant> blocked) { this.blocked = Map.copyOf(blocked); }

        @Override
        public Optional<Instant> blockedUntil(String container, Instant finishedAt) {
            asked.put(container, finishedAt);
            return Optional.ofNullable(blocked.get(container));
        }
    }

    /** PodActions with the kill reasons left out (they are prose), kill order kept. */
    record Plan(boolean killPod, boolean createSandbox, List<String> start, List<String> kill,
                Map<String, Instant> backingOff, boolean done) {

        static Plan of(PodActions a) {
            return new Plan(a.killPod(), a.createSandbox(), a.start(), List.copyOf(a.kill().keySet()),
                    a.backingOff(), a.done());
        }
    }

    /** The expected plan, built fluently from "nothing to do". */
    static final class Expect {
        private boolean killPod, createSandbox, done;
        private List<String> start = List.of(), kill = List.of();
        private final Map<String, Instant> backingOff = new LinkedHashMap<>();

        Expect killPod() { killPod = true; return this; }
        Expect createSandbox() { createSandbox = true; return this; }
        Expect done() { done = true; return this; }
        Expect start(String... names) { start = List.of(names); return this; }
        Expect kill(String... names) { kill = List.of(names); return this; }
        Expect backingOff(String name, Instant until) { backingOff.put(name, until); return this; }

        Plan plan() { return new Plan(killPod, createSandbox, start, kill, Map.copyOf(backingOff), done); }

        @Override
        public String toString() { return plan().toString(); }
    }

    static Expect nothing() { return new Expect(); }
}
