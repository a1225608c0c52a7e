package dev.peapod.node.plan;

import dev.peapod.node.model.ObservedContainer;
import dev.peapod.node.model.ObservedPod;
import dev.peapod.node.model.RuntimeState;
import dev.peapod.node.plan.PlanFixtures.Expect;
import dev.peapod.node.plan.PlanFixtures.FakeGate;
import dev.peapod.node.plan.PlanFixtures.Layout;
import dev.peapod.node.plan.PlanFixtures.Obs;
import dev.peapod.node.plan.PlanFixtures.Plan;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.peapod.node.plan.PlanFixtures.SANDBOX_CREATED;
import static dev.peapod.node.plan.PlanFixtures.nothing;
import static dev.peapod.node.plan.PlanFixtures.obs;
import static dev.peapod.node.plan.PlanFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PodPlanner} from a table, after kubelet's {@code TestComputePodActions*}: one base pod
 * ({@code init-1}, sidecar {@code proxy}, {@code init-2}; {@code app}, {@code helper}), a
 * restartPolicy, what the runtime observed, which containers the backoff holds, and the plan.
 * Observed states read in the order things happened.
 */
class PodPlannerTest {

    private static final Instant RETRY = SANDBOX_CREATED.plusSeconds(300);
    private static final Instant LATER_RETRY = SANDBOX_CREATED.plusSeconds(600);

    /** One row of the table. */
    static final class Case {
        String name;
        String policy = "Always";
        Layout layout = Layout.SIDECAR_BETWEEN;
        Obs observed = obs();
        final Map<String, Instant> blocked = new HashMap<>();
        final java.util.Set<String> notStarted = new java.util.HashSet<>();
        boolean terminating;
        final List<java.util.function.Consumer<io.fabric8.kubernetes.api.model.Pod>> tweaks = new ArrayList<>();
        Expect expect = nothing();

        Case policy(String p) { policy = p; return this; }
        Case layout(Layout l) { layout = l; return this; }
        Case observed(Obs o) { observed = o; return this; }
        Case blocked(String name, Instant until) { blocked.put(name, until); return this; }
        /** The named running containers' startup probes have not succeeded yet. */
        Case notStarted(String... names) { notStarted.addAll(List.of(names)); return this; }
        Case terminating() { terminating = true; return this; }
        /** The named container sets its own restartPolicy and rules ("-" for none, else as {@link RestartRulesTest#rules}). */
        Case own(String name, String policy, String rules) {
            tweaks.add(pod -> {
                var c = java.util.stream.Stream.concat(pod.getSpec().getInitContainers().stream(),
                        pod.getSpec().getContainers().stream()).filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
                c.setRestartPolicy(policy);
                if (!rules.equals("-")) c.setRestartPolicyRules(RestartRulesTest.rules(rules));
            });
            return this;
        }

        io.fabric8.kubernetes.api.model.Pod pod() {
            var pod = PlanFixtures.pod(policy, layout);
            tweaks.forEach(t -> t.accept(pod));
            return pod;
        }
        Case expect(Expect e) { expect = e; return this; }
    }

    private static Named<Case> when(String name, Case c) {
        c.name = name;
        return Named.of(name, c);
    }

    private static Case given() { return new Case(); }

    /** init-1 and init-2 succeeded, proxy runs (between them). */
    private static Obs initialised() {
        return obs().exited("init-1", 0).running("proxy").exited("init-2", 0);
    }

    /** Initialised, and both regular containers run. */
    private static Obs steady() {
        return initialised().running("app").running("helper");
    }

    static Stream<Named<Case>> cases() {
        return Stream.of(initOrder(), startupGating(), initFailure(), regular(), completion(), sandbox(),
                        containerPolicies(), other())
                .flatMap(s -> s);
    }

