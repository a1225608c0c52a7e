package dev.peapod.node.status;

import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.Waiting;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.ContainerRestartRule;
import io.fabric8.kubernetes.api.model.ContainerRestartRuleOnExitCodes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.peapod.node.status.StatusFixtures.NOW;
import static dev.peapod.node.status.StatusFixtures.allRunning;
import static dev.peapod.node.status.StatusFixtures.exited;
import static dev.peapod.node.status.StatusFixtures.observed;
import static dev.peapod.node.status.StatusFixtures.pod;
import static dev.peapod.node.status.StatusFixtures.running;
import static dev.peapod.node.status.StatusFixtures.with;
import static dev.peapod.node.status.StatusFixtures.without;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Phase, conditions and container states from one base pod (init {@code init-db}, sidecar
 * {@code proxy}, regular {@code web} and {@code app}) and small changes to what was observed.
 * Container states read {@code name:state}, {@code +} marking ready; init statuses come in spec
 * order, regular ones sorted by name as kubelet reports them.
 */
class PodStatusComputerTest {

    private static final Waiting CRASH = new Waiting("CrashLoopBackOff",
            "back-off 10s restarting failed container");
    private static final String ALL_TRUE =
            "PodReadyToStartContainers=True Initialized=True Ready=True ContainersReady=True PodScheduled=True";
    private static final String NOT_READY = "PodReadyToStartContainers=True Initialized=True "
            + "Ready=False/ContainersNotReady ContainersReady=False/ContainersNotReady PodScheduled=True";
    private static final String NOT_INITIALIZED = "PodReadyToStartContainers=True "
            + "Initialized=False/ContainersNotInitialized Ready=False/ContainersNotReady "
            + "ContainersReady=False/ContainersNotReady PodScheduled=True";
    private static final String COMPLETED = "PodReadyToStartContainers=True Initialized=True/PodCompleted "
            + "Ready=False/PodCompleted ContainersReady=False/PodCompleted PodScheduled=True";
    private static final String FAILED_AFTER_INIT = "PodReadyToStartContainers=True Initialized=True "
            + "Ready=False/PodFailed ContainersReady=False/PodFailed PodScheduled=True";
    private static final String REGULARS_INITIALIZING = "app:waiting(PodInitializing) web:waiting(PodInitializing)";

    static final class Case {
        final String name;
        String policy = "Always";
        ObservedPod observed;
        final Map<String, Waiting> waiting = new HashMap<>();
        boolean terminating;
        ProbeResults probes = ProbeResults.NONE;
        Eviction eviction;
        String phase, conditions, containers;

        Case(String name, ObservedPod observed) { this.name = name; this.observed = observed; }

        Case policy(String p) { policy = p; return this; }
        Case waiting(String container, Waiting w) { waiting.put(container, w); return this; }
        Case terminating() { terminating = true; return this; }
        Case probes(ProbeResults p) { probes = p; return this; }
        Case evicted(Eviction e) { eviction = e; return this; }
        /** Container {@code app} sets restartPolicy Never with a rule: Restart on exit code 42 (KEP-5307). */
        Case appRestartsOn42() { restartOn42 = true; return this; }
        boolean restartOn42;

        Case expect(String phase, String conditions, String containers) {
            this.phase = phase;
            this.conditions = conditions;
            this.containers = containers;
            return this;
        }

        StatusInput input() {
            var pod = pod(policy);
            if (restartOn42) {
                var app = pod.getSpec().getContainers().get(1);
                app.setRestartPolicy("Never");
                app.setRestartPolicyRules(List.of(new ContainerRestartRule("Restart",
                        new ContainerRestartRuleOnExitCodes("In", List.of(42)))));
            }
            return StatusInput.of(pod, observed, NOW).withWaiting(waiting).withTerminating(terminating)
                    .withProbes(probes).withEviction(eviction);
        }

        @Override public String toString() { return name; }
    }

    static Case c(String name, ObservedPod observed) { return new Case(name, observed); }

