package dev.peapod.bench;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of bench/run-serve: talks HTTPS to a running {@code peapod serve} with the
 * server, CA and bearer token of the kubeconfig it wrote (no kubectl, no JVM start per sample).
 *
 * <pre>
 *   ServeBench rundir DATA_DIR
 *       prints the run dir serve uses for DATA_DIR (where its monitors and mounts live).
 *   ServeBench table KUBECONFIG RUNS WARMUP
 *       GET /api/v1/namespaces/default/pods?limit=500 with kubectl's Table Accept header, one
 *       connection kept open (as kubectl keeps one per command); prints "table MS…" (one sample
 *       per request, from send to the last byte of the body) and "rows N".
 *   ServeBench watch KUBECONFIG POD RUNS WARMUP KUBECTL
 *       a raw watch stream (?watch=1, fieldSelector on POD) and `KUBECTL get pod POD -w`, then
 *       RUNS label PATCHes (merge patch, label bench-seq=N) one after another; for each, the
 *       time from the PATCH's response to the event's arrival at each watcher, and from the
 *       PATCH's send. Prints "watch-from-response MS…", "watch-from-send MS…",
 *       "kubectl-from-response MS…", "kubectl-from-send MS…".
 * </pre>
 */
public final class ServeBench {
    /** What kubectl v1.32 sends for `kubectl get pods` (server-side printing). */
    static final String TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,"
            + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    record Api(HttpClient http, URI server, String token) {
        HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(server.resolve(path)).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(30));
        }
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "rundir" -> System.out.println(dev.peapod.node.NodeConfig.defaults(Path.of(args[1])).runDir());
            case "table" -> table(connect(Path.of(args[1])), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "watch" -> watch(connect(Path.of(args[1])), Path.of(args[1]), args[2], Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), args[5]);
            default -> throw new IllegalArgumentException("usage: ServeBench table|watch …");
        }
    }

    static String field(String kubeconfig, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + ":\\s*(\\S+)\\s*$").matcher(kubeconfig);
        if (!m.find()) throw new IllegalStateException("no " + name + " in the kubeconfig");
        return m.group(1);
    }

    static Api connect(Path kubeconfig) throws Exception {
        String kc = Files.readString(kubeconfig);
        var ca = CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(field(kc, "certificate-authority-data"))));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        // HTTP/1.1 as kubectl's requests here (it negotiates h2 only where the server offers it).
        HttpClient http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new Api(http, URI.create(field(kc, "server") + "/"), field(kc, "token"));
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static void print(String name, List<Double> samples) {
        var sb = new StringBuilder(name);
        for (double s : samples) sb.append(' ').append(String.format("%.2f", s));
        System.out.println(sb);
    }

    static void table(Api api, int runs, int warmup) throws Exception {
        var req = api.request("api/v1/namespaces/default/pods?limit=500").header("Accept", TABLE_ACCEPT).GET().build();
        var samples = new ArrayList<Double>();
        String body = "";
        for (int i = 0; i < warmup + runs; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = api.http().send(req, HttpResponse.BodyHandlers.ofString());
            long t1 = System.nanoTime();
            if (r.statusCode() != 200) throw new IllegalStateException("GET pods: " + r.statusCode() + " " + r.body());
            if (i >= warmup) samples.add(ms(t1 - t0));
            body = r.body();
        }
        if (!body.contains("\"kind\":\"Table\"")) throw new IllegalStateException("not a Table: " + body.substring(0, Math.min(200, body.length())));
        print("table", samples);
        System.out.println("rows " + Pattern.compile("\"cells\":").matcher(body).results().count());
        System.out.println("bytes " + body.length());
    }

    /**
     * Arrival times (nanoTime) of bench-seq=N values seen by one watcher, taken in its reader
     * thread when the line arrives. The waiting thread blocks (no spinning: 2 cores, and the
     * server needs them).
     */
    static final class Arrivals {
        private final java.util.Map<Integer, Long> at = new java.util.HashMap<>();

        synchronized void saw(String text, Pattern seq) {
            long now = System.nanoTime();
            Matcher m = seq.matcher(text);
            while (m.find()) at.putIfAbsent(Integer.parseInt(m.group(1)), now);
            notifyAll();
        }

        synchronized long await(int n, long timeoutNanos) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            Long t;
            while ((t = at.get(n)) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IllegalStateException("no event for bench-seq=" + n);
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return t;
        }
    }

    static void watch(Api api, Path kubeconfig, String pod, int runs, int warmup, String kubectl) throws Exception {
        // The raw stream: one JSON event a line; the label value is found in the line.
        var raw = new Arrivals();
        Pattern rawSeq = Pattern.compile("\"bench-seq\":\"(\\d+)\"");
        var rawReq = api.request("api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3D" + pod)
                .timeout(Duration.ofHours(1)).GET().build();
        HttpResponse<java.io.InputStream> stream = api.http().send(rawReq, HttpResponse.BodyHandlers.ofInputStream());
        if (stream.statusCode() != 200) throw new IllegalStateException("watch: " + stream.statusCode());
        var rawReady = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    rawReady.countDown(); // the initial ADDED event: the watch is established
                    raw.saw(line, rawSeq);
                }
            } catch (Exception e) {
                // closed at the end
            }
        });
        if (!rawReady.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("no initial event on the watch");

        // The real kubectl, printing the label of each event it receives, a line each.
        var kc = new Arrivals();
        Pattern kcSeq = Pattern.compile("^seq=(\\d+)$", Pattern.MULTILINE);
        Process k = new ProcessBuilder(kubectl, "--kubeconfig", kubeconfig.toString(), "get", "pod", pod, "-w",
                "-o", "jsonpath=seq={.metadata.labels.bench-seq}{\"\\n\"}")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        var kcReady = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(k.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    kcReady.countDown();
                    kc.saw(line, kcSeq);
                }
            } catch (Exception e) {
                // closed at the end
            }
        });
        try {
            if (!kcReady.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("kubectl get -w printed nothing");
            var fromResponse = new ArrayList<Double>();
            var fromSend = new ArrayList<Double>();
            var kcFromResponse = new ArrayList<Double>();
            var kcFromSend = new ArrayList<Double>();
            for (int i = 1; i <= warmup + runs; i++) {
                var patch = api.request("api/v1/namespaces/default/pods/" + pod)
                        .header("Content-Type", "application/merge-patch+json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"labels\":{\"bench-seq\":\"" + i + "\"}}}"))
                        .build();
                long t0 = System.nanoTime();
                var r = api.http().send(patch, HttpResponse.BodyHandlers.ofString());
                long t1 = System.nanoTime();
                if (r.statusCode() != 200) throw new IllegalStateException("PATCH: " + r.statusCode() + " " + r.body());
                long a = raw.await(i, TimeUnit.SECONDS.toNanos(10));
                long b = kc.await(i, TimeUnit.SECONDS.toNanos(10));
                if (i > warmup) {
                    fromResponse.add(ms(a - t1));
                    fromSend.add(ms(a - t0));
                    kcFromResponse.add(ms(b - t1));
                    kcFromSend.add(ms(b - t0));
                }
                Thread.sleep(20); // let both watchers go idle again: samples are independent
            }
            print("watch-from-response", fromResponse);
            print("watch-from-send", fromSend);
            print("kubectl-from-response", kcFromResponse);
            print("kubectl-from-send", kcFromSend);
        } finally {
            k.destroy();
            k.waitFor(10, TimeUnit.SECONDS);
            stream.body().close();
        }
    }
}
