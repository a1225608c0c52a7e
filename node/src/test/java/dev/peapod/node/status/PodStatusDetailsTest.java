package dev.peapod.node.status;

import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.Waiting;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.peapod.node.status.StatusFixtures.NOW;
import static dev.peapod.node.status.StatusFixtures.T0;
import static dev.peapod.node.status.StatusFixtures.allRunning;
import static dev.peapod.node.status.StatusFixtures.created;
import static dev.peapod.node.status.StatusFixtures.exited;
import static dev.peapod.node.status.StatusFixtures.find;
import static dev.peapod.node.status.StatusFixtures.observed;
import static dev.peapod.node.status.StatusFixtures.pod;
import static dev.peapod.node.status.StatusFixtures.running;
import static dev.peapod.node.status.StatusFixtures.status;
import static dev.peapod.node.status.StatusFixtures.with;
import static dev.peapod.node.status.StatusFixtures.without;
import static org.assertj.core.api.Assertions.assertThat;

/** The fields the table does not show: ids, times, counts, messages, addresses, stability. */
class PodStatusDetailsTest {

    private static StatusInput input(ObservedPod observed) {
        return StatusInput.of(pod("Always"), observed, NOW);
    }

    @Test
    void aRunningContainerCarriesIdsImageAndStartTime() {
        var s = status(PodStatusComputer.compute(input(allRunning())), "web");
        assertThat(s.getContainerID()).isEqualTo("crun://web-0");
        assertThat(s.getImage()).isEqualTo("nginx:1.27");
        assertThat(s.getImageID()).isEqualTo("sha256:web");
        assertThat(s.getRestartCount()).isZero();
        assertThat(s.getStarted()).isTrue();
        assertThat(s.getState().getRunning().getStartedAt()).isEqualTo("2026-03-01T10:00:10Z");
        assertThat(s.getLastState().getTerminated()).isNull();
    }

    @Test
    void theContainerIdPrefixIsTheRuntimeName() {
        var status = PodStatusComputer.compute(input(allRunning()).withRuntimeName("runc"));
        assertThat(status(status, "app").getContainerID()).isEqualTo("runc://app-0");
    }

    @Test
    void aTerminatedContainerReportsExitCodeReasonTimesAndId() {
        var status = PodStatusComputer.compute(input(allRunning()));
        var t = status(status, "init-db").getState().getTerminated();
        assertThat(t.getExitCode()).isZero();
        assertThat(t.getReason()).isEqualTo("Completed");
        assertThat(t.getStartedAt()).isEqualTo("2026-03-01T10:00:10Z");
        assertThat(t.getFinishedAt()).isEqualTo("2026-03-01T10:00:20Z");
        assertThat(t.getContainerID()).isEqualTo("crun://init-db-0");
        assertThat(status(status, "init-db").getStarted()).isFalse();
    }

    @Test
    void afterARestartLastStateHoldsThePreviousAttempt() {
        var observed = with(without(allRunning(), "web"), exited("web", 0, 2), running("web", 1));
        var s = status(PodStatusComputer.compute(input(observed)), "web");
        assertThat(s.getRestartCount()).isEqualTo(1);
        assertThat(s.getContainerID()).isEqualTo("crun://web-1");
        assertThat(s.getState().getRunning()).isNotNull();
        var last = s.getLastState().getTerminated();
        assertThat(last.getExitCode()).isEqualTo(2);
        assertThat(last.getReason()).isEqualTo("Error");
        assertThat(last.getContainerID()).isEqualTo("crun://web-0");
    }

