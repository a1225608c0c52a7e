package dev.peapod.node.lifecycle;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Termination messages from the host file and, for FallbackToLogsOnError, from the CRI log, with
 * kubelet's limits (4 KiB per file, 80 lines / 2 KiB from the log, 12 KiB per pod).
 */
class TerminationMessagesTest {
    private static final String TS = "2026-01-01T00:00:00.123456789Z";

    @TempDir
    Path dir;
    private Path file;
    private Path log;

    @BeforeEach
    void files() throws IOException {
        file = dir.resolve("termination-log");
        log = dir.resolve("0.log");
        Files.write(file, new byte[0]);
        Files.write(log, new byte[0]);
    }

    private static Container container(String policy) {
        return new ContainerBuilder().withName("app").withTerminationMessagePath("/dev/termination-log")
                .withTerminationMessagePolicy(policy).build();
    }

    private void logLines(String... lines) throws IOException {
        Files.writeString(log, String.join("", Stream.of(lines).map(l -> l + "\n").toList()), StandardCharsets.UTF_8);
    }

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("File: the file's content", "File", "done\n", 0, "Completed", "done\n"),
                Arguments.of("File: the file even on failure", "File", "boom", 2, "Error", "boom"),
                Arguments.of("File: empty file, failed: nothing", "File", "", 1, "Error", ""),
                Arguments.of("Fallback: empty file, failed: the log", "FallbackToLogsOnError", "", 1, "Error", "from the log\n"),
                Arguments.of("Fallback: empty file, succeeded: nothing", "FallbackToLogsOnError", "", 0, "Completed", ""),
                Arguments.of("Fallback: the file wins when it says something", "FallbackToLogsOnError", "why", 1, "Error", "why"),
                Arguments.of("Fallback: no log for a container that never started", "FallbackToLogsOnError", "", 128, "StartError", ""),
                Arguments.of("Fallback: nor for ContainerCannotRun", "FallbackToLogsOnError", "", 1, "ContainerCannotRun", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void policies(String name, String policy, String fileContent, int exit, String reason, String expected) throws IOException {
        Files.writeString(file, fileContent);
        logLines(TS + " stdout F from the log");

        assertThat(TerminationMessages.read(container(policy), file, log, exit, reason)).isEqualTo(expected);
    }

    @Test
    void a_missing_file_counts_as_empty() throws IOException {
        Files.delete(file);
        logLines(TS + " stderr F fatal");

        assertThat(TerminationMessages.read(container("File"), file, log, 1, "Error")).isEmpty();
        assertThat(TerminationMessages.read(container("FallbackToLogsOnError"), file, log, 1, "Error")).isEqualTo("fatal\n");
    }

    @Test
    void without_terminationMessagePath_only_the_fallback_applies() throws IOException {
        logLines(TS + " stdout F last words");
        var noPath = new ContainerBuilder(container("FallbackToLogsOnError")).withTerminationMessagePath("").build();

        assertThat(TerminationMessages.read(noPath, null, log, 1, "Error")).isEqualTo("last words\n");
        assertThat(TerminationMessages.read(container("File"), null, log, 1, "Error")).isEmpty();
    }

    @Test
    void the_file_keeps_its_last_4096_bytes() throws IOException {
        String content = "HEAD" + "x".repeat(5000) + "TAIL";
        Files.writeString(file, content);

        String m = TerminationMessages.read(container("File"), file, log, 0, "Completed");

        assertThat(m).hasSize(4096).endsWith("TAIL").doesNotContain("HEAD");
    }

    @Test
    void a_cut_never_splits_a_character() throws IOException {
        // 6001 bytes: the last 4096 start with the second byte of an "é"
        Files.writeString(file, "é".repeat(3000) + "z", StandardCharsets.UTF_8);

        String m = TerminationMessages.read(container("File"), file, log, 0, "Completed");

        assertThat(m).isEqualTo("é".repeat(2047) + "z");
        assertThat(m.getBytes(StandardCharsets.UTF_8).length).isEqualTo(4095);
    }

    @Test
    void a_symbolic_link_is_not_followed() throws IOException {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "host secret");
        Files.delete(file);
        Files.createSymbolicLink(file, secret);

        String m = TerminationMessages.read(container("File"), file, log, 0, "Completed");

        assertThat(m).isEqualTo("Error on reading termination log " + file + ": is a symbolic link; not following it");
    }

    @Test
    void a_directory_is_not_read() throws IOException {
        Files.delete(file);
        Files.createDirectory(file);

        assertThat(TerminationMessages.read(container("File"), file, log, 0, "Completed"))
                .isEqualTo("Error on reading termination log " + file + ": not a regular file");
    }

    @Test
    void a_missing_log_is_reported_as_kubelet_does() throws IOException {
        Files.delete(log);

        assertThat(TerminationMessages.read(container("FallbackToLogsOnError"), file, log, 1, "Error"))
                .isEqualTo("Error on reading termination message from logs: failed to open log file \"" + log + "\": no such file or directory");
    }