    private static Stream<Named<Case>> initOrder() {
        return Stream.of(
                when("fresh pod: create the sandbox and start the first init container",
                        given().observed(obs().noSandbox()).expect(nothing().createSandbox().start("init-1"))),
                when("sandbox ready, nothing started: start the first init container",
                        given().expect(nothing().start("init-1"))),
                when("init-1 running: wait for it",
                        given().observed(obs().running("init-1"))),
                when("init-1 exited 0 (sidecar declared last): start init-2",
                        given().layout(Layout.SIDECAR_LAST).observed(obs().exited("init-1", 0))
                                .expect(nothing().start("init-2"))),
                when("init-1 exited 0 (sidecar declared next): start the sidecar",
                        given().observed(obs().exited("init-1", 0)).expect(nothing().start("proxy"))),
                when("sidecar created but not running: it holds back init-2",
                        given().observed(obs().exited("init-1", 0).created("proxy"))),
                when("sidecar running: init-2 proceeds",
                        given().observed(obs().exited("init-1", 0).running("proxy")).expect(nothing().start("init-2"))),
                when("sidecar exited before init-2 started: restart it, init-2 waits, even under Never",
                        given().policy("Never").observed(obs().exited("init-1", 0).exited("proxy", 1))
                                .expect(nothing().start("proxy"))),
                when("sidecar crashed while init-2 runs: restart the sidecar only",
                        given().observed(obs().exited("init-1", 0).running("proxy").running("init-2").exited("proxy", 1))
                                .expect(nothing().start("proxy"))),
                when("all init containers done: start every regular container together",
                        given().observed(initialised()).expect(nothing().start("app", "helper"))),
                when("sidecar declared last and running: initialisation is complete",
                        given().layout(Layout.SIDECAR_LAST)
                                .observed(obs().exited("init-1", 0).exited("init-2", 0).running("proxy"))
                                .expect(nothing().start("app", "helper"))),
                when("sidecar declared last exited before the regular containers started: restart it, they wait",
                        given().layout(Layout.SIDECAR_LAST)
                                .observed(obs().exited("init-1", 0).exited("init-2", 0).exited("proxy", 2))
                                .expect(nothing().start("proxy"))),
                when("sidecar crashed after init-2 started: restart it and start the regular containers",
                        given().observed(obs().exited("init-1", 0).running("proxy").exited("init-2", 0).exited("proxy", 1))
                                .expect(nothing().start("proxy", "app", "helper"))));
    }

    /** A sidecar is started once its startupProbe passed (kubelet computeInitContainerActions, isStarted). */
    private static Stream<Named<Case>> startupGating() {
        return Stream.of(
                when("sidecar running, its startup probe not passed yet: init-2 waits",
                        given().observed(obs().exited("init-1", 0).running("proxy")).notStarted("proxy")),
                when("sidecar declared last running but not started: the regular containers wait",
                        given().layout(Layout.SIDECAR_LAST)
                                .observed(obs().exited("init-1", 0).exited("init-2", 0).running("proxy"))
                                .notStarted("proxy")),
                when("second sidecar not started: the regular containers wait although the first has started",
                        given().layout(Layout.TWO_SIDECARS)
                                .observed(obs().exited("init-1", 0).running("proxy").exited("init-2", 0).running("logs"))
                                .notStarted("logs")),
                when("sidecar restarted after init-2 ran, not started yet: it does not hold anything back again",
                        given().observed(obs().exited("init-1", 0).running("proxy").exited("init-2", 0)
                                        .exited("proxy", 1).running("proxy"))
                                .notStarted("proxy").expect(nothing().start("app", "helper"))),
                when("sidecar restarted while the regular containers run, not started yet: nothing else to do",
                        given().observed(steady().exited("proxy", 1).running("proxy")).notStarted("proxy")),
                when("a regular container's startup probe does not hold anything back",
                        given().observed(initialised().running("app")).notStarted("app")
                                .expect(nothing().start("helper"))),
                when("new sandbox: the sidecar's startup probe gates init-2 again",
                        given().observed(steady().allKilled().newSandbox().exited("init-1", 0).running("proxy"))
                                .notStarted("proxy")));
    }