    @Test
    void crashLoopBackOffShowsTheReasonMessageAndTheLatestTermination() {
        var observed = with(without(allRunning(), "web"), exited("web", 3, 1), exited("web", 4, 1));
        var crash = new Waiting("CrashLoopBackOff", "back-off 20s restarting failed container=web pod=shop");
        var s = status(PodStatusComputer.compute(input(observed).withWaiting(Map.of("web", crash))), "web");
        assertThat(s.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(s.getState().getWaiting().getMessage()).isEqualTo(crash.message());
        assertThat(s.getRestartCount()).isEqualTo(4);
        assertThat(s.getLastState().getTerminated().getContainerID()).isEqualTo("crun://web-4");
        assertThat(s.getReady()).isFalse();
    }

    @Test
    void aCreatedButNotStartedContainerIsWaitingWithoutAReason() {
        var s = status(PodStatusComputer.compute(input(with(without(allRunning(), "web"), created("web", 0)))), "web");
        assertThat(s.getState().getWaiting()).isNotNull();
        assertThat(s.getState().getWaiting().getReason()).isNull();
        assertThat(s.getContainerID()).isEqualTo("crun://web-0");
    }

    @Test
    void aPodWithoutInitContainersWaitsInContainerCreating() {
        var bare = new PodBuilder(pod("Always")).editSpec().withInitContainers().endSpec().build();
        var status = PodStatusComputer.compute(StatusInput.of(bare, ObservedPod.empty(), NOW));
        assertThat(status(status, "web").getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
        assertThat(find(status, "Initialized").getStatus()).isEqualTo("True");
    }

    @Test
    void regularStatusesAreSortedByNameAndInitStatusesFollowTheSpec() {
        var status = PodStatusComputer.compute(input(allRunning()));
        assertThat(status.getContainerStatuses()).extracting("name").containsExactly("app", "web");
        assertThat(status.getInitContainerStatuses()).extracting("name").containsExactly("init-db", "proxy");
    }

    @Test
    void conditionMessagesListContainersLikeKubelet() {
        var status = PodStatusComputer.compute(input(ObservedPod.empty()));
        assertThat(find(status, "Initialized").getMessage())
                .isEqualTo("containers with incomplete status: [init-db proxy]");
        assertThat(find(status, "ContainersReady").getMessage())
                .isEqualTo("containers with unready status: [proxy web app]");
        assertThat(find(status, "Ready").getMessage()).isEqualTo(find(status, "ContainersReady").getMessage());
    }

    @Test
    void lastTransitionTimeIsKeptWhileAConditionKeepsItsStatus() {
        var first = PodStatusComputer.compute(input(allRunning()).withNow(T0.plusSeconds(30)));
        var later = T0.plusSeconds(90);
        var crashed = with(without(allRunning(), "web"), exited("web", 0, 1));
        var second = PodStatusComputer.compute(input(crashed).withPrevious(first).withNow(later));
        assertThat(find(second, "Initialized").getLastTransitionTime()).isEqualTo("2026-03-01T10:00:30Z");
        assertThat(find(second, "PodScheduled").getLastTransitionTime()).isEqualTo("2026-03-01T10:00:30Z");
        assertThat(find(second, "Ready").getStatus()).isEqualTo("False");
        assertThat(find(second, "Ready").getLastTransitionTime()).isEqualTo("2026-03-01T10:01:30Z");
        assertThat(find(second, "ContainersReady").getLastTransitionTime()).isEqualTo("2026-03-01T10:01:30Z");
    }

    @Test
    void conditionsCarryThePodGeneration() {
        var status = PodStatusComputer.compute(input(allRunning()));
        assertThat(status.getObservedGeneration()).isEqualTo(3L);
        assertThat(status.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3L));
    }

    @Test
    void startTimeComesFromTheInputThenNeverChanges() {
        var first = PodStatusComputer.compute(input(allRunning()).withStartTime(T0.plusMillis(1500)));
        assertThat(first.getStartTime()).isEqualTo("2026-03-01T10:00:01Z");
        var second = PodStatusComputer.compute(input(allRunning()).withPrevious(first).withStartTime(NOW));
        assertThat(second.getStartTime()).isEqualTo("2026-03-01T10:00:01Z");
        assertThat(PodStatusComputer.compute(input(allRunning())).getStartTime()).isEqualTo("2026-03-01T10:01:00Z");
    }

    @Test
    void addressesAreReportedWhenKnown() {
        var none = PodStatusComputer.compute(input(allRunning()));
        assertThat(none.getHostIP()).isNull();
        assertThat(none.getPodIP()).isNull();
        var status = PodStatusComputer.compute(input(allRunning()).withAddresses("192.168.1.5", "10.88.0.7"));
        assertThat(status.getHostIP()).isEqualTo("192.168.1.5");
        assertThat(status.getHostIPs()).extracting("ip").containsExactly("192.168.1.5");
        assertThat(status.getPodIP()).isEqualTo("10.88.0.7");
        assertThat(status.getPodIPs()).extracting("ip").containsExactly("10.88.0.7");
    }

    @Test
    void aHostNetworkPodTakesTheHostAddress() {
        var hostNet = new PodBuilder(pod("Always")).editSpec().withHostNetwork(true).endSpec().build();
        var status = PodStatusComputer.compute(StatusInput.of(hostNet, allRunning(), NOW)
                .withAddresses("192.168.1.5", null));
        assertThat(status.getPodIP()).isEqualTo("192.168.1.5");
    }

    @Test
    void qosClassIsReported() {
        assertThat(PodStatusComputer.compute(input(allRunning())).getQosClass()).isEqualTo("BestEffort");
    }

    @Test
    void evictionSetsReasonAndMessage() {
        var status = PodStatusComputer.compute(input(allRunning())
                .withEviction(new Eviction("DeadlineExceeded", "Pod was active on the node longer than the specified deadline")));
        assertThat(status.getPhase()).isEqualTo("Failed");
        assertThat(status.getReason()).isEqualTo("DeadlineExceeded");
        assertThat(status.getMessage()).startsWith("Pod was active");
    }

    @Test
    void aTerminalPhaseIsNeverLeftAndKeepsItsReason() {
        var previous = new PodStatusBuilder().withPhase("Failed").withReason("DeadlineExceeded")
                .withMessage("too long").build();
        var status = PodStatusComputer.compute(input(allRunning()).withPrevious(previous));
        assertThat(status.getPhase()).isEqualTo("Failed");
        assertThat(status.getReason()).isEqualTo("DeadlineExceeded");
        assertThat(status.getMessage()).isEqualTo("too long");
    }

    @Test
    void aVanishedInitContainerIsTakenAsCompletedOnceRegularContainersExist() {
        var status = PodStatusComputer.compute(input(without(allRunning(), "init-db")));
        var t = status(status, "init-db").getState().getTerminated();
        assertThat(t.getExitCode()).isZero();
        assertThat(t.getReason()).isEqualTo("Completed");
        assertThat(status(status, "init-db").getReady()).isTrue();
        assertThat(status.getPhase()).isEqualTo("Running");
    }

    @Test
    void aContainerThatVanishedWhileRunningEndedWithUnknownStatus() {
        var first = PodStatusComputer.compute(input(allRunning()));
        var status = PodStatusComputer.compute(input(without(allRunning(), "web")).withPrevious(first));
        var web = status(status, "web");
        assertThat(web.getLastState().getTerminated().getReason()).isEqualTo("ContainerStatusUnknown");
        assertThat(web.getLastState().getTerminated().getExitCode()).isEqualTo(137);
        assertThat(web.getRestartCount()).isEqualTo(1);
        assertThat(status.getPhase()).isEqualTo("Running");
    }

    @Test
    void aLastTerminationSurvivesTheRuntimeForgettingTheAttempt() {
        var observed = with(without(allRunning(), "web"), exited("web", 0, 2), running("web", 1));
        var first = PodStatusComputer.compute(input(observed));
        var forgotten = with(without(allRunning(), "web"), running("web", 1));
        var web = status(PodStatusComputer.compute(input(forgotten).withPrevious(first)), "web");
        assertThat(web.getLastState().getTerminated().getContainerID()).isEqualTo("crun://web-0");
        assertThat(web.getRestartCount()).isEqualTo(1);
    }

    @Test
    void readinessGatesAndForeignConditionsAreHonoured() {
        var gated = new PodBuilder(pod("Always")).editSpec().addNewReadinessGate()
                .withConditionType("example.com/lb-ready").endReadinessGate().endSpec()
                .withStatus(new PodStatusBuilder().addToConditions(new PodConditionBuilder()
                        .withType("example.com/lb-ready").withStatus("False").build()).build())
                .build();
        var status = PodStatusComputer.compute(StatusInput.of(gated, allRunning(), NOW));
        assertThat(status.getConditions().getFirst().getType()).isEqualTo("example.com/lb-ready");
        assertThat(find(status, "ContainersReady").getStatus()).isEqualTo("True");
        assertThat(find(status, "Ready").getReason()).isEqualTo("ReadinessGatesNotReady");
        assertThat(find(status, "Ready").getMessage())
                .isEqualTo("the status of pod readiness gate \"example.com/lb-ready\" is not \"True\", but False");
        var ungated = PodStatusComputer.compute(StatusInput.of(
                new PodBuilder(gated).withStatus(null).build(), allRunning(), NOW));
        assertThat(find(ungated, "Ready").getMessage())
                .isEqualTo("corresponding condition of pod readiness gate \"example.com/lb-ready\" does not exist.");
    }

    @Test
    void theInputIsNotModified() {
        var observed = with(without(allRunning(), "web"), exited("web", 0, 1));
        var previous = PodStatusComputer.compute(input(allRunning()));
        PodStatus copy = new PodStatusBuilder(previous).build();
        var pod = pod("Always");
        var podCopy = new PodBuilder(pod).build();
        PodStatusComputer.compute(StatusInput.of(pod, observed, NOW).withPrevious(previous)
                .withWaiting(Map.of("web", new Waiting("CrashLoopBackOff", "back-off"))));
        assertThat(previous).isEqualTo(copy);
        assertThat(pod).isEqualTo(podCopy);
    }

    @Test
    void theSameInputGivesTheSameStatus() {
        var in = input(observed(exited("init-db", 0, 1))).withWaiting(Map.of("init-db",
                new Waiting("CrashLoopBackOff", "back-off")));
        assertThat(PodStatusComputer.compute(in)).isEqualTo(PodStatusComputer.compute(in));
    }
}
