package dev.peapod.node.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The real pieces together: {@link VirtualThreadScheduler}, {@link Probers} and a real HTTP server.
 * Every probe here is due at once, so nothing waits for a period.
 */
class RealProbingTest {

    @Test
    void readinessAndLivenessRunOnVirtualThreadsAgainstARealServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ready", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/live", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.start();
        var failures = new CopyOnWriteArrayList<String>();
        var sink = new ProbeResultsSink() {
            @Override
            public void onFailedPastThreshold(ProbeTarget target, ProbeKind kind, ProbeResult last, Optional<Duration> grace) {
                failures.add(target.containerId() + " " + ProbeEvents.forResult(kind, last).orElseThrow().message());
            }
        };
        var clock = InstantSource.system();
        var probers = new Probers((id, argv, timeout) -> {
            throw new UnsupportedOperationException("no exec here");
        });
        try (var manager = new ProbeManager(probers, sink, clock, new VirtualThreadScheduler(clock))) {
            int port = server.getAddress().getPort();
            var spec = new ContainerBuilder().withName("web")
                    .addNewPort().withName("http").withContainerPort(port).endPort()
                    .withReadinessProbe(new ProbeBuilder().withNewHttpGet().withPath("/ready").withPort(new IntOrString("http")).endHttpGet().build())
                    .withLivenessProbe(new ProbeBuilder().withNewHttpGet().withPath("/live").withPort(new IntOrString(port)).endHttpGet()
                            .withFailureThreshold(1).build())
                    .build();

            manager.containerStarted(spec, "c-1", "127.0.0.1", clock.instant());

            await().atMost(Duration.ofSeconds(10)).until(() -> manager.results().readyIfStarted("web"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !failures.isEmpty());
            assertThat(failures).containsExactly("c-1 Liveness probe failed: HTTP probe failed with statuscode: 500");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void schedulerRunsDueTasksAndNeverACancelledOne() throws InterruptedException {
        var clock = InstantSource.system();
        var scheduler = new VirtualThreadScheduler(clock);
        var ranLate = new AtomicBoolean();
        var later = scheduler.schedule(clock.instant().plus(Duration.ofHours(1)), () -> ranLate.set(true));
        var due = new CountDownLatch(1);
        var order = new CopyOnWriteArrayList<String>();

        later.cancel();
        scheduler.schedule(clock.instant(), () -> {
            order.add("due");
            due.countDown();
        });

        assertThat(due.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).isEqualTo(List.of("due"));
        assertThat(ranLate).isFalse();
    }
}