    private static Stream<Named<Case>> initFailure() {
        return Stream.of(
                when("init-1 failed under Never: the pod has failed, nothing runs, done",
                        given().policy("Never").observed(obs().exited("init-1", 1)).expect(nothing().done())),
                when("init-2 failed under Never: kill the running sidecar, not done until it exits",
                        given().policy("Never").observed(initialisedButInit2Failed())
                                .expect(nothing().kill("proxy"))),
                when("init-2 failed under Never and the sidecar has exited: done, the sidecar is not restarted",
                        given().policy("Never").observed(initialisedButInit2Failed().allKilled())
                                .expect(nothing().done())),
                when("init-1 failed under OnFailure: restart it",
                        given().policy("OnFailure").observed(obs().exited("init-1", 1)).expect(nothing().start("init-1"))),
                when("init-1 failed under Always: restart it",
                        given().observed(obs().exited("init-1", 1)).expect(nothing().start("init-1"))),
                when("init-1 failed again under OnFailure, gate closed: back off until the gate's time",
                        given().policy("OnFailure").observed(obs().exited("init-1", 1).exited("init-1", 1))
                                .blocked("init-1", RETRY).expect(nothing().backingOff("init-1", RETRY))),
                when("init-2 failed with the sidecar running: restart init-2 only",
                        given().observed(initialisedButInit2Failed()).expect(nothing().start("init-2"))));
    }

    private static Obs initialisedButInit2Failed() {
        return obs().exited("init-1", 0).running("proxy").exited("init-2", 1);
    }

    private static Stream<Named<Case>> regular() {
        return Stream.of(
                when("steady state: nothing to do",
                        given().observed(steady())),
                when("app exited 0 under Always: restart it",
                        given().observed(steady().exited("app", 0)).expect(nothing().start("app"))),
                when("app exited 0 under OnFailure: not restarted",
                        given().policy("OnFailure").observed(steady().exited("app", 0))),
                when("app exited 1 under OnFailure: restart it",
                        given().policy("OnFailure").observed(steady().exited("app", 1)).expect(nothing().start("app"))),
                when("app exited 1 under Never: not restarted",
                        given().policy("Never").observed(steady().exited("app", 1))),
                when("both regular containers crash-looping: each backs off until its own time from the gate",
                        given().observed(initialised().exited("app", 1).exited("helper", 2))
                                .blocked("app", RETRY).blocked("helper", LATER_RETRY)
                                .expect(nothing().backingOff("app", RETRY).backingOff("helper", LATER_RETRY))),
                when("sidecar crashed while the regular containers run: restart it even under Never",
                        given().policy("Never").observed(steady().exited("proxy", 1)).expect(nothing().start("proxy"))),
                when("sidecar crashed while the regular containers run, gate closed: it backs off",
                        given().observed(steady().exited("proxy", 1)).blocked("proxy", RETRY)
                                .expect(nothing().backingOff("proxy", RETRY))),
                when("sidecar record lost after initialisation: start it again alongside restarts of regular containers",
                        given().observed(obs().exited("init-1", 0).exited("init-2", 0).running("app").exited("helper", 1))
                                .expect(nothing().start("proxy", "helper"))));
    }

    private static Stream<Named<Case>> completion() {
        return Stream.of(
                when("all regular containers finished under Never, sidecar running: stop the sidecar, not done yet",
                        given().policy("Never").observed(initialised().exited("app", 0).exited("helper", 1))
                                .expect(nothing().kill("proxy"))),
                when("all regular containers finished under Never, sidecar stopped: done",
                        given().policy("Never").observed(initialised().exited("app", 0).exited("helper", 1).allKilled())
                                .expect(nothing().done())),
                when("two sidecars running when the regular containers finish: stop them last declared first",
                        given().policy("Never").layout(Layout.TWO_SIDECARS)
                                .observed(initialised().running("logs").exited("app", 0).exited("helper", 0))
                                .expect(nothing().kill("logs", "proxy"))),
                when("two sidecars, the later one already stopped: stop the other",
                        given().policy("Never").layout(Layout.TWO_SIDECARS)
                                .observed(initialised().running("logs").exited("app", 0).exited("helper", 0)
                                        .exited("logs", 143))
                                .expect(nothing().kill("proxy"))),
                when("all regular containers succeeded under OnFailure, sidecar crashed: not restarted, done",
                        given().policy("OnFailure").observed(initialised().exited("app", 0).exited("helper", 0)
                                .exited("proxy", 1)).expect(nothing().done())),
                when("all regular containers succeeded under OnFailure, sidecar in backoff: no wake-up, done",
                        given().policy("OnFailure").observed(initialised().exited("app", 0).exited("helper", 0)
                                .exited("proxy", 1)).blocked("proxy", RETRY).expect(nothing().done())),
                when("one regular container still running under Never: the sidecar keeps running",
                        given().policy("Never").observed(steady().exited("app", 0))));
    }

