package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The examples under examples/, run as they are (the manifest files themselves, with their
 * ConfigMaps and Secrets), each proving its pattern's observable behaviour on real containers.
 */
class ExamplesE2eTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static Path example(String name) {
        return Harness.REPO.resolve("examples/" + name + "/pod.yaml");
    }

    static Harness harness(Path manifest) throws IOException {
        var h = new Harness(Harness.defaultConfig(), Harness.configSourceOf(manifest));
        h.loadExampleImages();
        return h;
    }

    static HttpResponse<String> get(String url, String... headers) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String awaitIp(Harness h, Pod pod) {
        await().atMost(Duration.ofSeconds(30)).until(() -> h.latest(pod) != null && h.latest(pod).getStatus().getPodIP() != null);
        return h.latest(pod).getStatus().getPodIP();
    }

    static void awaitReady(Harness h, Pod pod) {
        await().atMost(Duration.ofSeconds(60)).until(() -> h.latest(pod) != null && h.latest(pod).getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")));
    }

    @Test
    void sidecarLogging() throws Exception {
        Path sink = Path.of("/var/tmp/peapod-examples/log-sink/shipped.log");
        Files.deleteIfExists(sink);
        Path manifest = example("sidecar-logging");
        try (var h = harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            String ip = awaitIp(h, pod);
            awaitReady(h, pod);
            for (int i = 0; i < 3; i++) {
                assertThat(get("http://" + ip + ":8080/").body()).isEqualTo("hello from sidecar-logging\n");
            }
            assertThat(get("http://127.0.0.1:8088/").statusCode()).as("through the hostPort").isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> shipped(sink).stream().filter(l -> l.contains("app: ") && l.contains("response:200")).count() == 4);
            h.engine.terminate(pod.getMetadata().getUid(), Duration.ofSeconds(10));
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(60));
            List<String> lines = shipped(sink);
            // The sidecar started first and stopped last: its own lines frame everything the app wrote.
            assertThat(lines.getFirst()).endsWith("collector: started");
            assertThat(lines.get(1)).endsWith("app: web: started");
            assertThat(lines.get(lines.size() - 2)).endsWith("app: web: stopping");
            assertThat(lines.getLast()).endsWith("collector: stopping");
            assertThat(done.getStatus().getInitContainerStatuses().getFirst().getState().getTerminated().getExitCode()).isZero();
        }
    }

    @Test
    void adapterMetrics() throws Exception {
        Path manifest = example("adapter-metrics");
        try (var h = harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            String ip = awaitIp(h, pod);
            awaitReady(h, pod);
            await().atMost(Duration.ofSeconds(10)).until(() -> get("http://" + ip + ":9100/metrics").body().contains("app_up 1"));
            String status = get("http://" + ip + ":8080/status").body();
            String metrics = get("http://" + ip + ":9100/metrics").body();
            assertThat(status).containsPattern("(?m)^jobs_done=\\d+$").doesNotContain("# TYPE");
            assertThat(metrics).contains("# TYPE app_jobs_done_total counter", "# TYPE app_jobs_failed_total counter",
                    "# TYPE app_uptime_seconds gauge", "# HELP app_jobs_done_total ");
            // The same numbers, a poll apart: the adapter reads the app's page once a second.
            long appJobs = number(status, "jobs_done=");
            long adapted = number(metrics, "app_jobs_done_total ");
            assertThat(adapted).isBetween(appJobs - 3, appJobs);
        }
    }

    private static long number(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length()).strip()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in " + text));
    }

    @Test
    void fileProcessor() throws Exception {
        Path manifest = example("file-processor");
        try (var h = harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            awaitReady(h, pod);
            assertThat(get("http://127.0.0.1:8089/report-1.html").body()).contains("<h1>Report 1</h1>", "by file-processor");
            // The processor keeps five reports: after the seventh, the first two are gone from disk and index.
            await().atMost(Duration.ofSeconds(30)).until(() -> get("http://127.0.0.1:8089/index.html").body().contains("report-7.html"));
            assertThat(get("http://127.0.0.1:8089/report-1.html").statusCode()).isEqualTo(404);
            assertThat(get("http://127.0.0.1:8089/index.html").body()).doesNotContain("report-1.html").contains("report-6.html");
        }
    }

    @Test
    void initContainers() throws Exception {
        Path manifest = example("init-containers");
        try (var h = harness(manifest)) {
            List<Pod> pods = Harness.podsOf(manifest);
            Pod app = h.run(pods.get(0));
            // Without the backend the first init container keeps waiting and nothing after it starts.
            await().atMost(Duration.ofSeconds(30)).until(() -> h.logs(app, "wait-for-backend").stream().filter(l -> l.contains("not answering yet")).count() >= 3);
            var waiting = h.latest(app).getStatus();
            assertThat(waiting.getPhase()).isEqualTo("Pending");
            assertThat(waiting.getInitContainerStatuses().get(0).getState().getRunning()).isNotNull();
            assertThat(waiting.getInitContainerStatuses().get(1).getState().getWaiting().getReason()).isEqualTo("PodInitializing");
            assertThat(waiting.getContainerStatuses().getFirst().getState().getWaiting().getReason()).isEqualTo("PodInitializing");
            h.run(pods.get(1));
            awaitReady(h, app);
            assertThat(get("http://127.0.0.1:8090/").body()).isEqualTo("""
                    <h1>Fruit, prepared by init containers</h1><ul>
                    <li>apple</li>
                    <li>fig</li>
                    <li>pear</li>
                    <li>plum</li>
                    </ul>
                    """);
            await().atMost(Duration.ofSeconds(5)).until(() -> h.logs(app, "app").size() >= 4);
            List<String> steps = h.logs(app, "app").subList(0, 4);
            assertThat(steps).extracting(l -> l.split(" ", 2)[1]).containsExactly(
                    "wait-for-backend: backend answered", "fetch-config: 2 lines", "prepare-data: 4 items", "app: started");
            assertThat(steps).extracting(l -> l.split(" ", 2)[0]).isSorted();
            for (var s : h.latest(app).getStatus().getInitContainerStatuses()) {
                assertThat(s.getState().getTerminated().getExitCode()).as(s.getName()).isZero();
            }
        }
    }

    @Test
    void ciPipeline() throws Exception {
        Path root = Path.of("/var/tmp/peapod-examples/ci-pipeline");
        deleteTree(root);
        Path manifest = example("ci-pipeline");
        try (var h = harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            Pod done = h.awaitFinished(pod, Duration.ofSeconds(120));
            assertThat(done.getStatus().getPhase()).as(h.logs(pod, "build") + " " + h.logs(pod, "upload")).isEqualTo("Succeeded");
            assertThat(h.logs(pod, "seed-repo")).containsExactly("seeded a demo repository");
            String commit = h.logs(pod, "source-sync").getFirst().replace("synced commit ", "");
            assertThat(commit).matches("[0-9a-f]{40}");
            assertThat(h.logs(pod, "build")).contains("fetched libgreeting-1.2.tar from the cache", "fetched libcolor-0.9.tar from the cache");
            assertThat(h.logs(pod, "upload")).contains("app.tar.gz: OK", "uploaded /store/" + commit + "/app.tar.gz");
            Path artifact = root.resolve("artifacts/" + commit + "/app.tar.gz");
            assertThat(artifact).exists();
            var tar = new ProcessBuilder("tar", "-tzf", artifact.toString()).redirectErrorStream(true).start();
            assertThat(new String(tar.getInputStream().readAllBytes()).lines())
                    .contains("src/build.sh", "src/hello.sh", "deps/libgreeting-1.2.tar", "deps/libcolor-0.9.tar");
            // The cache sidecar never exits by itself: it was stopped for the pod to complete.
            var cache = done.getStatus().getInitContainerStatuses().stream().filter(s -> s.getName().equals("dep-cache")).findFirst().orElseThrow();
            assertThat(cache.getState().getTerminated()).isNotNull();
            assertThat(h.listener.events(pod.getMetadata().getUid(), "Killing")).anyMatch(e -> "dep-cache".equals(e.container()));
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void ambassadorProxy() throws Exception {
        Path manifest = example("ambassador-proxy");
        try (var h = harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            String ip = awaitIp(h, pod);
            awaitReady(h, pod);
            var viaHostPort = get("http://127.0.0.1:8080/cgi-bin/hello");
            assertThat(viaHostPort.statusCode()).isEqualTo(200);
            assertThat(viaHostPort.body()).startsWith("hello from the app behind the ambassador (forwarded for ");
            assertThat(viaHostPort.headers().firstValue("X-Proxied-By")).contains("ambassador");
            assertThat(get("http://" + ip + ":80/cgi-bin/hello").body()).startsWith("hello from the app");
            // The app is bound to the pod's loopback: port 5000 is not reachable on the pod's IP.
            assertThatThrownBy(() -> get("http://" + ip + ":5000/")).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void apiGateway() throws Exception {
        Path manifest = example("api-gateway");
        try (var h = harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            String ip = awaitIp(h, pod);
            String url = "http://127.0.0.1:8091/";
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get(url).statusCode() == 401);
            assertThat(get(url, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            Thread.sleep(1500); // let the limiter's bucket refill after the probing above
            var ok = get(url, "Authorization", "Bearer s3cr3t");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("hello from the app behind the gateway\n");
            // A burst of 30 authorised requests: the first few pass (rate 5/s, burst 5), the rest get 429.
            var codes = new java.util.ArrayList<Integer>();
            for (int i = 0; i < 30; i++) codes.add(get(url, "Authorization", "Bearer another-token").statusCode());
            assertThat(codes).contains(200, 429).containsOnly(200, 429);
            long limited = codes.stream().filter(c -> c == 429).count();
            assertThat(limited).isGreaterThanOrEqualTo(15);
            long unauthorised = 2;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String m = get("http://" + ip + ":9100/metrics").body();
                return m.contains("gateway_responses_total{code=\"429\"} " + limited)
                        && m.contains("gateway_responses_total{code=\"200\"} " + (codes.size() - limited + 1));
            });
            String metrics = get("http://" + ip + ":9100/metrics").body();
            assertThat(metrics).contains("# TYPE gateway_responses_total counter");
            assertThat(number(metrics, "gateway_responses_total{code=\"401\"} ")).isGreaterThanOrEqualTo(unauthorised);
        }
    }

    private static List<String> shipped(Path sink) throws IOException {
        return Files.exists(sink) ? Files.readAllLines(sink).stream().map(String::strip).toList() : List.of();
    }
}
