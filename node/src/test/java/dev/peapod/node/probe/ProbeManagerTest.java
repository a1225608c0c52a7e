package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peapod.node.status.ProbeResults;
import dev.peapod.testing.FakeClock;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Probe timing, thresholds and startup gating, from a table: each case gives a container's probes,
 * what each probe returns run after run (S success, F failure, E error, W warning; the last letter
 * repeats), how long to run, and the expected log of everything the sink heard, by second since the
 * container started. Fake clock, fake prober, no threads.
 */
class ProbeManagerTest {

    /** A probe of {@code kind} with {@code initialDelay, period, successThreshold, failureThreshold}. */
    record Def(ProbeKind kind, int delay, int period, int success, int failure) {}

    record Case(String name, List<Def> probes, Map<ProbeKind, String> scripts, int seconds, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("liveness fails after failureThreshold failures in a row, then stays quiet",
                        List.of(new Def(ProbeKind.LIVENESS, 0, 10, 1, 3)), Map.of(ProbeKind.LIVENESS, "F"), 60,
                        List.of("0s LIVENESS F1", "10s LIVENESS F2", "20s LIVENESS F3", "20s LIVENESS FAILED")),
                new Case("failures that are not in a row do not kill",
                        List.of(new Def(ProbeKind.LIVENESS, 0, 10, 1, 3)), Map.of(ProbeKind.LIVENESS, "FFSFFS"), 50,
                        List.of("0s LIVENESS F1", "10s LIVENESS F2", "20s LIVENESS S1", "30s LIVENESS F1",
                                "40s LIVENESS F2", "50s LIVENESS S1")),
                new Case("errored runs are not counted and do not break a run of failures",
                        List.of(new Def(ProbeKind.LIVENESS, 0, 10, 1, 3)), Map.of(ProbeKind.LIVENESS, "FEFEF"), 60,
                        List.of("0s LIVENESS F1", "10s LIVENESS E0", "20s LIVENESS F2", "30s LIVENESS E0",
                                "40s LIVENESS F3", "40s LIVENESS FAILED")),
                new Case("initialDelaySeconds delays the first run; then one run per period",
                        List.of(new Def(ProbeKind.READINESS, 15, 10, 1, 3)), Map.of(ProbeKind.READINESS, "S"), 40,
                        List.of("15s READINESS S1", "15s READINESS -> true", "25s READINESS S2", "35s READINESS S3")),
                new Case("readiness needs successThreshold successes in a row",
                        List.of(new Def(ProbeKind.READINESS, 0, 5, 2, 3)), Map.of(ProbeKind.READINESS, "SFSS"), 15,
                        List.of("0s READINESS S1", "5s READINESS F1", "10s READINESS S1", "15s READINESS S2",
                                "15s READINESS -> true")),
                new Case("readiness drops after failureThreshold failures and comes back, probing on",
                        List.of(new Def(ProbeKind.READINESS, 0, 5, 1, 2)), Map.of(ProbeKind.READINESS, "SFFS"), 20,
                        List.of("0s READINESS S1", "0s READINESS -> true", "5s READINESS F1", "10s READINESS F2",
                                "10s READINESS -> false", "15s READINESS S1", "15s READINESS -> true", "20s READINESS S2")),
                new Case("a warning (redirect elsewhere) counts as a success",
                        List.of(new Def(ProbeKind.READINESS, 0, 10, 1, 3)), Map.of(ProbeKind.READINESS, "W"), 0,
                        List.of("0s READINESS W1", "0s READINESS -> true")),
                new Case("startup holds back liveness and readiness; readiness runs as soon as it succeeds",
                        List.of(new Def(ProbeKind.STARTUP, 0, 5, 1, 10), new Def(ProbeKind.LIVENESS, 0, 10, 1, 3),
                                new Def(ProbeKind.READINESS, 0, 10, 1, 3)),
                        Map.of(ProbeKind.STARTUP, "FFS", ProbeKind.LIVENESS, "S", ProbeKind.READINESS, "S"), 20,
                        List.of("0s STARTUP F1", "5s STARTUP F2", "10s STARTUP S1", "10s STARTUP -> true",
                                "10s LIVENESS S1", "10s READINESS S1", "10s READINESS -> true",
                                "20s LIVENESS S2", "20s READINESS S2")),
                new Case("startup failing past its threshold is reported once; liveness and readiness never run",
                        List.of(new Def(ProbeKind.STARTUP, 0, 5, 1, 3), new Def(ProbeKind.LIVENESS, 0, 10, 1, 3),
                                new Def(ProbeKind.READINESS, 0, 10, 1, 3)),
                        Map.of(ProbeKind.STARTUP, "F", ProbeKind.LIVENESS, "S", ProbeKind.READINESS, "S"), 60,
                        List.of("0s STARTUP F1", "5s STARTUP F2", "10s STARTUP F3", "10s STARTUP FAILED")),
                new Case("initialDelaySeconds counts from the container's start, also behind a startup probe",
                        List.of(new Def(ProbeKind.STARTUP, 0, 1, 1, 3), new Def(ProbeKind.READINESS, 7, 10, 1, 3)),
                        Map.of(ProbeKind.STARTUP, "S", ProbeKind.READINESS, "S"), 10,
                        List.of("0s STARTUP S1", "0s STARTUP -> true", "7s READINESS S1", "7s READINESS -> true")),
                new Case("liveness alone never changes ready or started",
                        List.of(new Def(ProbeKind.LIVENESS, 0, 10, 1, 1)), Map.of(ProbeKind.LIVENESS, "S"), 10,
                        List.of("0s LIVENESS S1", "10s LIVENESS S2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void timeline(Case c) {
        var h = new Harness(c.scripts());
        h.manager.containerStarted(container(c.probes()), "id-1", "10.88.0.5", h.start);

        h.scheduler.runUntil(h.start.plusSeconds(c.seconds()));

        assertThat(h.log).isEqualTo(c.expected());
    }

    // --- the harness ---

    static final class Harness implements ProbeResultsSink, ProbeRunner {
        final FakeClock clock = new FakeClock();
        final Instant start = clock.instant();
        final FakeScheduler scheduler = new FakeScheduler(clock);
        final ProbeManager manager = new ProbeManager(this, this, clock, scheduler);
        final List<String> log = new ArrayList<>();
        final List<Optional<Duration>> graces = new ArrayList<>();
        final Map<ProbeKind, String> scripts;
        final Map<ProbeKind, Integer> calls = new EnumMap<>(ProbeKind.class);
        Runnable duringProbe = () -> {};

        Harness(Map<ProbeKind, String> scripts) {
            this.scripts = scripts;
        }

        @Override
        public ProbeResult run(ProbeAction action, String containerId, Duration timeout) {
            ProbeKind kind = ProbeKind.valueOf(((ProbeAction.Exec) action).command().getFirst());
            String script = scripts.get(kind);
            int n = calls.merge(kind, 1, Integer::sum) - 1;
            char c = script.charAt(Math.min(n, script.length() - 1));
            duringProbe.run();
            return switch (c) {
                case 'S' -> ProbeResult.success("ok");
                case 'W' -> ProbeResult.warning("Probe terminated redirects, Response body: ");
                case 'F' -> ProbeResult.failure("HTTP probe failed with statuscode: 500");
                case 'E' -> ProbeResult.error("boom");
                default -> throw new IllegalArgumentException("script letter " + c);
            };
        }

        private String t() {
            return Duration.between(start, clock.instant()).toSeconds() + "s ";
        }

        @Override
        public void onResult(ProbeTarget target, ProbeKind kind, ProbeResult result, int consecutive) {
            log.add(t() + kind + " " + result.outcome().name().charAt(0) + consecutive);
        }

        @Override
        public void onChanged(ProbeTarget target, ProbeKind kind, boolean state) {
            log.add(t() + kind + " -> " + state);
        }

        @Override
        public void onFailedPastThreshold(ProbeTarget target, ProbeKind kind, ProbeResult last, Optional<Duration> grace) {
            log.add(t() + kind + " FAILED");
            graces.add(grace);
        }
    }

    static Container container(List<Def> defs) {
        var b = new ContainerBuilder().withName("app").withImage("busybox");
        for (Def d : defs) {
            Probe p = new ProbeBuilder().withNewExec().withCommand(d.kind().name()).endExec()
                    .withInitialDelaySeconds(d.delay()).withPeriodSeconds(d.period())
                    .withSuccessThreshold(d.success()).withFailureThreshold(d.failure()).build();
            switch (d.kind()) {
                case STARTUP -> b.withStartupProbe(p);
                case LIVENESS -> b.withLivenessProbe(p);
                case READINESS -> b.withReadinessProbe(p);
            }
        }
        return b.build();
    }

    static ProbeResults results(Harness h) {
        return h.manager.results();
    }
}
