package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kubectl get pods} cells for the states kubectl users know, from one base pod and small changes. */
class PodRowTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static final String BASE = """
            {"metadata":{"name":"p","creationTimestamp":"2026-11-23T11:55:00Z"},
             "spec":{"nodeName":"n1","initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Running","podIPs":[{"ip":"10.85.0.7"}],
               "conditions":[{"type":"Initialized","status":"False"},{"type":"Ready","status":"True"}],
               "initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
                                        {"name":"i2","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}],
               "containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}},
                                    {"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]}}
            """;

    record Case(String name, String pointer, String json, List<String> expected) {}

    @Test
    void cells() {
        var cases = List.of(
                new Case("running and ready", null, null, List.of("p", "2/2", "Running", "0", "5m", "10.85.0.7", "n1", "<none>", "<none>")),
                new Case("second init container running", "/status/initContainerStatuses/1",
                        "{\"name\":\"i2\",\"state\":{\"running\":{}}}", List.of("p", "0/2", "Init:1/2", "0", "5m")),
                new Case("init container in back-off", "/status/initContainerStatuses/0",
                        "{\"name\":\"i1\",\"restartCount\":3,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}",
                        List.of("p", "0/2", "Init:CrashLoopBackOff", "3", "5m")),
                new Case("container in back-off, restarted 2m ago", "/status/containerStatuses/1",
                        "{\"name\":\"b\",\"ready\":false,\"restartCount\":4,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},"
                                + "\"lastState\":{\"terminated\":{\"exitCode\":1,\"finishedAt\":\"2026-11-23T11:58:00Z\"}}}",
                        List.of("p", "1/2", "CrashLoopBackOff", "4 (2m ago)", "5m")),
                new Case("one completed, one still running and ready", "/status/containerStatuses/0",
                        "{\"name\":\"a\",\"ready\":false,\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}",
                        List.of("p", "1/2", "Running", "0", "5m")),
                new Case("killed by a signal without reason", "/status/containerStatuses/0",
                        "{\"name\":\"a\",\"state\":{\"terminated\":{\"exitCode\":137,\"signal\":9}}}",
                        List.of("p", "1/2", "Signal:9", "0", "5m")),
                new Case("init restarts do not count once the pod is Initialized", "/status/conditions/0",
                        "{\"type\":\"Initialized\",\"status\":\"True\"}", List.of("p", "2/2", "Running", "0", "5m")),
                new Case("being deleted", "/metadata/deletionTimestamp", "\"2026-11-23T12:00:30Z\"",
                        List.of("p", "2/2", "Terminating", "0", "5m")),
                new Case("evicted (status.reason)", "/status/reason", "\"Evicted\"", List.of("p", "2/2", "Evicted", "0", "5m")));
        for (Case c : cases) {
            JsonNode pod = Json.parse(BASE);
            if (c.pointer() != null) set(pod, c.pointer(), Json.parse(c.json()));
            List<String> cells = PodRow.cells(pod, NOW);
            assertThat(cells.subList(0, c.expected().size())).as(c.name()).isEqualTo(c.expected());
        }
    }

    @Test
    void aSucceededPodWithCompletedContainersSaysCompletedAndNoNodeSaysNone() {
        JsonNode pod = Json.parse("""
                {"metadata":{"name":"job"},"spec":{"containers":[{"name":"a"}]},
                 "status":{"phase":"Succeeded","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}
                """);
        assertThat(PodRow.cells(pod, NOW)).containsExactly("job", "0/1", "Completed", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>");
    }

    @Test
    void humanDurations() {
        record D(Duration d, String text) {}
        for (var d : List.of(new D(Duration.ofSeconds(5), "5s"), new D(Duration.ofSeconds(119), "119s"), new D(Duration.ofSeconds(150), "2m30s"),
                new D(Duration.ofMinutes(3), "3m"), new D(Duration.ofMinutes(45), "45m"), new D(Duration.ofMinutes(200), "3h20m"),
                new D(Duration.ofHours(30), "30h"), new D(Duration.ofHours(50), "2d2h"), new D(Duration.ofDays(30), "30d"),
                new D(Duration.ofDays(800), "2y70d"), new D(Duration.ofSeconds(-1), "0s"), new D(Duration.ofSeconds(-5), "<invalid>"))) {
            assertThat(Tables.human(d.d())).as(d.d().toString()).isEqualTo(d.text());
        }
    }

    private static void set(JsonNode root, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1);
        if (parent instanceof com.fasterxml.jackson.databind.node.ArrayNode a) a.set(Integer.parseInt(last), value);
        else ((com.fasterxml.jackson.databind.node.ObjectNode) parent).set(last, value);
    }
}
