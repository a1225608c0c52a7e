package dev.peapod.node;

import dev.peapod.node.backoff.Backoff;
import dev.peapod.node.model.ContainerKind;
import dev.peapod.node.status.ProbeResults;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pod record on disk: what a version 2 record keeps, and that version 1 records still read. */
class PodRecordTest {
    @TempDir Path dir;

    @Test
    void aVersionOneRecordReadsWithTheNewPartsEmpty() throws Exception {
        Files.writeString(dir.resolve(PodRecord.FILE), """
                {"pod":"{\\"metadata\\":{\\"name\\":\\"web\\",\\"uid\\":\\"u1\\"}}","startTime":"2026-01-01T00:00:00Z",
                 "sandbox":{"id":"s1","pid":42,"cgroupPath":"/peapod/pod-u1","createdAt":"2026-01-01T00:00:00Z","podIps":["10.85.0.2"],"hostname":"web"},
                 "containers":[{"name":"app","kind":"REGULAR","id":"c1","attempt":0,"image":"busybox","imageId":"sha256:x",
                   "logPath":"/tmp/0.log","stopSignal":"TERM","cgroupPath":"/peapod/pod-u1/c1","createdAt":"2026-01-01T00:00:01Z",
                   "startedAt":"2026-01-01T00:00:01Z","exited":null}]}
                """);
        var rec = PodRecord.read(dir).orElseThrow();
        assertThat(rec.version()).isZero();
        assertThat(rec.backoff()).isEmpty();
        assertThat(rec.backoffStates()).isEmpty();
        assertThat(rec.userNamespaceHostId()).isNull();
        var a = rec.containers().getFirst();
        assertThat(a.id()).isEqualTo("c1");
        assertThat(a.started()).isNull();
        assertThat(a.ready()).isNull();
        assertThat(PodRecord.toRecord(a).applied).isNull();
        assertThat(PodRecord.toRecord(a).user).isNull();
        assertThat(rec.decodePod().getMetadata().getUid()).isEqualTo("u1");
    }

    @Test
    void aVersionTwoRecordKeepsBackoffProbesResourcesAndTheIdRange() throws Exception {
        var pod = new PodBuilder().withNewMetadata().withName("web").withUid("u1").endMetadata().build();
        var sandbox = new Sandbox("s1", 42, "/peapod/pod-u1", Instant.parse("2026-01-01T00:00:00Z"), List.of("10.85.0.2"), "web");
        var live = new ContainerRecord("app", ContainerKind.REGULAR, "c2", 3, "busybox", "sha256:x", dir.resolve("3.log"), "TERM");
        live.startedAt = Instant.parse("2026-01-01T00:05:00Z");
        live.user = new dev.peapod.node.model.ContainerUser(1000, 3000, List.of(3000L, 4000L));
        live.applied = new ResourceRequirementsBuilder().addToLimits("cpu", new Quantity("500m")).build();
        var lastAt = Instant.parse("2026-01-01T00:04:00Z");
        var extras = new PodRecord.Extras(new ProbeResults(Map.of("app", true), Map.of("app", true)),
                Map.of("app", new Backoff.State(Duration.ofSeconds(40), lastAt)), 131072L);

        PodRecord.of(pod, Instant.parse("2026-01-01T00:00:00Z"), sandbox, List.of(live), extras).write(dir);
        var rec = PodRecord.read(dir).orElseThrow();

        assertThat(rec.version()).isEqualTo(PodRecord.VERSION);
        assertThat(rec.backoffStates()).containsExactly(Map.entry("app", new Backoff.State(Duration.ofSeconds(40), lastAt)));
        assertThat(rec.userNamespaceHostId()).isEqualTo(131072L);
        var a = rec.containers().getFirst();
        assertThat(a.started()).isTrue();
        assertThat(a.ready()).isTrue();
        assertThat(PodRecord.toRecord(a).applied).isEqualTo(live.applied);
        assertThat(PodRecord.toRecord(a).user).isEqualTo(live.user);
        assertThat(rec).as("equal records are not written again").isEqualTo(
                PodRecord.of(pod, Instant.parse("2026-01-01T00:00:00Z"), sandbox, List.of(live), extras));
    }
}
