package dev.peapod.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The examples that need configMap volumes and secretKeyRef env, run as they are (see ExamplesE2eTest). */
class ConfigExamplesE2eTest {
    @Test
    void ambassadorProxy() throws Exception {
        Path manifest = ExamplesE2eTest.example("ambassador-proxy");
        try (var h = ExamplesE2eTest.harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            ExamplesE2eTest.awaitReady(h, pod);
            // nginx's server block comes from the ConfigMap volume: it adds its header and forwards.
            var r = ExamplesE2eTest.get("http://127.0.0.1:8080/cgi-bin/hello");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Proxied-By")).contains("ambassador");
            assertThat(r.body()).contains("hello from the app behind the ambassador (forwarded for ");
        }
    }

    @Test
    void apiGateway() throws Exception {
        Path manifest = ExamplesE2eTest.example("api-gateway");
        try (var h = ExamplesE2eTest.harness(manifest)) {
            Pod pod = h.run(Harness.podsOf(manifest).getFirst());
            ExamplesE2eTest.awaitReady(h, pod);
            String url = "http://127.0.0.1:8091/";
            assertThat(ExamplesE2eTest.get(url).statusCode()).as("no token").isEqualTo(401);
            // The valid tokens reach the auth companion from a Secret (secretKeyRef).
            assertThat(ExamplesE2eTest.get(url, "Authorization", "Bearer s3cr3t").statusCode()).isEqualTo(200);
            // A burst of 20 at once: limit_req (5 r/s, burst 5) lets some through and answers 429 to the rest.
            var codes = new ArrayList<Integer>();
            try (var burst = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var futures = new ArrayList<java.util.concurrent.Future<Integer>>();
                for (int i = 0; i < 20; i++) {
                    futures.add(burst.submit(() -> ExamplesE2eTest.get(url, "Authorization", "Bearer s3cr3t").statusCode()));
                }
                for (var f : futures) codes.add(f.get());
            }
            assertThat(codes).contains(200, 429).containsOnly(200, 429);
            String ip = ExamplesE2eTest.awaitIp(h, pod);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    ExamplesE2eTest.get("http://" + ip + ":9100/metrics").body())
                    .contains("gateway_responses_total{code=\"200\"}", "gateway_responses_total{code=\"401\"}",
                            "gateway_responses_total{code=\"429\"}"));
        }
    }
}
