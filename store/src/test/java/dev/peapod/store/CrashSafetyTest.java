package dev.peapod.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A writer JVM is killed with SIGKILL in the middle of its writes; the reopened store must hold
 * every acknowledged write, a revision at least the last acknowledged one, and objects that agree
 * with the log (each object's revision is the newest log entry for its key).
 */
class CrashSafetyTest {

    @Test
    void sigkillMidWritesLosesNoAcknowledgedWriteAndLeavesAConsistentStore(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var child = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashWriter.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long lastAcked = 0;
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            assertThat(out.readLine()).isEqualTo("ready");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lastAcked < 300 && System.nanoTime() < deadline) lastAcked = Long.parseLong(out.readLine());
            // SIGKILL while it keeps writing. Acknowledgements it printed after the last one read here
            // are lost with the pipe (destroy closes it); the check below holds for those too.
            child.destroyForcibly();
            child.waitFor();
        }
        assertThat(lastAcked).as("the writer got going").isGreaterThanOrEqualTo(300);
        try (var s = SqliteStore.open(dir, 50)) {
            assertThat(s.revision()).isGreaterThanOrEqualTo(lastAcked);
            var items = s.list("pods", null).items();
            assertThat(items).hasSize(20);
            long newest = items.stream().mapToLong(Stored::revision).max().orElseThrow();
            assertThat(newest).as("the newest object is the last write").isEqualTo(s.revision());
            try (Watch w = s.watch("pods", null, s.revision() - 20)) {
                // The last 20 revisions touched each of the 20 keys once (round robin): the log agrees with the objects.
                var events = ObjectStoreContractTest.drain(w, 20);
                assertThat(events).hasSize(20);
                for (WatchEvent e : events) {
                    Stored o = s.get(e.key()).orElseThrow();
                    assertThat(o.revision()).as(e.key().toString()).isEqualTo(e.revision());
                    assertThat(o.object()).isEqualTo(e.object());
                }
            }
            assertThat(s.create(new Key("pods", "default", "after"), ObjectStoreContractTest.obj("u", "x")).revision())
                    .isEqualTo(s.revision());
        }
    }
}