    private static Stream<Named<Case>> sandbox() {
        return Stream.of(
                when("sandbox died with containers: kill the pod, create a sandbox, start the first init container",
                        given().observed(steady().allKilled().sandboxDead())
                                .expect(nothing().killPod().createSandbox().start("init-1"))),
                when("sandbox dead and the pod finished under Never: no new sandbox, done",
                        given().policy("Never").observed(initialised().exited("app", 0).exited("helper", 1).allKilled()
                                .sandboxDead()).expect(nothing().killPod().done())),
                when("sandbox died during initialisation under Never: kill the pod, no second sandbox, done",
                        given().policy("Never").observed(obs().exited("init-1", 0).running("proxy").running("init-2")
                                .sandboxDead()).expect(nothing().killPod().done())),
                when("sandbox died before any container was created under Never: create it again",
                        given().policy("Never").observed(obs().sandboxDead())
                                .expect(nothing().killPod().createSandbox().start("init-1"))),
                when("sandbox dead, every regular container succeeded under OnFailure: no new sandbox, done",
                        given().policy("OnFailure").observed(initialised().exited("app", 0).exited("helper", 0)
                                .allKilled().sandboxDead()).expect(nothing().killPod().done())),
                when("sandbox dead, a regular container failed under OnFailure: new sandbox, init runs again",
                        given().policy("OnFailure").observed(initialised().exited("app", 0).exited("helper", 1)
                                .allKilled().sandboxDead()).expect(nothing().killPod().createSandbox().start("init-1"))),
                when("new sandbox, init-1 running again: the old sandbox's init containers do not count",
                        given().observed(steady().allKilled().newSandbox().running("init-1"))),
                when("new sandbox, init-1 done again: start the sidecar, not the old sandbox's successors",
                        given().observed(steady().allKilled().newSandbox().exited("init-1", 0))
                                .expect(nothing().start("proxy"))),
                when("new sandbox, sidecar running again: start init-2 again",
                        given().observed(steady().allKilled().newSandbox().exited("init-1", 0).running("proxy"))
                                .expect(nothing().start("init-2"))),
                when("new sandbox while old attempts still report running: nothing is started twice",
                        given().observed(steady().newSandbox())),
                when("new sandbox initialised under OnFailure: restart only what had not succeeded",
                        given().policy("OnFailure").observed(initialised().exited("app", 0).running("helper").allKilled()
                                .newSandbox().exited("init-1", 0).running("proxy").exited("init-2", 0))
                                .expect(nothing().start("helper"))),
                when("no init containers, sandbox dead under OnFailure: new sandbox, start only what failed",
                        given().policy("OnFailure").layout(Layout.NO_INIT)
                                .observed(obs().exited("app", 0).exited("helper", 1).sandboxDead())
                                .expect(nothing().killPod().createSandbox().start("helper"))));
    }

