package dev.peapod.node.lifecycle;

import dev.peapod.oci.OciException;
import dev.peapod.testing.FakeClock;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static dev.peapod.node.lifecycle.HookFixtures.POD_REF;
import static dev.peapod.node.lifecycle.HookFixtures.exec;
import static dev.peapod.node.lifecycle.HookFixtures.sleep;
import static dev.peapod.node.lifecycle.HookFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * exec and sleep hooks over a fake {@link HookRunner.Exec} and a recording sleeper; messages as
 * kubelet's {@code handlers.go} formats them.
 */
class HookRunnerTest {
    private static final Duration GRACE = Duration.ofSeconds(30);
    /** Built through HookRunner so that its Host-header setting comes before the JDK client loads. */
    private static final HttpClient CLIENT = HookRunner.defaultHttpClient();
    private static final String WHERE = "for Container \"app\" in Pod " + POD_REF;

    /** What the fake exec does when called. */
    @FunctionalInterface
    interface Behaviour {
        HookRunner.ExecResult run() throws TimeoutException, InterruptedException;
    }

    private record Call(String containerId, List<String> argv, Duration timeout) {}

    private final List<Call> calls = new ArrayList<>();
    private final List<Duration> slept = new ArrayList<>();

    private HookRunner runner(Behaviour behaviour) {
        HookRunner.Exec exec = (id, argv, timeout) -> {
            calls.add(new Call(id, argv, timeout));
            return behaviour.run();
        };
        return new HookRunner(exec, CLIENT, slept::add, new FakeClock());
    }