    static Stream<Case> cases() {
        return Stream.of(
                c("every container running: Running and Ready", allRunning())
                        .expect("Running", ALL_TRUE,
                                "init-db:terminated(0 Completed)+ proxy:running+ app:running+ web:running+"),
                c("nothing created and no sandbox yet: Pending, everything PodInitializing", ObservedPod.empty())
                        .expect("Pending", NOT_INITIALIZED.replace("PodReadyToStartContainers=True",
                                        "PodReadyToStartContainers=False"),
                                "init-db:waiting(PodInitializing) proxy:waiting(PodInitializing) " + REGULARS_INITIALIZING),
                c("init container running: Pending", observed(running("init-db", 0)))
                        .expect("Pending", NOT_INITIALIZED,
                                "init-db:running proxy:waiting(PodInitializing) " + REGULARS_INITIALIZING),
                c("sidecar started, regular containers not created yet: Initialized but Pending",
                        observed(exited("init-db", 0, 0), running("proxy", 0)))
                        .expect("Pending", NOT_READY,
                                "init-db:terminated(0 Completed)+ proxy:running+ " + REGULARS_INITIALIZING),
                c("sidecar running but its startup probe has not passed: not Initialized",
                        observed(exited("init-db", 0, 0), running("proxy", 0)))
                        .probes(ProbeResults.NONE.withStarted("proxy", false))
                        .expect("Pending", NOT_INITIALIZED,
                                "init-db:terminated(0 Completed)+ proxy:running " + REGULARS_INITIALIZING),
                c("init container failed under Never: Failed", observed(exited("init-db", 0, 1))).policy("Never")
                        .expect("Failed", "PodReadyToStartContainers=True Initialized=False/ContainersNotInitialized "
                                        + "Ready=False/PodFailed ContainersReady=False/PodFailed PodScheduled=True",
                                "init-db:terminated(1 Error) proxy:waiting(PodInitializing) " + REGULARS_INITIALIZING),
                c("init container failed under OnFailure: backing off, Pending", observed(exited("init-db", 0, 1)))
                        .policy("OnFailure").waiting("init-db", CRASH)
                        .expect("Pending", NOT_INITIALIZED,
                                "init-db:waiting(CrashLoopBackOff) proxy:waiting(PodInitializing) "
                                        + REGULARS_INITIALIZING),
                c("regular containers done under Never while the sidecar still runs: Running until it is stopped",
                        observed(exited("init-db", 0, 0), running("proxy", 0), exited("web", 0, 0), exited("app", 0, 0)))
                        .policy("Never")
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ proxy:running+ "
                                + "app:terminated(0 Completed) web:terminated(0 Completed)"),
                c("regular containers done under Never and sidecar stopped by SIGTERM: Succeeded",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 143), exited("web", 0, 0), exited("app", 0, 0)))
                        .policy("Never")
                        .expect("Succeeded", COMPLETED, "init-db:terminated(0 Completed)+ proxy:terminated(143 Error) "
                                + "app:terminated(0 Completed) web:terminated(0 Completed)"),
                c("one regular container failed under Never: Failed",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 143), exited("web", 0, 0), exited("app", 0, 1)))
                        .policy("Never")
                        .expect("Failed", FAILED_AFTER_INIT, "init-db:terminated(0 Completed)+ "
                                + "proxy:terminated(143 Error) app:terminated(1 Error) web:terminated(0 Completed)"),
                c("a failed container under OnFailure will restart: Running though nothing runs",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 1), exited("web", 0, 0), exited("app", 0, 1)))
                        .policy("OnFailure").waiting("proxy", CRASH)
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ proxy:waiting(CrashLoopBackOff) "
                                + "app:terminated(1 Error) web:terminated(0 Completed)"),
                c("every regular container succeeded under OnFailure: Succeeded",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 143), exited("web", 0, 0), exited("app", 0, 0)))
                        .policy("OnFailure")
                        .expect("Succeeded", COMPLETED, "init-db:terminated(0 Completed)+ proxy:terminated(143 Error) "
                                + "app:terminated(0 Completed) web:terminated(0 Completed)"),
                c("app exited 42 under Never and its rule restarts 42: Running though nothing runs",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 143), exited("web", 0, 0), exited("app", 0, 42)))
                        .policy("Never").appRestartsOn42()
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ proxy:terminated(143 Error) "
                                + "app:terminated(42 Error) web:terminated(0 Completed)"),
                c("app exited 1 under Never and its rule restarts only 42: Failed",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 143), exited("web", 0, 0), exited("app", 0, 1)))
                        .policy("Never").appRestartsOn42()
                        .expect("Failed", FAILED_AFTER_INIT, "init-db:terminated(0 Completed)+ "
                                + "proxy:terminated(143 Error) app:terminated(1 Error) web:terminated(0 Completed)"),
                c("app with its own Never exited 0 under Always, web still running: Running",
                        observed(exited("init-db", 0, 0), running("proxy", 0), running("web", 0), exited("app", 0, 0)))
                        .appRestartsOn42()
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ proxy:running+ "
                                + "app:terminated(0 Completed) web:running+"),
                c("regular containers that exited 0 under Always will restart: Running",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 137), exited("web", 0, 0), exited("app", 0, 0)))
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ proxy:terminated(137 Error) "
                                + "app:terminated(0 Completed) web:terminated(0 Completed)"),
                c("CrashLoopBackOff: the crashing container waits, the pod stays Running",
                        with(without(allRunning(), "web"), exited("web", 1, 1), exited("web", 2, 1)))
                        .waiting("web", CRASH)
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ proxy:running+ app:running+ "
                                + "web:waiting(CrashLoopBackOff)"),
                c("image pull error before the first start: Pending", without(allRunning(), "web"))
                        .waiting("web", new Waiting("ErrImagePull", "failed to pull image nginx:1.27: not found"))
                        .expect("Pending", NOT_READY, "init-db:terminated(0 Completed)+ proxy:running+ app:running+ "
                                + "web:waiting(ErrImagePull)"),
                c("a crash-looping sidecar does not undo initialisation",
                        with(without(allRunning(), "proxy"), exited("proxy", 1, 1)))
                        .waiting("proxy", CRASH)
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ "
                                + "proxy:waiting(CrashLoopBackOff) app:running+ web:running+"),
                c("a failing readiness probe makes the pod unready", allRunning())
                        .probes(ProbeResults.NONE.withReady("web", false))
                        .expect("Running", NOT_READY,
                                "init-db:terminated(0 Completed)+ proxy:running+ app:running+ web:running"),
                c("terminating and all stopped by SIGTERM: Failed even under Always, nothing waits",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 143), exited("web", 0, 143),
                                exited("app", 0, 143)))
                        .terminating().waiting("web", CRASH)
                        .expect("Failed", FAILED_AFTER_INIT, "init-db:terminated(0 Completed)+ "
                                + "proxy:terminated(143 Error) app:terminated(143 Error) web:terminated(143 Error)"),
                c("terminating and all exited 0: Succeeded even under Always",
                        observed(exited("init-db", 0, 0), exited("proxy", 0, 0), exited("web", 0, 0), exited("app", 0, 0)))
                        .terminating()
                        .expect("Succeeded", COMPLETED, "init-db:terminated(0 Completed)+ proxy:terminated(0 Completed) "
                                + "app:terminated(0 Completed) web:terminated(0 Completed)"),
                c("terminating while a container still runs: Running",
                        with(allRunning(), exited("app", 0, 143)))
                        .terminating().waiting("app", CRASH)
                        .expect("Running", NOT_READY, "init-db:terminated(0 Completed)+ proxy:running+ "
                                + "app:terminated(143 Error) web:running+"),
                c("evicted by the node: Failed whatever the containers say", allRunning())
                        .evicted(new Eviction("DeadlineExceeded",
                                "Pod was active on the node longer than the specified deadline"))
                        .expect("Failed", FAILED_AFTER_INIT,
                                "init-db:terminated(0 Completed)+ proxy:running+ app:running+ web:running+"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void computesPhaseConditionsAndContainerStates(Case tc) {
        var status = PodStatusComputer.compute(tc.input());
        assertThat(status.getPhase()).as("phase").isEqualTo(tc.phase);
        assertThat(StatusFixtures.conditions(status)).as("conditions").isEqualTo(tc.conditions);
        assertThat(StatusFixtures.containers(status)).as("containers").isEqualTo(tc.containers);
    }
}
