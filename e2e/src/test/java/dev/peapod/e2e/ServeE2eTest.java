package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peapod.node.NodeConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code peapod serve} as a user runs it (the launcher, a cold JVM), driven by the real kubectl
 * (v1.32) with the kubeconfig serve wrote: real pods on crun, conmon and CNI.
 */
class ServeE2eTest {
    static final String DATA = "/var/lib/peapod-e2e-serve";
    /** The kubectl on PATH (scripts/test-all provides one when the machine has none), else /usr/bin/kubectl. */
    static final String KUBECTL = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .map(d -> java.nio.file.Path.of(d.isEmpty() ? "." : d, "kubectl")).filter(java.nio.file.Files::isExecutable)
            .map(java.nio.file.Path::toString).findFirst().orElse("/usr/bin/kubectl");
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<Pod> ran = new ArrayList<>();
    @TempDir static Path dir;
    static NodeConfig config;
    static Process serve;
    static Path serveLog;
    static Path kubeconfig;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void startServe() throws Exception {
        assertThat(Path.of(KUBECTL)).as("kubectl v1.32 is needed at " + KUBECTL).exists();
        var load = UpCommandE2eTest.peapod(List.of("image", "load", "--data-dir", DATA, Harness.testImage().toString()), 120);
        assertThat(load.exit()).as(load.err()).isZero();
        config = NodeConfig.defaults(Path.of(DATA)).withCniConfigDir(Harness.defaultConfig().cniConfigDir());
        // A fresh store: objects of an earlier (failed) run would run again and clash with these tests.
        Path store = Path.of(DATA, "store");
        if (Files.exists(store)) {
            try (var files = Files.walk(store)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        kubeconfig = Path.of(DATA, "kubeconfig");
        Files.deleteIfExists(kubeconfig);
        serveLog = dir.resolve("serve.log");
        serve = new ProcessBuilder(Harness.REPO.resolve("peapod").toString(), "serve", "--data-dir", DATA, "--port", "0",
                "--cni-config-dir", config.cniConfigDir().toString(), "--node-name", "e2e-node")
                .redirectErrorStream(true).redirectOutput(serveLog.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // the launcher may rebuild first
        while (!Files.exists(kubeconfig)) {
            assertThat(serve.isAlive()).as("peapod serve exited:\n" + Files.readString(serveLog)).isTrue();
            assertThat(System.nanoTime()).as("no kubeconfig after 180 s:\n" + Files.readString(serveLog)).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopServe() throws Exception {
        if (serve == null) return;
        // SIGTERM leaves pods running (as stopping kubelet does): whatever a test left is deleted first.
        if (serve.isAlive()) kubectl("delete", "pods", "--all", "--all-namespaces", "--timeout=60s");
        serve.destroy();
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("serve stops on SIGTERM:\n" + Files.readString(serveLog)).isTrue();
        assertThat(serve.exitValue()).as(Files.readString(serveLog)).isZero();
        LeakCheck.assertNothingLeft(config, ran);
    }

    static Run kubectl(String... args) throws Exception {
        return kubectlWith(kubeconfig, args);
    }

    static Run kubectlWith(Path kc, String... args) throws Exception {
        return kubectlWithInput(kc, new java.io.File("/dev/null"), args);
    }

    static Run kubectlWithInput(Path kc, java.io.File stdin, String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(KUBECTL, "--kubeconfig", kc.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(stdin))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung; serve log:\n" + Files.readString(serveLog));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aPodCreatedWithKubectlRunsBecomesReadyAndIsDeletedGracefully() throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 20
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "echo started; echo oops >&2; trap 'echo bye; exit 0' TERM; while :; do sleep 0.1; done"]
                    readinessProbe:
                      exec: {command: ["true"]}
                      periodSeconds: 1
                """);
        var created = kubectl("create", "-f", pod.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).isEqualTo("pod/web created\n");

        var ready = kubectl("wait", "--for=condition=Ready", "pod/web", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + log()).isZero();
        assertThat(ready.out()).isEqualTo("pod/web condition met\n");

        var table = kubectl("get", "pods", "-o", "wide");
        assertThat(table.exit()).as(table.err()).isZero();
        var lines = table.out().lines().toList();
        assertThat(lines.getFirst()).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s+NOMINATED NODE\\s+READINESS GATES");
        assertThat(lines.get(1)).matches("web\\s+1/1\\s+Running\\s+0\\s+\\d+s\\s+10\\.87\\.\\d+\\.\\d+\\s+e2e-node\\s+<none>\\s+<none>");

        var json = kubectl("get", "pod", "web", "-o", "json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode o = JSON.readTree(json.out());
        assertThat(o.at("/status/phase").asText()).isEqualTo("Running");
        assertThat(o.at("/status/containerStatuses/0/state/running").isObject()).isTrue();
        assertThat(o.at("/status/containerStatuses/0/containerID").asText()).startsWith("crun://");
        assertThat(o.at("/spec/nodeName").asText()).isEqualTo("e2e-node");
        ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText()).build()).build());

        var logs = kubectl("logs", "web");
        assertThat(logs.exit()).as(logs.err()).isZero();
        assertThat(logs.out()).isEqualTo("started\noops\n");
        assertThat(kubectl("logs", "web", "--tail=1", "--timestamps").out()).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z oops\n");
        assertThat(kubectl("logs", "web", "--previous").err()).contains("previous terminated container \"app\" in pod \"web\" not found");

        var events = kubectl("get", "events", "--field-selector", "involvedObject.name=web", "-o", "jsonpath={.items[*].reason}");
        assertThat(events.out()).contains("Created", "Started");

        long start = System.nanoTime();
        var deleted = kubectl("delete", "pod", "web", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err() + log()).isZero();
        assertThat(deleted.out()).isEqualTo("pod \"web\" deleted\n");
        // The container exits on SIGTERM at once, well within its grace period of 20 s.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
        var gone = kubectl("get", "pods");
        assertThat(gone.err()).contains("No resources found in default namespace.");
    }

    @Test
    void podsReadConfigMapsFromTheStoreAndCompletedPodsShowCompleted() throws Exception {
        var cm = kubectl("create", "configmap", "greeting", "--from-literal=text=hello from the store");
        assertThat(cm.exit()).as(cm.err()).isZero();
        Path pod = Files.writeString(dir.resolve("job.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: job}
                spec:
                  restartPolicy: Never
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    env:
                    - name: TEXT
                      valueFrom: {configMapKeyRef: {name: greeting, key: text}}
                    command: ["sh", "-c", "printf %s \\"$TEXT\\" > /dev/termination-log; echo \\"$TEXT\\""]
                """);
        var created = kubectl("create", "-f", pod.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        var done = kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/job", "--timeout=90s");
        assertThat(done.exit()).as(done.err() + log()).isZero();
        var o = JSON.readTree(kubectl("get", "pod", "job", "-o", "json").out());
        assertThat(o.at("/status/containerStatuses/0/state/terminated/message").asText()).isEqualTo("hello from the store");
        ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText(null)).build()).build());
        var followed = kubectl("logs", "-f", "job");
        assertThat(followed.exit()).as(followed.err()).isZero();
        assertThat(followed.out()).isEqualTo("hello from the store\n");
        assertThat(kubectl("get", "pods", "job").out()).containsPattern("job\\s+0/1\\s+Completed\\s+0");
        var deleted = kubectl("delete", "pod", "job", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err() + log()).isZero();
        assertThat(kubectl("get", "pod", "job").err()).contains("NotFound");
        assertThat(kubectl("delete", "configmap", "greeting").exit()).isZero();
    }

    @Test
    void runningPodsFollowConfigMapLabelAndResizeChangesMadeWithKubectl() throws Exception {
        assertThat(kubectl("create", "configmap", "live", "--from-literal=k=v1").exit()).isZero();
        Path pod = Files.writeString(dir.resolve("live.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: live, labels: {app: live}}
                spec:
                  terminationGracePeriodSeconds: 2
                  volumes:
                  - {name: cfg, configMap: {name: live}}
                  - {name: meta, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {cpu: 200m, memory: 64Mi}}
                    volumeMounts: [{name: cfg, mountPath: /cfg}, {name: meta, mountPath: /meta}]
                    command: ["sh", "-c"]
                    args:
                    - |
                      trap 'exit 0' TERM
                      while true; do
                        q=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d' ' -f1 /sys/fs/cgroup/cpu.max)
                        echo "cfg=$(cat /cfg/k) labels=$(tr '\\n' ' ' < /meta/labels | sed 's/ *$//') quota=$q"
                        sleep 0.5
                      done
                """);
        var created = kubectl("create", "-f", pod.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        // kubectl prints the API server's Warning headers: Peapod's lint findings come with the pod's creation.
        assertThat(created.err()).contains("Warning: peapod lint: ").contains("PEA006");
        var ready = kubectl("wait", "--for=condition=Ready", "pod/live", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + log()).isZero();
        var o = JSON.readTree(kubectl("get", "pod", "live", "-o", "json").out());
        ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText(null)).build()).build());
        awaitLastLog("live", "cfg=v1 labels=app=\"live\" quota=20000");

        assertThat(kubectl("patch", "configmap", "live", "--type=merge", "-p", "{\"data\":{\"k\":\"v2\"}}").exit()).isZero();
        awaitLastLog("live", "cfg=v2 labels=app=\"live\" quota=20000");
        assertThat(kubectl("label", "pod", "live", "tier=web").exit()).isZero();
        awaitLastLog("live", "cfg=v2 labels=app=\"live\" tier=\"web\" quota=20000");
        var resized = kubectl("patch", "pod", "live", "--subresource=resize", "-p",
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":{\"limits\":{\"cpu\":\"300m\"}}}]}}");
        assertThat(resized.exit()).as(resized.err()).isZero();
        awaitLastLog("live", "cfg=v2 labels=app=\"live\" tier=\"web\" quota=30000");
        var after = JSON.readTree(kubectl("get", "pod", "live", "-o", "json").out());
        assertThat(after.at("/status/containerStatuses/0/restartCount").asInt()).as("resized in place").isZero();
        assertThat(after.at("/status/containerStatuses/0/resources/limits/cpu").asText()).isEqualTo("300m");
        // A resize that would change the QoS class is refused by the API, with the field.
        var refused = kubectl("patch", "pod", "live", "--subresource=resize", "-p",
                "{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":{\"requests\":{\"cpu\":\"300m\",\"memory\":\"64Mi\"}}}]}}");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("The Pod \"live\" is invalid").contains("Pod QOS Class may not change as a result of resizing");
        // Changing the image of a running pod restarts that container from the new image (kubelet's spec-hash change).
        var reimaged = kubectl("set", "image", "pod/live", "app=docker.io/peapod/busybox:latest");
        assertThat(reimaged.exit()).as(reimaged.err()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode restarted;
        do {
            Thread.sleep(300);
            restarted = JSON.readTree(kubectl("get", "pod", "live", "-o", "json").out());
        } while (System.nanoTime() < deadline && !(restarted.at("/status/containerStatuses/0/restartCount").asInt() == 1
                && restarted.at("/status/containerStatuses/0/state/running").isObject()));
        assertThat(restarted.at("/status/containerStatuses/0/restartCount").asInt()).as(log()).isEqualTo(1);
        assertThat(restarted.at("/status/containerStatuses/0/image").asText()).isEqualTo("docker.io/peapod/busybox:latest");
        assertThat(restarted.at("/status/containerStatuses/0/containerID").asText())
                .isNotEqualTo(after.at("/status/containerStatuses/0/containerID").asText());
        awaitLastLog("live", "cfg=v2 labels=app=\"live\" tier=\"web\" quota=30000");
        assertThat(kubectl("delete", "pod", "live", "--timeout=60s").exit()).isZero();
        assertThat(kubectl("delete", "configmap", "live").exit()).isZero();
    }

    private static void awaitLastLog(String pod, String line) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = kubectl("logs", pod, "--tail=1").out().strip();
            if (last.equals(line)) return;
            Thread.sleep(300);
        }
        throw new AssertionError("the last log line of " + pod + " is \"" + last + "\", not \"" + line + "\"\n" + log());
    }

    @Test
    void kubectlExecRunsInTheContainerOverWebSocket() throws Exception {
        Path pod = Files.writeString(dir.resolve("exec.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: shell}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - {name: app, image: peapod/busybox:latest, imagePullPolicy: Never, command: ["sleep", "3600"]}
                  - {name: side, image: peapod/busybox:latest, imagePullPolicy: Never, command: ["sleep", "3600"],
                     env: [{name: WHO, value: side}]}
                """);
        assertThat(kubectl("create", "-f", pod.toString()).exit()).isZero();
        var ready = kubectl("wait", "--for=condition=Ready", "pod/shell", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + log()).isZero();
        var o = JSON.readTree(kubectl("get", "pod", "shell", "-o", "json").out());
        ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText()).build()).build());

        // -v=6 shows the upgrade kubectl made: WebSocket with 101, no SPDY fallback.
        var r = kubectl("exec", "shell", "-c", "app", "-v=6", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).contains("err\n").contains("command terminated with exit code 3")
                .contains("101 Switching Protocols").doesNotContain("SPDY").doesNotContain("fallback");
        assertThat(r.exit()).isEqualTo(3);

        // Inside the container: its hostname (the pod's), its environment.
        var side = kubectl("exec", "shell", "-c", "side", "--", "sh", "-c", "echo $(hostname) $WHO");
        assertThat(side.exit()).as(side.err()).isZero();
        assertThat(side.out()).isEqualTo("shell side\n");

        java.io.File input = Files.writeString(dir.resolve("exec-in"), "hi\nthere\n").toFile();
        var echoed = kubectlWithInput(kubeconfig, input, "exec", "-i", "shell", "-c", "app", "--", "cat");
        assertThat(echoed.exit()).as(echoed.err()).isZero();
        assertThat(echoed.out()).isEqualTo("hi\nthere\n");

        // -it on a terminal (script(1) gives kubectl one): the command runs on a new pty of the size kubectl sends.
        var tty = ProcessBuilder.startPipeline(List.of(new ProcessBuilder("script", "-qec",
                "stty cols 100 rows 30; " + KUBECTL + " --kubeconfig " + kubeconfig
                        + " exec -it shell -c app -- sh -c 'tty; stty size; exit 4'", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))))).getLast();
        String ttyOut = new String(tty.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(tty.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ttyOut).as(ttyOut + log()).containsPattern("/dev/pts/\\d+\r\n30 100\r\n")
                .contains("command terminated with exit code 4");

        // An interactive shell on the terminal: typed input reaches it, its exit code comes back.
        java.io.File typed = Files.writeString(dir.resolve("typed"), "echo typed-$((6*7))\nexit 5\n").toFile();
        var shell = new ProcessBuilder("script", "-qec", KUBECTL + " --kubeconfig " + kubeconfig + " exec -it shell -c app -- sh", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(typed)).redirectErrorStream(true).start();
        String shellOut = new String(shell.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(shell.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(shellOut).as(shellOut + log()).contains("typed-42").contains("command terminated with exit code 5");

        // kubectl goes away mid-command: the command is killed (kubelet ends it with the stream too).
        Process gone = new ProcessBuilder(KUBECTL, "--kubeconfig", kubeconfig.toString(), "exec", "shell", "-c", "app", "--", "sleep", "321")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        String ps = "";
        for (int i = 0; i < 50 && !ps.contains("sleep 321"); i++) {
            Thread.sleep(100);
            ps = kubectl("exec", "shell", "-c", "app", "--", "ps", "-o", "args").out();
        }
        assertThat(ps).contains("sleep 321");
        gone.destroyForcibly();
        gone.waitFor();
        for (int i = 0; i < 50 && ps.contains("sleep 321"); i++) {
            Thread.sleep(100);
            ps = kubectl("exec", "shell", "-c", "app", "--", "ps", "-o", "args").out();
        }
        assertThat(ps).doesNotContain("sleep 321");

        var missing = kubectl("exec", "shell", "-c", "nope", "--", "true");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error from server (BadRequest): container nope is not valid for pod shell\n");

        assertThat(kubectl("delete", "pod", "shell", "--timeout=60s").exit()).isZero();
    }

    @Test
    void theNodeDescribesThisHost() throws Exception {
        var nodes = kubectl("get", "nodes", "-o", "wide");
        assertThat(nodes.exit()).as(nodes.err()).isZero();
        var lines = nodes.out().lines().toList();
        assertThat(lines.getFirst()).matches("NAME\\s+STATUS\\s+ROLES\\s+AGE\\s+VERSION\\s+INTERNAL-IP\\s+EXTERNAL-IP\\s+OS-IMAGE\\s+KERNEL-VERSION\\s+CONTAINER-RUNTIME");
        assertThat(lines.get(1)).matches("e2e-node\\s+Ready\\s+<none>\\s+\\d+[smhd]\\S*\\s+v1.32.0-peapod\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+.+\\s+crun://\\S+");
        var o = JSON.readTree(kubectl("get", "node", "e2e-node", "-o", "json").out());
        assertThat(o.at("/status/capacity/cpu").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(o.at("/status/allocatable/pods").asText()).isEqualTo("110");
        assertThat(o.at("/metadata/labels/kubernetes.io~1hostname").asText()).isEqualTo("e2e-node");
    }

    @Test
    void deletingANamespaceStopsItsPodsThenRemovesIt() throws Exception {
        Path objects = Files.writeString(dir.resolve("ns.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata: {name: scratch}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: worker, namespace: scratch}
                spec:
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                """);
        var created = kubectl("create", "-f", objects.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        var ready = kubectl("wait", "-n", "scratch", "--for=condition=Ready", "pod/worker", "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + log()).isZero();
        var o = JSON.readTree(kubectl("get", "pod", "worker", "-n", "scratch", "-o", "json").out());
        ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText()).build()).build());
        var deleted = kubectl("delete", "namespace", "scratch", "--timeout=60s");
        assertThat(deleted.exit()).as(deleted.err() + log()).isZero();
        assertThat(kubectl("get", "namespace", "scratch").err()).contains("NotFound");
    }

    @Test
    void requestsWithoutAValidTokenGet401() throws Exception {
        // Without a token kubectl prompts for a user name, so ask over HTTPS directly, trusting only serve's CA:
        // the serving certificate must chain to it and name 127.0.0.1.
        var ca = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(Path.of(DATA, "pki", "ca.crt")));
        var trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        String server = Files.readString(kubeconfig).lines().filter(l -> l.trim().startsWith("server:")).findFirst().orElseThrow()
                .trim().substring("server:".length()).trim();
        try (var http = java.net.http.HttpClient.newBuilder().sslContext(tls).build()) {
            for (String auth : new String[] {null, "Bearer wrong"}) {
                var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server + "/api/v1/namespaces/default/pods"));
                if (auth != null) req.header("Authorization", auth);
                var resp = http.send(req.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(resp.statusCode()).as(String.valueOf(auth)).isEqualTo(401);
                assertThat(JSON.readTree(resp.body()).get("reason").asText()).isEqualTo("Unauthorized");
            }
        }
        String text = Files.readString(kubeconfig);
        Path wrong = Files.writeString(dir.resolve("wrong-token"), text.replaceAll("(?m)^(\\s+token: ).*$", "$1wrong"));
        var r = kubectlWith(wrong, "get", "pods");
        assertThat(r.exit()).isOne();
        assertThat(r.err()).contains("error: You must be logged in to the server");
    }

    static String log() throws IOException { return "\nserve log:\n" + Files.readString(serveLog); }
}
