package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.node.NodeConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restart safety (issue 6): {@code kill -9} of {@code peapod serve} while a pod runs, then a new
 * serve on the same data dir adopts the pod: same containers, same restart counts, Ready again
 * within seconds, logs kept, one conmon per container, nothing leaked once the pod is deleted.
 */
class RestartE2eTest {
    @TempDir static Path dir;
    static ServeDaemon serve;
    static NodeConfig config;
    static final List<Pod> ran = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        serve = ServeDaemon.start("/var/lib/peapod-e2e-restart", dir);
        config = serve.config;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (serve == null) return;
        serve.stop(ran); // deletes what a failed test left first: SIGTERM leaves pods running
    }

    static ServeE2eTest.Run kubectl(String... args) throws Exception { return serve.kubectl(args); }

    /** Container name → containerID, and name → restartCount, from the stored status. */
    static Map<String, String> field(JsonNode pod, String field) {
        var out = new TreeMap<String, String>();
        for (JsonNode c : pod.at("/status/containerStatuses")) out.put(c.path("name").asText(), c.path(field).asText());
        return out;
    }

    /** conmon processes monitoring this container (conmon is started with {@code -c <id>}). */
    static long conmons(String containerId) {
        String id = containerId.substring(containerId.indexOf("://") + 3);
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("conmon")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(id)).orElse(false))
                .count();
    }

    @Test
    void aKilledServeAdoptsItsRunningPodOnTheNextStart() throws Exception {
        Path yaml = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: survivor}
                spec:
                  terminationGracePeriodSeconds: 5
                  containers:
                  - name: one
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "echo one-before; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                    readinessProbe:
                      exec: {command: ["true"]}
                      periodSeconds: 1
                  - name: two
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "echo two-before; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                """);
        var created = kubectl("create", "-f", yaml.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        var ready = kubectl("wait", "--for=condition=Ready", "pod/survivor", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + serve.output()).isZero();
        JsonNode before = ServeE2eTest.JSON.readTree(kubectl("get", "pod", "survivor", "-o", "json").out());
        ran.add(new PodBuilder().withNewMetadata().withUid(before.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(before.at("/status/podIP").asText()).build()).build());
        var ids = field(before, "containerID");
        var restarts = field(before, "restartCount");
        assertThat(ids).hasSize(2);
        assertThat(restarts).containsValues("0", "0");
        assertThat(kubectl("logs", "survivor", "-c", "one").out()).isEqualTo("one-before\n");

        // kill -9: the JVM alone (the launcher execs it); conmon keeps the containers running.
        serve.kill();
        for (String id : ids.values()) assertThat(conmons(id)).as("conmon of " + id + " outlives serve").isEqualTo(1);

        // What a serve killed between a container's create and the pod record's write leaves: a
        // bundle no record names. The adoption removes it.
        Path unrecorded = config.runDir().resolve("pods").resolve(before.at("/metadata/uid").asText())
                .resolve("containers").resolve("0".repeat(64));
        Files.createDirectories(unrecorded.resolve("rootfs"));

        long start = System.nanoTime();
        serve.restart();
        var again = kubectl("wait", "--for=condition=Ready", "pod/survivor", "--timeout=20s");
        assertThat(again.exit()).as(again.err() + serve.output()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("Ready again within seconds").isLessThan(30);
        JsonNode after = ServeE2eTest.JSON.readTree(kubectl("get", "pod", "survivor", "-o", "json").out());
        assertThat(field(after, "containerID")).isEqualTo(ids);
        assertThat(field(after, "restartCount")).isEqualTo(restarts);
        assertThat(after.at("/status/podIP").asText()).isEqualTo(before.at("/status/podIP").asText());
        assertThat(after.at("/status/startTime").asText()).isEqualTo(before.at("/status/startTime").asText());
        assertThat(after.at("/status/containerStatuses/0/state/running").isObject()).isTrue();
        assertThat(kubectl("logs", "survivor", "-c", "one").out()).isEqualTo("one-before\n");
        assertThat(kubectl("logs", "survivor", "-c", "two").out()).isEqualTo("two-before\n");
        for (String id : ids.values()) assertThat(conmons(id)).as("exactly one conmon for " + id).isEqualTo(1);
        assertThat(unrecorded).doesNotExist();
        var table = kubectl("get", "pods", "survivor");
        assertThat(table.out()).containsPattern("survivor\\s+2/2\\s+Running\\s+0\\s");

        // A container that ends while no serve runs: its exit file is read on adoption and the
        // restart policy (Always) starts it again; the other container is left alone.
        serve.kill();
        String two = ids.get("two").substring("crun://".length());
        var kill = new ProcessBuilder(config.runtime(), "--root", config.runDir().resolve(config.runtime()).toString(),
                "kill", two, "KILL").inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        long waitExit = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (conmons(ids.get("two")) > 0 && System.nanoTime() < waitExit) Thread.sleep(50);
        assertThat(conmons(ids.get("two"))).as("conmon of the killed container has written its exit and ended").isZero();
        serve.restart();
        JsonNode restarted = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            restarted = ServeE2eTest.JSON.readTree(kubectl("get", "pod", "survivor", "-o", "json").out());
            if (field(restarted, "restartCount").get("two").equals("1")
                    && restarted.at("/status/containerStatuses/1/state/running").isObject()) break;
            Thread.sleep(200);
        }
        assertThat(field(restarted, "restartCount")).as(serve.output()).isEqualTo(Map.of("one", "0", "two", "1"));
        assertThat(field(restarted, "containerID").get("one")).isEqualTo(ids.get("one"));
        assertThat(field(restarted, "containerID").get("two")).isNotEqualTo(ids.get("two"));
        assertThat(restarted.at("/status/containerStatuses/1/lastState/terminated/exitCode").asInt()).isEqualTo(137);
        assertThat(restarted.at("/status/containerStatuses/1/lastState/terminated/containerID").asText()).isEqualTo(ids.get("two"));
        assertThat(kubectl("logs", "survivor", "-c", "two", "--previous").out()).isEqualTo("two-before\n");
        for (String id : field(restarted, "containerID").values()) assertThat(conmons(id)).as("one conmon for " + id).isEqualTo(1);

        var deleted = kubectl("delete", "pod", "survivor", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err() + serve.output()).isZero();
        for (String id : field(restarted, "containerID").values()) assertThat(conmons(id)).as("conmon of " + id + " gone with its pod").isZero();
    }
}
