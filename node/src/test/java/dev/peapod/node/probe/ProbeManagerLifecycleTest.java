package dev.peapod.node.probe;

import static dev.peapod.node.probe.ProbeManagerTest.container;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.node.probe.ProbeManagerTest.Def;
import dev.peapod.node.probe.ProbeManagerTest.Harness;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Container attempts coming and going, pod termination, and what status reads. */
class ProbeManagerLifecycleTest {
    private static final Def LIVENESS = new Def(ProbeKind.LIVENESS, 0, 10, 1, 3);
    private static final Def READINESS = new Def(ProbeKind.READINESS, 0, 10, 1, 1);
    private static final Def STARTUP = new Def(ProbeKind.STARTUP, 0, 10, 1, 3);

    @Test
    void statusSeesProbedContainersAsNotStartedAndNotReadyUntilTheirProbesSucceed() {
        var h = new Harness(Map.of(ProbeKind.STARTUP, "FS", ProbeKind.READINESS, "S"));
        h.manager.containerStarted(container(List.of(STARTUP, READINESS)), "id-1", "10.88.0.5", h.start);
        h.manager.containerStarted(new ContainerBuilder().withName("plain").build(), "id-2", "10.88.0.5", h.start);

        var before = h.manager.results();
        assertThat(before.started()).containsExactly(Map.entry("app", false));
        assertThat(before.ready()).containsExactly(Map.entry("app", false));
        assertThat(before.startedIfRunning("plain")).as("no probes: started once running").isTrue();

        h.scheduler.runUntil(h.start.plusSeconds(10));

        var after = h.manager.results();
        assertThat(after.startedIfRunning("app")).isTrue();
        assertThat(after.readyIfStarted("app")).isTrue();
    }

    @Test
    void aNewAttemptResumesProbingWithFreshCountsFromItsOwnStart() {
        var h = new Harness(Map.of(ProbeKind.LIVENESS, "F"));
        var spec = container(List.of(LIVENESS));
        h.manager.containerStarted(spec, "id-1", "10.88.0.5", h.start);
        h.scheduler.runUntil(h.start.plusSeconds(45));
        assertThat(h.log).endsWith("20s LIVENESS F3", "20s LIVENESS FAILED");

        h.manager.containerStopped("app");
        h.manager.containerStarted(spec, "id-2", "10.88.0.5", h.start.plusSeconds(45));
        h.scheduler.runUntil(h.start.plusSeconds(65));

        assertThat(h.log).containsExactly("0s LIVENESS F1", "10s LIVENESS F2", "20s LIVENESS F3", "20s LIVENESS FAILED",
                "45s LIVENESS F1", "55s LIVENESS F2", "65s LIVENESS F3", "65s LIVENESS FAILED");
    }

    @Test
    void aStoppedContainerIsNeitherStartedNorReadyAndIsNoLongerProbed() {
        var h = new Harness(Map.of(ProbeKind.STARTUP, "S", ProbeKind.READINESS, "S"));
        h.manager.containerStarted(container(List.of(STARTUP, READINESS)), "id-1", "10.88.0.5", h.start);
        h.scheduler.runUntil(h.start);
        assertThat(h.manager.results().ready()).containsEntry("app", true);

        h.manager.containerStopped("app");
        int heard = h.log.size();
        h.scheduler.runUntil(h.start.plusSeconds(100));

        assertThat(h.manager.results().started()).containsEntry("app", false);
        assertThat(h.manager.results().ready()).containsEntry("app", false);
        assertThat(h.log).hasSize(heard);
        assertThat(h.scheduler.pending()).isZero();
    }

    @Test
    void aResultThatArrivesAfterItsAttemptStoppedIsDropped() {
        var h = new Harness(Map.of(ProbeKind.READINESS, "S"));
        h.manager.containerStarted(container(List.of(READINESS)), "id-1", "10.88.0.5", h.start);
        h.duringProbe = () -> h.manager.containerStopped("app"); // the container stops while the probe runs

        h.scheduler.runUntil(h.start.plusSeconds(30));

        assertThat(h.log).isEmpty();
        assertThat(h.manager.results().ready()).containsEntry("app", false);
    }

    @Test
    void terminationStopsLivenessAndStartupButReadinessGoesOn() {
        var h = new Harness(Map.of(ProbeKind.STARTUP, "F", ProbeKind.LIVENESS, "F", ProbeKind.READINESS, "S"));
        h.manager.containerStarted(container(List.of(STARTUP, LIVENESS, READINESS)), "id-1", "10.88.0.5", h.start);
        h.scheduler.runUntil(h.start.plusSeconds(10)); // startup F1, F2: not started yet

        h.manager.podTerminating();
        h.scheduler.runUntil(h.start.plusSeconds(40));

        assertThat(h.log).containsExactly("0s STARTUP F1", "10s STARTUP F2",
                "10s READINESS S1", "10s READINESS -> true", "20s READINESS S2", "30s READINESS S3", "40s READINESS S4");
        assertThat(h.manager.results().startedIfRunning("app")).as("kubelet: startup counts as succeeded").isTrue();
    }

    @Test
    void theProbeLevelGracePeriodComesWithTheKill() {
        var h = new Harness(Map.of(ProbeKind.LIVENESS, "F"));
        var probe = new ProbeBuilder().withNewExec().withCommand("LIVENESS").endExec()
                .withFailureThreshold(1).withTerminationGracePeriodSeconds(7L).build();
        h.manager.containerStarted(new ContainerBuilder().withName("app").withLivenessProbe(probe).build(),
                "id-1", "10.88.0.5", h.start);

        h.scheduler.runUntil(h.start);

        assertThat(h.log).containsExactly("0s LIVENESS F1", "0s LIVENESS FAILED");
        assertThat(h.graces).containsExactly(Optional.of(Duration.ofSeconds(7)));
    }

    @Test
    void aProbeThatCannotBeBuiltErrorsEveryPeriodAndNeverKills() {
        var h = new Harness(Map.of());
        var probe = new ProbeBuilder().withNewHttpGet().withNewPort("web").endHttpGet().withFailureThreshold(1).build();
        var heard = new java.util.ArrayList<String>();
        var manager = new ProbeManager(h, new ProbeResultsSink() {
            @Override
            public void onResult(ProbeTarget target, ProbeKind kind, ProbeResult result, int consecutive) {
                heard.add(ProbeEvents.forResult(kind, result).orElseThrow().message());
            }
        }, h.clock, h.scheduler);
        manager.containerStarted(new ContainerBuilder().withName("app").withLivenessProbe(probe).build(),
                "id-1", "10.88.0.5", h.start);

        h.scheduler.runUntil(h.start.plusSeconds(20));

        assertThat(heard).hasSize(3).allMatch(m -> m.equals("Liveness probe errored and resulted in unknown state: "
                + "failed to resolve port \"web\": container app has no port named \"web\""));
        assertThat(h.calls).as("the prober is never asked").isEmpty();
    }

    @Test
    void closeStopsEverythingAndLaterStartsAreIgnored() {
        var h = new Harness(Map.of(ProbeKind.LIVENESS, "S"));
        h.manager.containerStarted(container(List.of(LIVENESS)), "id-1", "10.88.0.5", h.start);
        h.manager.close();
        h.manager.containerStarted(container(List.of(LIVENESS)), "id-2", "10.88.0.5", h.start);

        h.scheduler.runUntil(h.start.plusSeconds(30));

        assertThat(h.log).isEmpty();
        assertThat(h.manager.results()).isEqualTo(dev.peapod.node.status.ProbeResults.NONE);
    }
}