    /** Per-container restartPolicy and restartPolicyRules (KEP-5307), checked before the pod's policy. */
    private static Stream<Named<Case>> containerPolicies() {
        return Stream.of(
                when("rule Restart on 42, app exited 42 under Never: restart it",
                        given().policy("Never").own("app", "Never", "In:42")
                                .observed(steady().exited("app", 42)).expect(nothing().start("app"))),
                when("rule Restart on 42, app exited 1 under Never: not restarted",
                        given().policy("Never").own("app", "Never", "In:42").observed(steady().exited("app", 1))),
                when("rule Restart on 42, app backing off after 42: the gate decides when",
                        given().policy("Never").own("app", "Never", "In:42")
                                .observed(steady().exited("app", 42).exited("app", 42)).blocked("app", RETRY)
                                .expect(nothing().backingOff("app", RETRY))),
                when("rule matched nothing and the other container finished: the pod completes, sidecar stopped",
                        given().policy("Never").own("app", "Never", "In:42")
                                .observed(steady().exited("helper", 0).exited("app", 1)).expect(nothing().kill("proxy"))),
                when("rule NotIn 0: a failure restarts, exit 0 does not",
                        given().policy("Never").own("app", "Never", "NotIn:0").own("helper", "Never", "NotIn:0")
                                .observed(steady().exited("app", 0).exited("helper", 3)).expect(nothing().start("helper"))),
                when("own Always under Never: restarted after exit 0",
                        given().policy("Never").own("app", "Always", "-").observed(steady().exited("app", 0))
                                .expect(nothing().start("app"))),
                when("own Never under Always: not restarted, the other keeps running",
                        given().own("app", "Never", "-").observed(steady().exited("app", 1))),
                when("own Never and OnFailure under Always, both done for good: the pod completes",
                        given().own("app", "Never", "-").own("helper", "OnFailure", "-")
                                .observed(steady().exited("app", 1).exited("helper", 0)).expect(nothing().kill("proxy"))),
                when("init-1 rule Restart on 42 under Never: exit 42 retries it",
                        given().policy("Never").own("init-1", "Never", "In:42").observed(obs().exited("init-1", 42))
                                .expect(nothing().start("init-1"))),
                when("init-1 rule Restart on 42 under Never: exit 1 fails the pod",
                        given().policy("Never").own("init-1", "Never", "In:42").observed(obs().exited("init-1", 1))
                                .expect(nothing().done())),
                when("init-1 own Never under Always: a failure fails the pod",
                        given().own("init-1", "Never", "-").observed(obs().exited("init-1", 1)).expect(nothing().done())),
                when("sandbox died under Never, app may restart by its rule: new sandbox",
                        given().policy("Never").own("app", "Never", "In:42")
                                .observed(steady().exited("app", 42).allKilled().sandboxDead())
                                .expect(nothing().killPod().createSandbox().start("init-1"))),
                when("sandbox died under Always, every container done for good by its own Never: no new sandbox, done",
                        given().own("app", "Never", "-").own("helper", "Never", "-")
                                .observed(steady().allKilled().sandboxDead()).expect(nothing().killPod().done())),
                when("no init containers, sandbox dead: only what its rules restart starts again",
                        given().policy("Never").layout(Layout.NO_INIT).own("app", "Never", "In:42")
                                .own("helper", "Never", "In:42")
                                .observed(obs().running("helper").exited("app", 42).allKilled().sandboxDead())
                                .expect(nothing().killPod().createSandbox().start("app"))));
    }

