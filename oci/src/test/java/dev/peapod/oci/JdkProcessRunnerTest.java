package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JdkProcessRunnerTest {
    private final ProcessRunner runner = new JdkProcessRunner();
    private static final Duration T = Duration.ofSeconds(20);

    @Test
    void capturesBothStreamsAndTheExitCode() {
        ProcessResult r = runner.run(List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 4"), T);
        assertThat(r).isEqualTo(new ProcessResult(4, "out\n", "err\n"));
        assertThat(r.cause()).isEqualTo("err");
    }

    @Test
    void feedsStdinAndDrainsLargeOutputWithoutDeadlock() {
        byte[] input = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
        ProcessResult r = runner.run(List.of("/bin/sh", "-c", "cat; cat /proc/self/status >&2"), Map.of(), input, T);
        assertThat(r.stdout()).hasSize(1 << 20);
        assertThat(r.stderr()).contains("Name:");
    }

    @Test
    void theEnvironmentIsExactlyTheOneGiven() {
        ProcessResult r = runner.run(List.of("/usr/bin/env"), Map.of("A", "1"), null, T);
        assertThat(r.stdout()).isEqualTo("A=1\n");
    }

    @Test
    void killsWhatOutlivesTheTimeout() {
        assertThatThrownBy(() -> runner.run(List.of("/bin/sh", "-c", "echo $$; exec sleep 1000"),
                Duration.ofMillis(300)))
                .isInstanceOf(OciException.class).hasMessageContaining("timed out");
        assertThat(ProcessHandle.current().children().filter(p -> p.info().command().orElse("").contains("sleep")))
                .isEmpty();
    }

    @Test
    void reportsAMissingProgram() {
        assertThatThrownBy(() -> runner.run(List.of("/nonexistent/peapod-test"), T))
                .isInstanceOf(OciException.class).hasMessageStartingWith("failed to run /nonexistent/peapod-test: ");
    }

    @Test
    void isSafeFromManyThreads() throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ProcessResult>> results = IntStream.range(0, 32)
                    .mapToObj(i -> pool.submit(() -> runner.run(List.of("/bin/echo", "n" + i), T))).toList();
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get().stdout()).isEqualTo("n" + i + "\n");
            }
        }
    }
}
