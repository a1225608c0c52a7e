package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.oci.OciException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ExecProber} over a fake {@link ContainerExec}. */
class ExecProberTest {
    private static final ProbeAction.Exec CAT = new ProbeAction.Exec(List.of("cat", "/tmp/healthy"));
    private final List<String> calls = new ArrayList<>();

    private ExecProber prober(ContainerExec.Result result) {
        return new ExecProber((id, argv, timeout) -> {
            calls.add(id + " " + argv + " " + timeout);
            return result;
        });
    }

    @Test
    void exitZeroSucceedsWithTheOutput() {
        var result = prober(new ContainerExec.Result(0, "fine\n", false)).probe("c1", CAT, Duration.ofSeconds(3));

        assertThat(result).isEqualTo(ProbeResult.success("fine\n"));
        assertThat(calls).containsExactly("c1 [cat, /tmp/healthy] PT3S");
    }

    @Test
    void nonZeroExitFailsWithTheOutputForTheEvent() {
        var result = prober(new ContainerExec.Result(1, "cat: can't open '/tmp/healthy': No such file or directory\n", false))
                .probe("c1", CAT, Duration.ofSeconds(1));

        assertThat(result).isEqualTo(ProbeResult.failure("cat: can't open '/tmp/healthy': No such file or directory\n"));
        assertThat(ProbeEvents.forResult(ProbeKind.LIVENESS, result).orElseThrow().message())
                .isEqualTo("Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    }

    @Test
    void aSilentFailureSaysHowItExited() {
        var result = prober(new ContainerExec.Result(2, "", false)).probe("c1", CAT, Duration.ofSeconds(1));

        assertThat(result).isEqualTo(ProbeResult.failure("command \"cat /tmp/healthy\" exited with code 2"));
    }

    @Test
    void aTimeoutFailsAsKubeletSays() {
        var result = prober(new ContainerExec.Result(-1, "", true)).probe("c1", CAT, Duration.ofSeconds(1));

        assertThat(result).isEqualTo(ProbeResult.failure("command \"cat /tmp/healthy\" timed out"));
    }

    @Test
    void aRuntimeThatCannotRunTheCommandIsAProberError() {
        var prober = new ExecProber((id, argv, timeout) -> {
            throw new OciException("failed to exec in container c1: container not running");
        });

        var result = prober.probe("c1", CAT, Duration.ofSeconds(1));

        assertThat(result).isEqualTo(ProbeResult.error("failed to exec in container c1: container not running"));
        assertThat(result.counted()).isFalse();
    }

    @Test
    void outputIsCutAtTenKibibytes() {
        var result = prober(new ContainerExec.Result(0, "y".repeat(50_000), false)).probe("c1", CAT, Duration.ofSeconds(1));

        assertThat(result.output()).hasSize(10 * 1024);
    }
}