    private static Stream<Named<Case>> other() {
        return Stream.of(
                when("terminating: kill the pod, done",
                        given().observed(steady()).terminating().expect(nothing().killPod().done())),
                when("terminating before anything was created: nothing to kill, done",
                        given().observed(obs().noSandbox()).terminating().expect(nothing().done())),
                when("pod without init containers: start every regular container",
                        given().layout(Layout.NO_INIT).expect(nothing().start("app", "helper"))),
                when("fresh pod without init containers: create the sandbox and start every regular container",
                        given().layout(Layout.NO_INIT).observed(obs().noSandbox())
                                .expect(nothing().createSandbox().start("app", "helper"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(Case c) {
        ObservedPod observed = c.observed.build();
        var gate = new FakeGate(c.blocked);

        StartupGate started = name -> !c.notStarted.contains(name);

        var actions = PodPlanner.compute(c.pod(), observed, gate, started, c.terminating);

        assertThat(Plan.of(actions)).as(c.name).isEqualTo(c.expect.plan());
        assertGateAskedWithLatestExit(gate, observed);
    }

    static Stream<Named<Case>> drainCases() {
        return Stream.of(
                when("app draining, sidecar crashed: restart it even under Never",
                        given().policy("Never").observed(steady().exited("helper", 143).exited("proxy", 1))
                                .expect(nothing().start("proxy"))),
                when("app draining, sidecar crashed again, gate closed: it backs off",
                        given().observed(steady().exited("proxy", 1)).blocked("proxy", RETRY)
                                .expect(nothing().backingOff("proxy", RETRY))),
                when("app draining, sidecars running: nothing to do",
                        given().layout(Layout.TWO_SIDECARS).observed(steady().running("logs"))),
                when("two sidecars crashed while draining: both restart, in declaration order",
                        given().layout(Layout.TWO_SIDECARS)
                                .observed(steady().running("logs").exited("logs", 2).exited("proxy", 1))
                                .expect(nothing().start("proxy", "logs"))),
                when("every regular container stopped: a sidecar that exits is not restarted",
                        given().observed(steady().exited("app", 143).exited("helper", 143).exited("proxy", 1))),
                when("sandbox dead: nothing is restarted",
                        given().observed(steady().exited("proxy", 1).sandboxDead())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drainCases")
    void restartsWhileDraining(Case c) {
        var gate = new FakeGate(c.blocked);

        var actions = PodPlanner.restartsWhileDraining(c.pod(), c.observed.build(), gate);

        assertThat(Plan.of(actions)).as(c.name).isEqualTo(c.expect.plan());
    }

    /**
     * 1000 random observed states of the base pod (fixed seed: a failure names its round and
     * replays): whatever was observed, the plan keeps kubelet's ordering and never contradicts itself.
     */
    @Test
    void randomObservedStatesKeepTheInvariants() {
        var random = new Random(1000);
        var seen = new TreeSet<String>();
        for (int round = 0; round < 1000; round++) {
            String policy = List.of("Always", "OnFailure", "Never").get(random.nextInt(3));
            Layout layout = List.of(Layout.SIDECAR_BETWEEN, Layout.SIDECAR_LAST, Layout.TWO_SIDECARS)
                    .get(random.nextInt(3));
            ObservedPod observed = randomObserved(random, layout, policy);
            var gate = new FakeGate(randomBlocked(random, layout));
            boolean terminating = random.nextInt(20) == 0;
            var notStarted = new TreeSet<String>();
            for (String name : layout.inits) if (random.nextInt(3) == 0) notStarted.add(name);

            var actions = PodPlanner.compute(pod(policy, layout), observed, gate, n -> !notStarted.contains(n),
                    terminating);

            String context = "round " + round + ", " + policy + " " + layout + (terminating ? " terminating" : "")
                    + ", not started " + notStarted + "\nobserved " + observed + "\nplan " + actions;
            assertInvariants(policy, layout, observed, terminating, actions, context);
            assertUnstartedSidecarsHoldBack(layout, observed, notStarted, actions, context);
            assertGateAskedWithLatestExit(gate, observed);
            seen.addAll(kinds(actions));
        }
        // The generator must reach every kind of decision, or the invariants prove little.
        assertThat(seen).containsExactly("backingOff", "createSandbox", "done", "kill", "killPod",
                "start init", "start regular", "start sidecar");
    }

    private static List<String> kinds(PodActions a) {
        var kinds = new ArrayList<String>();
        if (a.killPod()) kinds.add("killPod");
        if (a.createSandbox()) kinds.add("createSandbox");
        if (a.done()) kinds.add("done");
        if (!a.kill().isEmpty()) kinds.add("kill");
        if (!a.backingOff().isEmpty()) kinds.add("backingOff");
        for (String n : a.start()) {
            kinds.add(PlanFixtures.isSidecarName(n) ? "start sidecar"
                    : PlanFixtures.isInitName(n) ? "start init" : "start regular");
        }
        return kinds;
    }

    private static void assertInvariants(String policy, Layout layout, ObservedPod observed, boolean terminating,
                                         PodActions a, String context) {
        List<String> inits = layout.inits.stream().filter(n -> !PlanFixtures.isSidecarName(n)).toList();
        List<String> regular = List.of("app", "helper");
        assertThat(a.start()).as(context).doesNotHaveDuplicates();
        assertThat(a.start().stream().filter(inits::contains)).as("one init container at a time: " + context)
                .hasSizeLessThanOrEqualTo(1);
        // Init progress counts in the current sandbox only (kubelet purges init containers with a sandbox).
        ObservedPod current = PodPlanner.currentSandbox(observed);
        boolean initialised = regular.stream().anyMatch(n -> current.latest(n).isPresent());
        if (!initialised && a.start().stream().anyMatch(regular::contains)) {
            assertThat(inits).as("regular containers start only after every init container succeeded: " + context)
                    .allMatch(n -> current.latest(n).map(ObservedContainer::succeeded).orElse(false));
        }
        assertThat(a.start()).as("started and killed: " + context).noneMatch(a.kill()::containsKey);
        assertThat(a.start()).as("started and backing off: " + context).noneMatch(a.backingOff()::containsKey);
        assertThat(a.kill().keySet()).as("only live containers are killed: " + context)
                .allMatch(n -> observed.latest(n).map(c -> !c.exited()).orElse(false));
        if (observed.sandboxReady() && !terminating) {
            assertThat(a.start()).as("a live container is not started twice: " + context)
                    .allMatch(n -> observed.latest(n).map(ObservedContainer::exited).orElse(true));
        }
        if (observed.sandboxReady() && "Never".equals(policy)) {
            assertThat(a.start()).as("under Never only sidecars run again: " + context)
                    .allMatch(n -> PlanFixtures.isSidecarName(n) || observed.latest(n).isEmpty());
        }
        if (a.done() && !terminating) {
            assertThat(a.start()).as("done starts nothing: " + context).isEmpty();
            assertThat(a.backingOff()).as("done waits for nothing: " + context).isEmpty();
            assertThat(a.createSandbox()).as("done creates no sandbox: " + context).isFalse();
        }
    }

    /**
     * Before anything declared after it has run in the current sandbox, a running sidecar whose
     * startup probe has not passed lets nothing declared after it start.
     */
    private static void assertUnstartedSidecarsHoldBack(Layout layout, ObservedPod observed, Set<String> notStarted,
                                                        PodActions a, String context) {
        if (!observed.sandboxReady()) return;
        ObservedPod current = PodPlanner.currentSandbox(observed);
        List<String> order = new ArrayList<>(layout.inits);
        order.addAll(List.of("app", "helper"));
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            boolean unstarted = PlanFixtures.isSidecarName(name) && notStarted.contains(name)
                    && current.latest(name).map(ObservedContainer::running).orElse(false);
            List<String> after = order.subList(i + 1, order.size());
            if (!unstarted || after.stream().anyMatch(n -> current.latest(n).isPresent())) continue;
            assertThat(a.start()).as("an unstarted sidecar holds back what follows it: " + context)
                    .noneMatch(after::contains);
        }
    }

    /**
     * Any mix of absent, created, running and exited attempts (an earlier attempt sometimes before
     * the latest). Unless the policy is Never (which gets no second sandbox), some states begin
     * with a whole earlier run in a sandbox that died and was replaced.
     */
    private static ObservedPod randomObserved(Random random, Layout layout, String policy) {
        Obs o = obs();
        var names = new ArrayList<>(layout.inits);
        names.addAll(List.of("app", "helper"));
        if (!"Never".equals(policy) && random.nextInt(6) == 0) {
            for (String name : names) o.running(name);
            o.allKilled().newSandbox();
        }
        switch (random.nextInt(10)) {
            case 0 -> o.sandboxDead();
            case 1 -> o.noSandbox();
            default -> { }
        }
        for (String name : names) {
            int shape = random.nextInt(6);
            if (shape < 2) continue; // never ran
            if (shape == 5) o.exited(name, random.nextInt(2)); // an earlier attempt
            switch (random.nextInt(4)) {
                case 0 -> o.created(name);
                case 1 -> o.running(name);
                case 2 -> o.running(name).exited(name, 0);
                default -> o.running(name).exited(name, 1 + random.nextInt(137));
            }
        }
        return o.build();
    }

    private static Map<String, Instant> randomBlocked(Random random, Layout layout) {
        var blocked = new HashMap<String, Instant>();
        var names = new ArrayList<>(layout.inits);
        names.addAll(List.of("app", "helper"));
        for (String name : names) {
            if (random.nextInt(3) == 0) blocked.put(name, RETRY.plusSeconds(random.nextInt(300)));
        }
        return blocked;
    }

    /** The backoff is keyed on the latest attempt's exit: the planner must hand that time over. */
    static void assertGateAskedWithLatestExit(FakeGate gate, ObservedPod observed) {
        gate.asked.forEach((name, finishedAt) -> {
            var latest = observed.latest(name).orElseThrow();
            assertThat(latest.state()).as("latest attempt of %s", name).isInstanceOf(RuntimeState.Exited.class);
            assertThat(finishedAt).as("exit time handed to the gate for %s", name)
                    .isEqualTo(((RuntimeState.Exited) latest.state()).finishedAt());
        });
    }
}
