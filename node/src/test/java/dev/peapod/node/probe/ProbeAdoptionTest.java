package dev.peapod.node.probe;

import static dev.peapod.node.probe.ProbeManagerTest.container;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.node.probe.ProbeManagerTest.Def;
import dev.peapod.node.probe.ProbeManagerTest.Harness;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Probes of a container an earlier engine ran (restart safety): Kubernetes 1.35 keeps started and
 * ready across a kubelet restart (KEP-4781), so the adopted container keeps them until a probe
 * says otherwise, and a started one is not startup-probed again.
 */
class ProbeAdoptionTest {
    private static final Def READINESS = new Def(ProbeKind.READINESS, 0, 10, 1, 2);
    private static final Def STARTUP = new Def(ProbeKind.STARTUP, 0, 10, 1, 3);
    private static final Def LIVENESS = new Def(ProbeKind.LIVENESS, 0, 10, 1, 3);

    @Test
    void anAdoptedStartedAndReadyContainerStaysSoWithoutItsStartupProbeRunningAgain() {
        var h = new Harness(Map.of(ProbeKind.STARTUP, "F", ProbeKind.READINESS, "S", ProbeKind.LIVENESS, "S"));
        h.manager.containerAdopted(container(List.of(STARTUP, READINESS, LIVENESS)), "id-1", "10.88.0.5",
                h.start.minusSeconds(300), true, true);

        assertThat(h.manager.results().started()).containsEntry("app", true);
        assertThat(h.manager.results().ready()).as("ready at once, before any probe ran").containsEntry("app", true);
        h.scheduler.runUntil(h.start.plusSeconds(30));
        assertThat(h.log).as("liveness and readiness run at once; startup never").noneMatch(l -> l.contains("STARTUP"))
                .contains("0s READINESS S1", "0s LIVENESS S1");
        assertThat(h.manager.results().ready()).containsEntry("app", true);
    }

    @Test
    void anAdoptedReadyContainerTurnsUnreadyOnlyWhenItsProbeReachesTheFailureThreshold() {
        var h = new Harness(Map.of(ProbeKind.READINESS, "F"));
        h.manager.containerAdopted(container(List.of(READINESS)), "id-1", "10.88.0.5", h.start.minusSeconds(300), null, true);

        h.scheduler.runUntil(h.start);
        assertThat(h.manager.results().ready()).as("one failure of two").containsEntry("app", true);
        h.scheduler.runUntil(h.start.plusSeconds(10));
        assertThat(h.manager.results().ready()).containsEntry("app", false);
    }

    @Test
    void anAdoptedContainerNotYetStartedIsStartupProbedAndNotReady() {
        var h = new Harness(Map.of(ProbeKind.STARTUP, "S", ProbeKind.READINESS, "S"));
        h.manager.containerAdopted(container(List.of(STARTUP, READINESS)), "id-1", "10.88.0.5", h.start, false, null);

        assertThat(h.manager.results().started()).containsEntry("app", false);
        assertThat(h.manager.results().ready()).containsEntry("app", false);
        h.scheduler.runUntil(h.start.plusSeconds(10));
        assertThat(h.log).anyMatch(l -> l.contains("STARTUP S1"));
        assertThat(h.manager.results().ready()).containsEntry("app", true);
    }
}
