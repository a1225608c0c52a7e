package dev.peapod.cli;

import dev.peapod.node.PodEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** `peapod up` prints every pod event as it happens (issue 4: "peapod up prints them"). */
class UpPrinterTest {

    private static PodEvent event(String container, String type, String reason, String message) {
        return new PodEvent("default", "web", "uid-1", container, type, reason, message, Instant.EPOCH);
    }

    @Test
    void everyEventIsPrintedStartsAndKillsInShortForm() {
        var bytes = new ByteArrayOutputStream();
        try (var printer = new UpPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false)) {
            printer.event(event("app", "Normal", "Pulled", "Container image \"busybox\" already present on machine"));
            printer.event(event("app", "Normal", "Created", "Created container app"));
            printer.event(event("app", "Normal", "Started", "Started container app"));
            printer.event(event("app", "Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500"));
            printer.event(event("app", "Normal", "Killing", "Container app failed liveness probe, will be restarted"));
            printer.event(event(null, "Warning", "DeadlineExceeded", "Pod was active on the node longer than the specified deadline"));
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "web/app ▸ Pulled: Container image \"busybox\" already present on machine",
                "web/app ▸ Created: Created container app",
                "web/app ▸ started",
                "web/app ▸ Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500",
                "web/app ▸ stopping",
                "web ▸ DeadlineExceeded: Pod was active on the node longer than the specified deadline");
    }
}
