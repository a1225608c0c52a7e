package dev.peapod.node;

import dev.peapod.node.FakeNode.PodFixture;
import dev.peapod.testing.FakeMounter;
import dev.peapod.testing.FakeOciRuntime;
import dev.peapod.testing.OciCall;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static dev.peapod.testing.FakeProcess.exit;
import static dev.peapod.testing.FakeProcess.failCreate;
import static dev.peapod.testing.FakeProcess.failStart;
import static dev.peapod.testing.FakeProcess.ignoreTerm;
import static dev.peapod.testing.OciCall.Op.CREATE;
import static dev.peapod.testing.OciCall.Op.DELETE;
import static dev.peapod.testing.OciCall.Op.EXIT;
import static dev.peapod.testing.OciCall.Op.KILL;
import static dev.peapod.testing.OciCall.Op.START;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pod worker over stateful fakes: ordering of init containers and sidecars
 * (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/,
 * .../sidecar-containers/), restart policies and CrashLoopBackOff
 * (.../pod-lifecycle/#restart-policy), graceful termination (.../pod-lifecycle/#pod-termination)
 * and the rollback of half-made containers and sandboxes. No root, no real containers; the
 * engine runs on the system clock with millisecond backoffs (see {@link FakeNode}).
 */
class PodWorkerTest {
    @TempDir
    Path tmp;
    FakeNode node;

    @BeforeEach
    void setUp() {
        node = new FakeNode(tmp);
    }

    /** Whatever a test did, closing the engine must leave the fakes empty. */
    @AfterEach
    void tearDown() {
        node.close();
        assertThat(node.oci.containers()).as("runtime containers after close").isEmpty();
        assertThat(node.mounter.mounts()).as("mounts after close").isEmpty();
        assertThat(node.cgroups.created()).as("cgroups after close").isEmpty();
    }

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
    }

    @Test
    void initContainersRunOneAtATimeInOrderAndRegularContainersOnlyAfter() {
        node.oci.onProgram("init-1", exit(0)).onProgram("init-2", exit(0));
        Pod pod = node.run(new PodFixture("Always").init("init-1").init("init-2").container("app").container("helper").build());

        await().until(() -> node.running("app") && node.running("helper"));

        // Containers are created ahead of their turn (PodWorker.precreateAfter); they start in order.
        assertThat(node.trace(START, EXIT)).containsExactly(
                "START init-1", "EXIT init-1 0", "START init-2", "EXIT init-2 0", "START app", "START helper");
        assertThat(node.trace(CREATE)).containsExactlyInAnyOrder("CREATE init-1", "CREATE init-2", "CREATE app", "CREATE helper");
        await().untilAsserted(() -> {
            assertThat(node.listener.phase()).isEqualTo("Running");
            for (String init : List.of("init-1", "init-2")) {
                var terminated = node.listener.latest(init).orElseThrow().getState().getTerminated();
                assertThat(terminated.getExitCode()).isZero();
                assertThat(terminated.getReason()).isEqualTo("Completed");
            }
        });
        assertThat(pod.getMetadata().getUid()).isNotNull();
    }

    @Test
    void sidecarsStartBeforeRegularContainersAndStopAfterThemLastDeclaredFirst() throws Exception {
        node.oci.onProgram("app", exit(0));
        Pod pod = node.run(new PodFixture("Never").sidecar("proxy").sidecar("logs").container("app").build());

        Pod done = node.finish(pod);

        assertThat(node.trace(START, KILL, EXIT)).containsExactly(
                "START proxy", "START logs", "START app", "EXIT app 0",
                "KILL logs TERM", "EXIT logs 143", "KILL proxy TERM", "EXIT proxy 143");
        // Sidecars' own exit codes do not decide the phase (KEP-753).
        assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
    }

    @Test
    void failedInitContainerWithRestartPolicyNeverFailsThePodAndNothingElseStarts() throws Exception {
        node.oci.onProgram("init-1", exit(1));
        Pod pod = node.run(new PodFixture("Never").init("init-1").init("init-2").container("app").build());

        Pod done = node.finish(pod);

        assertThat(node.trace(START)).containsExactly("START init-1");
        // What was created ahead of its turn never started and is deleted with the pod.
        var created = node.trace(CREATE).stream().map(t -> t.substring("CREATE ".length())).toList();
        assertThat(created).contains("init-1");
        for (String name : created) assertThat(node.trace(DELETE)).contains("DELETE " + name + " force");
        assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
        var init = done.getStatus().getInitContainerStatuses().getFirst();
        assertThat(init.getState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(init.getRestartCount()).isZero();
    }

    @Test
    void onFailureRestartsAFailingContainerWithBackoffUntilItSucceeds() throws Exception {
        node.oci.onStart(l -> l.program().equals("app") && l.attempt() < 2, exit(1))
                .onStart(l -> l.program().equals("app") && l.attempt() >= 2, exit(0));
        Pod pod = node.run(new PodFixture("OnFailure").container("app").build());

        Pod done = node.finish(pod);

        assertThat(node.trace(START, EXIT)).containsExactly(
                "START app", "EXIT app 1", "START app", "EXIT app 1", "START app", "EXIT app 0");
        assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(done.getStatus().getContainerStatuses().getFirst().getRestartCount()).isEqualTo(2);
        // The first restart is immediate, the second waits the initial backoff (kubelet doBackOff).
        assertThat(node.listener.events("app", "BackOff")).isNotEmpty();
        assertThat(node.listener.history("app")).anyMatch(PodWorkerTest::crashLoopBackOff);
        var calls = node.containerCalls().filter(c -> c.op() == START || c.op() == EXIT).toList();
        Duration secondWait = Duration.between(calls.get(3).at(), calls.get(4).at());
        // finishedAt comes from the exit file's mtime, which may be a few ms coarser than the fake's clock.
        assertThat(secondWait).isGreaterThanOrEqualTo(FakeNode.BACKOFF_BASE.minusMillis(10));
    }

    @Test
    void alwaysRestartsACrashingContainerForeverInCrashLoopBackOff() {
        node.oci.onProgram("app", exit(1));
        Pod pod = node.run(new PodFixture("Always").container("app").build());

        await().until(() -> node.listener.history("app").stream().anyMatch(s -> s.getRestartCount() >= 4));

        assertThat(node.listener.history("app")).anyMatch(PodWorkerTest::crashLoopBackOff);
        assertThat(node.listener.phase()).isEqualTo("Running");
        assertThat(node.engine.finished(pod.getMetadata().getUid())).isNotDone();
        var restartCounts = node.listener.history("app").stream().map(ContainerStatus::getRestartCount).toList();
        assertThat(restartCounts).as("restartCount never goes down").isSorted();
    }

    @Test
    void terminationStopsRegularContainersFirstKillsWhatIgnoresTermAndStopsSidecarsLast() throws Exception {
        node.oci.onProgram("stubborn", ignoreTerm());
        Pod pod = node.run(new PodFixture("Always").sidecar("proxy").sidecar("logs")
                .container("app").container("stubborn").build());
        await().until(() -> Stream.of("proxy", "logs", "app", "stubborn").allMatch(node::running));

        Duration grace = Duration.ofMillis(300);
        node.engine.terminate(pod.getMetadata().getUid(), grace);
        node.finish(pod);

        List<String> trace = node.trace(KILL, EXIT);
        assertThat(trace).containsExactlyInAnyOrder(
                "KILL app TERM", "EXIT app 143",
                "KILL stubborn TERM", "KILL stubborn KILL", "EXIT stubborn 137",
                "KILL logs TERM", "EXIT logs 143", "KILL proxy TERM", "EXIT proxy 143");
        assertThat(trace).containsSubsequence("KILL stubborn TERM", "KILL stubborn KILL", "EXIT stubborn 137",
                "KILL logs TERM", "EXIT logs 143", "KILL proxy TERM", "EXIT proxy 143");
        assertThat(trace).containsSubsequence("EXIT app 143", "KILL logs TERM");
        var calls = node.containerCalls().toList();
        Duration waited = Duration.between(find(calls, "KILL stubborn TERM").at(), find(calls, "KILL stubborn KILL").at());
        assertThat(waited).as("SIGKILL only after the grace period").isGreaterThanOrEqualTo(grace.minusMillis(50));
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // before the fix the worker waited for the exit forever (and so did the engine's close)
    void aContainerThatVanishedFromTheRuntimeDoesNotHoldTheTerminationForever() throws Exception {
        Pod pod = node.run(new PodFixture("Always").container("app").container("gone").build());
        await().until(() -> node.running("app") && node.running("gone"));
        String gone = node.oci.containers().stream().filter(c -> c.program().equals("gone")).findFirst().orElseThrow().id();
        node.oci.vanish(gone); // its runtime state and exit file removed behind Peapod's back

        node.engine.terminate(pod.getMetadata().getUid(), Duration.ofMillis(300));
        Pod done = node.finish(pod);

        var status = done.getStatus().getContainerStatuses().stream().filter(c -> c.getName().equals("gone")).findFirst().orElseThrow();
        assertThat(status.getState().getTerminated().getReason()).isEqualTo("ContainerStatusUnknown");
        assertThat(status.getState().getTerminated().getExitCode()).isEqualTo(137);
        assertThat(node.trace(KILL, EXIT)).contains("KILL app TERM", "EXIT app 143");
    }

    @Test
    void aSidecarThatCrashesWhileTheAppDrainsIsRestartedAndStoppedInItsTurn() throws Exception {
        node.oci.onProgram("stubborn", ignoreTerm());
        Pod pod = node.run(new PodFixture("Always").sidecar("proxy").container("stubborn").build());
        await().until(() -> node.running("proxy") && node.running("stubborn"));

        node.engine.terminate(pod.getMetadata().getUid(), Duration.ofMillis(800));
        await().until(() -> node.trace(KILL).contains("KILL stubborn TERM"));
        String proxy = node.oci.containers().stream().filter(c -> c.program().equals("proxy")).findFirst().orElseThrow().id();
        node.oci.exit(proxy, 1);
        Pod done = node.finish(pod);

        assertThat(node.trace(START, KILL, EXIT)).containsSubsequence(
                "START proxy", "START stubborn", "KILL stubborn TERM", "EXIT proxy 1", "START proxy",
                "KILL stubborn KILL", "EXIT stubborn 137", "KILL proxy TERM", "EXIT proxy 143");
        assertThat(node.trace(START)).containsExactly("START proxy", "START stubborn", "START proxy");
        var sidecar = done.getStatus().getInitContainerStatuses().getFirst();
        assertThat(sidecar.getRestartCount()).isEqualTo(1);
        assertThat(sidecar.getState().getTerminated().getExitCode()).isEqualTo(143);
    }

    @Test
    void aSidecarThatCrashesAfterTheAppStoppedIsNotRestarted() throws Exception {
        node.oci.onProgram("proxy", ignoreTerm());
        Pod pod = node.run(new PodFixture("Always").sidecar("proxy").container("app").build());
        await().until(() -> node.running("proxy") && node.running("app"));

        node.engine.terminate(pod.getMetadata().getUid(), Duration.ofMillis(300));
        Pod done = node.finish(pod);

        // proxy ignores SIGTERM and is SIGKILLed in its turn: nothing starts it again.
        assertThat(node.trace(START, KILL, EXIT)).containsExactly("START proxy", "START app",
                "KILL app TERM", "EXIT app 143", "KILL proxy TERM", "KILL proxy KILL", "EXIT proxy 137");
        assertThat(done.getStatus().getInitContainerStatuses().getFirst().getRestartCount()).isZero();
    }

    @Test
    void aRuntimeCreateFailureReleasesEverythingMadeForThatContainer() {
        node.oci.onProgram("broken", failCreate("crun: executable file `broken` not found in $PATH"));
        Pod pod = node.run(new PodFixture("Always").container("app").container("broken").build());

        await().until(() -> failedCreates("broken").size() >= 2);

        PodPaths paths = node.paths(pod);
        List<String> ids = failedCreates("broken");
        await().untilAsserted(() -> {
            for (String id : ids) {
                assertThat(node.mounter.history()).as("the rootfs of " + id + " was mounted")
                        .anyMatch(m -> m.type().equals("overlay") && m.target().equals(paths.bundle(id).resolve("rootfs")));
                assertThat(node.mounter.mounted()).noneMatch(p -> p.toString().contains(id));
                assertThat(paths.bundle(id)).doesNotExist();
                assertThat(paths.writable(id)).doesNotExist();
                assertThat(paths.terminationLog(id)).doesNotExist();
            }
        });
        assertThat(node.running("app")).as("the pod itself keeps running").isTrue();
        assertThat(node.listener.events("broken", "Failed"))
                .anyMatch(e -> e.message().contains("executable file `broken` not found"));
    }

    @Test
    void aRuntimeStartFailureIsAStartErrorExitAndTheContainerIsDeleted() throws Exception {
        node.oci.onProgram("app", failStart("crun: exec: permission denied"));
        Pod pod = node.run(new PodFixture("Never").container("app").build());

        Pod done = node.finish(pod);

        assertThat(node.trace(CREATE, START, DELETE)).containsExactly(
                "CREATE app", "START app failed: crun: exec: permission denied", "DELETE app force");
        var terminated = done.getStatus().getContainerStatuses().getFirst().getState().getTerminated();
        assertThat(terminated.getReason()).isEqualTo("StartError");
        assertThat(terminated.getExitCode()).isEqualTo(128);
        assertThat(terminated.getMessage()).contains("permission denied");
        assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(node.mounter.mounts()).filteredOn(m -> m.type().equals("overlay")).isEmpty();
    }

    @Test
    void aSubPathMountFailureReleasesTheRootfsMountedBeforeIt() {
        node.mounter.failMountsWhere(p -> p.toString().contains("/subpaths/"), "injected bind failure");
        Pod pod = node.run(new PodFixture("Always").emptyDir("data", null)
                .container("writer", new VolumeMountBuilder().withName("data").withMountPath("/logs").withSubPath("logs").build())
                .build());

        await().until(() -> overlays(node.mounter).size() >= 2);

        await().untilAsserted(() -> {
            for (Path rootfs : overlays(node.mounter)) assertThat(node.mounter.mounted()).doesNotContain(rootfs);
        });
        assertThat(node.oci.calls()).noneMatch(c -> c.program().equals("writer"));
        assertThat(node.listener.latest("writer").orElseThrow().getState().getWaiting().getReason())
                .isEqualTo("CreateContainerConfigError");
        assertThat(node.listener.events("writer", "Failed")).anyMatch(e -> e.message().contains("injected bind failure"));
    }

    @Test
    void aSubPathMountFailureLeavesNoStagingPointBehind() {
        node.mounter.failMountsWhere(p -> p.toString().contains("/subpaths/"), "injected bind failure");
        Pod pod = node.run(new PodFixture("Always").emptyDir("data", null)
                .container("writer", new VolumeMountBuilder().withName("data").withMountPath("/logs").withSubPath("logs").build())
                .build());

        await().until(() -> overlays(node.mounter).size() >= 2);

        // The first attempt is over (a second one began): nothing of its subPath staging may remain.
        // SubPaths creates the staging point before the bind but registers its removal only after it.
        String firstId = overlays(node.mounter).getFirst().getParent().getFileName().toString();
        assertThat(node.paths(pod).subPaths(firstId)).doesNotExist();
    }

    @Test
    void aFailedPodCgroupIsRetriedAndLeavesNothingBehind() {
        node.cgroups.failNextCreates(1, "injected cgroup failure");
        assertSandboxRetriedCleanly(node -> { });
        assertThat(node.cgroups.createCalls()).isEqualTo(2);
    }

    @Test
    void aFailedShmMountIsRetriedAndLeavesNothingBehind() {
        node.mounter.failNextMountWhere(p -> p.endsWith("shm"), "injected tmpfs failure");
        assertSandboxRetriedCleanly(node -> { });
        assertThat(node.cgroups.createCalls()).isEqualTo(2);
    }

    @Test
    void aFailedInfraContainerIsRetriedAndLeavesNothingBehind() {
        node.oci.onStart(l -> l.program().equals(FakeNode.INFRA) && l.attempt() == 0, failCreate("injected infra failure"));
        assertSandboxRetriedCleanly(node -> assertThat(node.mounter.history()).filteredOn(m -> m.type().equals("tmpfs")).hasSize(2));
        assertThat(node.oci.calls()).filteredOn(c -> c.op() == CREATE && c.program().equals(FakeNode.INFRA)).hasSize(2);
    }

    private void assertSandboxRetriedCleanly(Consumer<FakeNode> more) {
        Pod pod = node.run(new PodFixture("Always").container("app").build());
        await().until(() -> node.running("app"));

        assertThat(node.listener.events(null, "FailedCreatePodSandBox")).hasSize(1);
        String uid = pod.getMetadata().getUid();
        assertThat(node.cgroups.created()).containsExactly(Sandboxes.podCgroup(pod));
        assertThat(node.mounter.mounts()).filteredOn(m -> m.type().equals("tmpfs")).as("one /dev/shm, nothing stacked")
                .singleElement().satisfies(m -> assertThat(m.target()).isEqualTo(node.paths(pod).shm()));
        assertThat(node.oci.containers()).filteredOn(c -> c.program().equals(FakeNode.INFRA)).singleElement()
                .satisfies(c -> assertThat(c.status()).isEqualTo(FakeOciRuntime.Status.RUNNING));
        more.accept(node);
    }

    @Test
    void afterAFinishedPodIsRemovedTheFakesHoldNothing() throws Exception {
        node.oci.onProgram("init-1", exit(0)).onProgram("app", exit(0).printing("hello"));
        Pod pod = node.run(new PodFixture("Never").init("init-1").sidecar("proxy").emptyDir("cache", "Memory")
                .container("app", new VolumeMountBuilder().withName("cache").withMountPath("/cache").build()).build());
        String uid = pod.getMetadata().getUid();

        Pod done = node.finish(pod);
        assertThat(done.getStatus().getPhase()).isEqualTo("Succeeded");
        assertThat(node.mounter.history()).anyMatch(m -> m.type().equals("tmpfs") && m.target().endsWith("cache"));
        Path log = node.paths(pod).log("app", 0);
        assertThat(Files.readString(log)).matches("\\S+ stdout F hello\\n");

        node.engine.remove(uid);

        assertThat(node.oci.containers()).isEmpty();
        assertThat(node.mounter.mounts()).isEmpty();
        assertThat(node.cgroups.created()).isEmpty();
        assertThat(node.oci.exitDir().toFile().list()).isEmpty();
        assertThat(node.paths(pod).runDir()).doesNotExist();
        assertThat(node.paths(pod).dataDir()).doesNotExist();
        assertThat(node.listener.removed).singleElement().satisfies(p -> assertThat(p.getMetadata().getUid()).isEqualTo(uid));
    }

    private List<String> failedCreates(String program) {
        return node.oci.calls().stream().filter(c -> c.op() == CREATE && c.failed() && c.program().equals(program))
                .map(OciCall::id).toList();
    }

    private static List<Path> overlays(FakeMounter mounter) {
        return mounter.history().stream().filter(m -> m.type().equals("overlay")).map(FakeMounter.Mount::target).toList();
    }

    private static OciCall find(List<OciCall> calls, String text) {
        return calls.stream().filter(c -> c.toString().equals(text)).findFirst().orElseThrow(() -> new AssertionError("no call " + text));
    }

    private static boolean crashLoopBackOff(ContainerStatus s) {
        return s.getState().getWaiting() != null && "CrashLoopBackOff".equals(s.getState().getWaiting().getReason());
    }
}
