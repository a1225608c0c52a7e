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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.peapod.e2e.RestartE2eTest.conmons;
import static dev.peapod.e2e.RestartE2eTest.field;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping {@code peapod serve} (SIGTERM) leaves its pods running, as stopping kubelet does, and
 * the next serve adopts them: same containers (crun still lists them, one conmon each), restart
 * counts unchanged, Ready never turning False (Kubernetes 1.35 keeps container statuses across a
 * kubelet restart), a crash-looping container still waiting out its CrashLoopBackOff delay, and
 * nothing left once the pods are deleted (subPath mounts of the adopted pod included).
 */
class GracefulRestartE2eTest {
    @TempDir static Path dir;
    static ServeDaemon serve;
    static NodeConfig config;
    static final List<Pod> ran = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        serve = ServeDaemon.start("/var/lib/peapod-e2e-graceful", dir);
        config = serve.config;
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (serve == null) return;
        serve.stop(ran); // deletes what a failed test left first: SIGTERM leaves pods running
    }

    static ServeE2eTest.Run kubectl(String... args) throws Exception { return serve.kubectl(args); }

    static JsonNode pod(String name) throws Exception {
        var got = kubectl("get", "pod", name, "-o", "json");
        assertThat(got.exit()).as(got.err()).isZero();
        return ServeE2eTest.JSON.readTree(got.out());
    }

    /** The runtime's own view: ids crun lists under this data dir's runtime root. */
    static List<String> crunList() throws Exception {
        var p = new ProcessBuilder(config.runtime(), "--root", config.runDir().resolve(config.runtime()).toString(), "list", "-q").start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static void remember(JsonNode pod) {
        ran.add(new PodBuilder().withNewMetadata().withUid(pod.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(pod.at("/status/podIP").asText()).build()).build());
    }

    @Test
    void aStoppedServeLeavesItsPodsRunningAndTheNextOneAdoptsThemWithTheirBackoff() throws Exception {
        Path yaml = Files.writeString(dir.resolve("pods.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: steady}
                spec:
                  terminationGracePeriodSeconds: 5
                  volumes: [{name: scratch, emptyDir: {}}]
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "echo app-before; touch /tmp/up; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                    volumeMounts: [{name: scratch, mountPath: /sub, subPath: one}]
                    startupProbe:
                      exec: {command: ["test", "-f", "/tmp/up"]}
                      periodSeconds: 1
                    readinessProbe:
                      exec: {command: ["true"]}
                      periodSeconds: 1
                  - name: side
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: crashy}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: crash
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "echo crashing; exit 1"]
                """);
        var created = kubectl("create", "-f", yaml.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        var ready = kubectl("wait", "--for=condition=Ready", "pod/steady", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + serve.output()).isZero();
        JsonNode steady = pod("steady");
        remember(steady);
        var ids = field(steady, "containerID");
        var restarts = field(steady, "restartCount");
        assertThat(ids).hasSize(2);

        // crashy: exits at once; restarts at 0 s, then after 10 s; with restartCount 2 it waits 20 s.
        JsonNode crashy = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            crashy = pod("crashy");
            JsonNode c = crashy.at("/status/containerStatuses/0");
            if (c.path("restartCount").asInt() == 2 && c.at("/state/waiting/reason").asText().equals("CrashLoopBackOff")) break;
            Thread.sleep(100);
        }
        remember(crashy);
        JsonNode crash = crashy.at("/status/containerStatuses/0");
        assertThat(crash.path("restartCount").asInt()).as(crashy.toPrettyString()).isEqualTo(2);
        Instant lastExit = Instant.parse(crash.at("/lastState/terminated/finishedAt").asText());
        String readyRv = steady.at("/metadata/resourceVersion").asText();

        // A client watching (kubectl get -w) does not hold the stop up: its watch is closed.
        Process watcher = new ProcessBuilder(ServeE2eTest.KUBECTL, "--kubeconfig", serve.kubeconfig.toString(), "get", "pods", "-w")
                .redirectErrorStream(true).redirectOutput(dir.resolve("watch.out").toFile()).start();
        long watching = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Files.size(dir.resolve("watch.out")) == 0 && System.nanoTime() < watching) Thread.sleep(50);
        Instant stopping = Instant.now();
        serve.terminate();
        Duration stopTook = Duration.between(stopping, Instant.now());
        assertThat(stopTook).as("serve stops promptly, a watch open:\n" + serve.output()).isLessThan(Duration.ofSeconds(5));
        boolean watchEnded = watcher.waitFor(10, TimeUnit.SECONDS);
        if (!watchEnded) watcher.destroyForcibly();
        assertThat(watchEnded).as("the watch ended with serve").isTrue();
        assertThat(serve.output()).contains("pods keep running");
        var listed = crunList();
        for (String id : ids.values()) {
            String bare = id.substring(id.indexOf("://") + 3);
            assertThat(listed).as("crun still lists " + bare).contains(bare);
            assertThat(conmons(id)).as("conmon of " + id + " outlives serve").isEqualTo(1);
        }

        Instant starting = Instant.now();
        serve.restart();
        Instant up = Instant.now();
        assertThat(Duration.between(lastExit, up)).as("serve is back well before crashy's 20 s back-off ends, so the test "
                        + "can tell (exit " + lastExit + ", stop at " + stopping + " took " + stopTook + ", start took "
                        + Duration.between(starting, up) + ")\n" + serve.output())
                .isLessThan(Duration.ofSeconds(17));
        var again = kubectl("wait", "--for=condition=Ready", "pod/steady", "--timeout=20s");
        assertThat(again.exit()).as(again.err() + serve.output()).isZero();
        JsonNode after = pod("steady");
        assertThat(field(after, "containerID")).isEqualTo(ids);
        assertThat(field(after, "restartCount")).isEqualTo(restarts);
        assertThat(after.at("/status/containerStatuses/0/started").asBoolean()).isTrue();
        for (String id : ids.values()) assertThat(conmons(id)).as("exactly one conmon for " + id).isEqualTo(1);
        assertThat(kubectl("logs", "steady", "-c", "app").out()).isEqualTo("app-before\n");

        // Ready never went False across the restart: the store's change log since then says so
        // (a watch resumed from the resourceVersion seen before the stop).
        var watch = kubectl("get", "--raw", "/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3Dsteady"
                + "&resourceVersion=" + readyRv + "&timeoutSeconds=2");
        assertThat(watch.exit()).as(watch.err()).isZero();
        for (String line : watch.out().lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode event = ServeE2eTest.JSON.readTree(line);
            for (JsonNode cond : event.at("/object/status/conditions")) {
                if (cond.path("type").asText().equals("Ready")) {
                    assertThat(cond.path("status").asText()).as("Ready in " + line).isEqualTo("True");
                }
            }
        }

        // crashy's next restart (restartCount 3) waits out the 20 s recorded before the stop.
        JsonNode restarted = null;
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            restarted = pod("crashy");
            if (restarted.at("/status/containerStatuses/0/restartCount").asInt() >= 3) break;
            Thread.sleep(200);
        }
        JsonNode c3 = restarted.at("/status/containerStatuses/0");
        assertThat(c3.path("restartCount").asInt()).as(restarted.toPrettyString() + serve.output()).isEqualTo(3);
        // The attempt restartCount 3 counts: running, just ended, or already waiting for the next one.
        JsonNode third = c3.at("/state/running").isObject() ? c3.at("/state/running")
                : c3.at("/state/terminated").isObject() ? c3.at("/state/terminated") : c3.at("/lastState/terminated");
        Instant thirdStart = Instant.parse(third.path("startedAt").asText());
        assertThat(thirdStart).as("restart 3 not before the back-off (20 s after " + lastExit + ")")
                .isAfterOrEqualTo(lastExit.plusSeconds(19));

        for (String name : List.of("steady", "crashy")) {
            var deleted = kubectl("delete", "pod", name, "--timeout=60s");
            assertThat(deleted.exit()).as(deleted.err() + serve.output()).isZero();
        }
        for (String id : ids.values()) assertThat(conmons(id)).as("conmon of " + id + " gone with its pod").isZero();
    }
}