    @Test
    void the_log_gives_its_last_80_lines() throws IOException {
        logLines(IntStream.rangeClosed(1, 100).mapToObj(i -> TS + " stdout F l" + i).toArray(String[]::new));

        String m = TerminationMessages.fromLog(log);

        assertThat(m.lines().toList()).hasSize(80).first().isEqualTo("l21");
        assertThat(m).endsWith("l100\n");
    }

    @Test
    void the_log_gives_at_most_2048_bytes() throws IOException {
        logLines(IntStream.rangeClosed(1, 30).mapToObj(i -> TS + " stdout F " + String.format("%03d", i) + "y".repeat(96)).toArray(String[]::new));

        String m = TerminationMessages.fromLog(log);

        assertThat(m.getBytes(StandardCharsets.UTF_8)).hasSize(2048);
        assertThat(m).endsWith("030" + "y".repeat(96) + "\n");
    }

    @Test
    void partial_lines_join_and_streams_interleave() throws IOException {
        logLines(
                TS + " stdout P hel",
                TS + " stdout P lo ",
                TS + " stdout F world",
                "2026-01-01T00:00:01+00:00 stderr F panic: bad",
                TS + " stderr F:extra tag");

        assertThat(TerminationMessages.fromLog(log)).isEqualTo("hello world\npanic: bad\ntag\n");
    }

    @Test
    void lines_that_do_not_parse_are_skipped() throws IOException {
        logLines(
                "not-a-time stdout F a",
                TS + " stdweird F b",
                TS + " stdout",
                "",
                TS + " stdout F c");

        assertThat(TerminationMessages.fromLog(log)).isEqualTo("c\n");
    }

    @Test
    void an_unfinished_last_line_is_included() throws IOException {
        Files.writeString(log, TS + " stdout F one\n" + TS + " stdout P two-no-newline");

        assertThat(TerminationMessages.fromLog(log)).isEqualTo("one\ntwo-no-newline");
    }

    @Test
    void partial_lines_count_as_lines_as_in_kubelet() throws IOException {
        // 79 complete lines after a partial one: the tail starts in the middle of the split line.
        List<String> lines = new ArrayList<>();
        lines.add(TS + " stdout P first-half ");
        lines.add(TS + " stdout F second-half");
        IntStream.rangeClosed(1, 79).forEach(i -> lines.add(TS + " stdout F n" + i));
        logLines(lines.toArray(String[]::new));

        assertThat(TerminationMessages.fromLog(log)).startsWith("second-half\nn1\n");
    }

    @Test
    void lines_longer_than_a_read_block_are_whole() throws IOException {
        logLines(TS + " stdout F first", TS + " stdout F " + "w".repeat(10_000), TS + " stdout F last");

        String m = TerminationMessages.fromLog(log);

        assertThat(m).isEqualTo("w".repeat(2048 - 6) + "\nlast\n");
    }

    @Test
    void a_huge_run_without_line_ends_is_not_read_whole() throws IOException {
        Files.writeString(log, "x".repeat(5 << 20) + "\n" + TS + " stdout F ok\n");

        assertThat(TerminationMessages.fromLog(log)).isEqualTo("ok\n");
    }

    @Test
    void the_runtime_message_comes_first() {
        assertThat(TerminationMessages.withRuntimeMessage("OOMKilled", "out of memory")).isEqualTo("OOMKilled: out of memory");
        assertThat(TerminationMessages.withRuntimeMessage("", "bye")).isEqualTo("bye");
        assertThat(TerminationMessages.withRuntimeMessage("StartError", "")).isEqualTo("StartError");
        assertThat(TerminationMessages.withRuntimeMessage(null, null)).isEmpty();
    }

    @Test
    void a_pod_shares_12_kib_among_its_containers() {
        Pod pod = new PodBuilder().withNewSpec()
                .addNewInitContainer().withName("init").endInitContainer()
                .addNewContainer().withName("a").endContainer()
                .addNewContainer().withName("b").endContainer()
                .endSpec().build();
        var status = new PodStatus();
        status.setInitContainerStatuses(List.of(terminated("init", "i".repeat(5000), "old".repeat(2000))));
        status.setContainerStatuses(List.of(terminated("a", "short", null), terminated("b", "é".repeat(3000), null)));

        TerminationMessages.limit(pod, status);

        assertThat(TerminationMessages.bytesPerContainer(pod)).isEqualTo(4096);
        var init = status.getInitContainerStatuses().getFirst();
        assertThat(init.getState().getTerminated().getMessage()).isEqualTo("i".repeat(4096));
        assertThat(init.getLastState().getTerminated().getMessage()).hasSize(4096);
        assertThat(status.getContainerStatuses().get(0).getState().getTerminated().getMessage()).isEqualTo("short");
        assertThat(status.getContainerStatuses().get(1).getState().getTerminated().getMessage()).isEqualTo("é".repeat(2048));
    }

    private static ContainerStatus terminated(String name, String message, String lastMessage) {
        var b = new ContainerStatusBuilder().withName(name)
                .withNewState().withNewTerminated().withExitCode(1).withMessage(message).endTerminated().endState();
        if (lastMessage != null) b.withNewLastState().withNewTerminated().withExitCode(1).withMessage(lastMessage).endTerminated().endLastState();
        return b.build();
    }
}
