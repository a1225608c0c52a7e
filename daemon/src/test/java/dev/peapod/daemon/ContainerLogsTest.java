package dev.peapod.daemon;

import dev.peapod.apiserver.PodLogs;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerLogsTest {
    static final Pod POD = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").withUid("u1").endMetadata().build();
    final ContainerLogs logs = new ContainerLogs();

    static PodLogs.Options options(boolean previous, boolean follow, boolean timestamps, Integer tail, Instant since, Long limit) {
        return new PodLogs.Options(previous, follow, timestamps, tail, since, limit);
    }

    String read(PodLogs.Options o) throws Exception {
        var out = new ByteArrayOutputStream();
        logs.write("u1", "app", o, out);
        return out.toString();
    }

    @Test
    void optionsOverTwoAttempts(@TempDir Path dir) throws Exception {
        Path first = Files.writeString(dir.resolve("0.log"), "2026-01-01T00:00:00.000000001Z stdout F old\n");
        Path second = Files.writeString(dir.resolve("1.log"), """
                2026-01-01T00:01:00.000000000Z stdout F one
                2026-01-01T00:02:00.000000000Z stderr P tw
                2026-01-01T00:02:00.000000001Z stderr F o
                2026-01-01T00:03:00.120000000+00:00 stdout F three
                2026-01-01T00:04:00.000000000Z stdout P unfinish""");
        assertThat(logs.has("u1", "app", false)).isFalse();
        logs.logStarted(POD, "app", 0, first);
        logs.logStarted(POD, "app", 1, second);
        assertThat(logs.has("u1", "app", true)).isTrue();
        assertThat(logs.has("u1", "other", false)).isFalse();
        record Case(String name, PodLogs.Options o, String expected) {}
        for (var c : new Case[] {
                new Case("all complete lines, partial records joined", options(false, false, false, null, null, null), "one\ntwo\nthree\n"),
                new Case("previous attempt", options(true, false, false, null, null, null), "old\n"),
                new Case("tail", options(false, false, false, 1, null, null), "three\n"),
                new Case("timestamps", options(false, false, true, 1, null, null), "2026-01-01T00:03:00.12Z three\n"),
                new Case("since", options(false, false, false, null, Instant.parse("2026-01-01T00:02:00Z"), null), "two\nthree\n"),
                new Case("limitBytes", options(false, false, false, null, null, 6L), "one\ntw")}) {
            assertThat(read(c.o())).as(c.name()).isEqualTo(c.expected());
        }
    }

    @Test
    void followEndsOnceTheAttemptTerminatedAndTheFileIsDrained(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("0.log"), "2026-01-01T00:00:00Z stdout F first\n");
        logs.logStarted(POD, "app", 0, log);
        var out = new ByteArrayOutputStream();
        var follower = Thread.ofVirtual().start(() -> {
            try {
                logs.write("u1", "app", options(false, true, false, null, null, null), out);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        assertThat(follower.isAlive()).as("still running: follows").isTrue();
        Files.writeString(log, "2026-01-01T00:00:01Z stdout F last\n", StandardOpenOption.APPEND);
        var done = new PodBuilder(POD).withNewStatus().withContainerStatuses(new ContainerStatusBuilder().withName("app").withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(0).endTerminated().endState().build()).endStatus().build();
        logs.statusChanged(done);
        follower.join(5000);
        assertThat(follower.isAlive()).isFalse();
        assertThat(out.toString()).isEqualTo("first\nlast\n");
    }
}