    static Stream<Arguments> execCases() {
        return Stream.of(
                Arguments.of("exit 0 succeeds", (Behaviour) () -> new HookRunner.ExecResult(0, "hi\n", ""),
                        HookResult.succeeded()),
                Arguments.of("non-zero exit fails with ExecSync's error and the combined output",
                        (Behaviour) () -> new HookRunner.ExecResult(3, "out\n", "oops"),
                        new HookResult.Failed("Exec lifecycle hook ([sh -c exit 3]) " + WHERE
                                + " failed - error: command 'sh -c exit 3' exited with 3: oops, message: \"out\\noops\"")),
                Arguments.of("a command that cannot run fails with the runtime's message",
                        (Behaviour) () -> { throw new OciException("failed to exec in container ctr-1: executable file not found"); },
                        new HookResult.Failed("Exec lifecycle hook ([sh -c exit 3]) " + WHERE
                                + " failed - error: failed to exec in container ctr-1: executable file not found, message: \"\"")),
                Arguments.of("a command that outlives the timeout times out",
                        (Behaviour) () -> { throw new TimeoutException(); },
                        new HookResult.TimedOut("Exec lifecycle hook ([sh -c exit 3]) " + WHERE + " did not complete within 30s")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("execCases")
    void exec_hooks(String name, Behaviour behaviour, HookResult expected) {
        var result = runner(behaviour).run(target("10.0.0.5"), exec("sh", "-c", "exit 3"), GRACE);

        assertThat(result).isEqualTo(expected);
        assertThat(calls).containsExactly(new Call("ctr-1", List.of("sh", "-c", "exit 3"), GRACE));
    }

    @Test
    void exec_output_is_quoted_like_go() {
        var result = runner(() -> new HookRunner.ExecResult(1, "tab\there \"q\" \\ \u0001 é \u00a0", ""))
                .run(target(null), exec("false"), GRACE);

        assertThat(((HookResult.Failed) result).message())
                .endsWith("message: \"tab\\there \\\"q\\\" \\\\ \\x01 é \\u00a0\"");
    }

    @Test
    void exec_with_no_time_left_does_not_run() {
        var result = runner(() -> new HookRunner.ExecResult(0, "", "")).run(target(null), exec("true"), Duration.ZERO);

        assertThat(result).isInstanceOf(HookResult.TimedOut.class);
        assertThat(calls).isEmpty();
    }

    @Test
    void interrupted_exec_fails_and_keeps_the_interrupt() {
        var result = runner(() -> { throw new InterruptedException(); }).run(target(null), exec("true"), GRACE);

        assertThat(Thread.interrupted()).as("interrupt flag restored (and cleared here)").isTrue();
        assertThat(result).isInstanceOf(HookResult.Failed.class);
        assertThat(((HookResult.Failed) result).message()).startsWith("Exec lifecycle hook ([true]) " + WHERE + " failed - error: interrupted");
    }

    static Stream<Arguments> sleepCases() {
        return Stream.of(
                Arguments.of("sleeps the given seconds", 5L, GRACE, List.of(Duration.ofSeconds(5)), HookResult.succeeded()),
                Arguments.of("zero seconds returns at once (allowed since 1.34)", 0L, GRACE, List.of(), HookResult.succeeded()),
                Arguments.of("a sleep longer than the grace left waits only what is left", 50L, Duration.ofSeconds(12),
                        List.of(Duration.ofSeconds(12)),
                        new HookResult.TimedOut("Sleep lifecycle hook (50) " + WHERE + " did not complete within 12s")),
                Arguments.of("a sleep exactly as long as the grace left completes", 30L, GRACE,
                        List.of(Duration.ofSeconds(30)), HookResult.succeeded()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sleepCases")
    void sleep_hooks(String name, long seconds, Duration timeout, List<Duration> expectedSleeps, HookResult expected) {
        var result = runner(() -> { throw new AssertionError("no exec"); }).run(target(null), sleep(seconds), timeout);

        assertThat(result).isEqualTo(expected);
        assertThat(slept).isEqualTo(expectedSleeps);
    }

    @Test
    void sleep_interrupted_because_the_container_ended_fails_with_kubelets_message() {
        HookRunner.Sleeper interrupted = d -> { throw new InterruptedException(); };
        var r = new HookRunner((id, argv, t) -> { throw new AssertionError(); }, CLIENT, interrupted, new FakeClock());

        var result = r.run(target(null), sleep(10), GRACE);

        assertThat(Thread.interrupted()).isTrue();
        assertThat(result).isEqualTo(new HookResult.Failed(
                "Sleep lifecycle hook (10) " + WHERE + " failed - error: container terminated before sleep hook finished"));
    }

    @Test
    void real_sleeper_wakes_on_interrupt() {
        record Outcome(HookResult result, boolean stillInterrupted) {}
        // Runs on a thread of its own (assertTimeoutPreemptively), where the interrupt is set.
        var outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Thread.currentThread().interrupt(); // an interrupt that arrives before the sleep still ends it
            var result = new HookRunner((id, argv, t) -> null, CLIENT, HookRunner.Sleeper.REAL, new FakeClock())
                    .run(target(null), sleep(3600), HookRunner.NO_TIMEOUT);
            return new Outcome(result, Thread.interrupted());
        });

        assertThat(outcome.stillInterrupted()).isTrue();
        assertThat(outcome.result()).isInstanceOf(HookResult.Failed.class);
    }

    static Stream<Arguments> invalidHandlers() {
        return Stream.of(
                Arguments.of("tcpSocket is only kept for compatibility",
                        new LifecycleHandlerBuilder().withNewTcpSocket().withNewPort(8080).endTcpSocket().build(),
                        "Cannot run handler: invalid handler: tcpSocket is not supported as a lifecycle handler"),
                Arguments.of("an empty handler", new LifecycleHandler(),
                        "Cannot run handler: invalid handler: no exec, httpGet or sleep action"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidHandlers")
    void invalid_handlers_fail(String name, LifecycleHandler handler, String message) {
        assertThat(runner(() -> null).run(target(null), handler, GRACE)).isEqualTo(new HookResult.Failed(message));
    }

    @Test
    void go_durations() {
        assertThat(List.of(Duration.ZERO, Duration.ofMillis(500), Duration.ofMillis(1500), Duration.ofSeconds(90),
                Duration.ofHours(2).plusSeconds(5)).stream().map(GoText::duration))
                .containsExactly("0s", "500ms", "1.5s", "1m30s", "2h0m5s");
    }
}
