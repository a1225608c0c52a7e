package dev.peapod.apiserver;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real kubectl (v1.32, /usr/bin/kubectl) against the API server over a memory store: no pods run here. */
class KubectlTest {
    /** The kubectl on PATH (scripts/test-all provides one when the machine has none), else /usr/bin/kubectl. */
    static final String KUBECTL = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .map(d -> java.nio.file.Path.of(d.isEmpty() ? "." : d, "kubectl")).filter(java.nio.file.Files::isExecutable)
            .map(java.nio.file.Path::toString).findFirst().orElse("/usr/bin/kubectl");
    @TempDir static Path dir;
    static TestServer server;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        assertThat(Path.of(KUBECTL)).as("kubectl v1.32 is needed at " + KUBECTL + " (apt-get install kubectl)").exists();
        server = new TestServer(dir);
    }

    @AfterAll
    static void stop() throws Exception { server.close(); }

    static Run kubectl(String... args) throws Exception {
        return kubectlAt(server, dir, args);
    }

    /** The real kubectl against {@code at}, its output kept in files under {@code dir}. */
    static Run kubectlAt(TestServer at, Path dir, String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(KUBECTL, "--kubeconfig", at.kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void createGetTableJsonPatchDelete() throws Exception {
        Path pod = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, labels: {app: web}}
                spec:
                  containers:
                  - {name: app, image: peapod/busybox:latest}
                """);
        var created = kubectl("create", "-f", pod.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).isEqualTo("pod/web created\n");

        var table = kubectl("get", "pods");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out().lines().toList().getFirst()).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
        assertThat(table.out().lines().toList().get(1)).matches("web\\s+0/1\\s+Pending\\s+0\\s+\\d+s");
        var wide = kubectl("get", "pods", "-o", "wide");
        assertThat(wide.out().lines().toList().get(1)).matches("web\\s+0/1\\s+Pending\\s+0\\s+\\d+s\\s+<none>\\s+testnode\\s+<none>\\s+<none>");

        var json = kubectl("get", "pod", "web", "-o", "jsonpath={.spec.containers[0].imagePullPolicy} {.spec.nodeName} {.metadata.uid}");
        assertThat(json.out()).matches("Always testnode [0-9a-f-]{36}");

        assertThat(kubectl("label", "pod", "web", "tier=front").exit()).isZero();
        assertThat(kubectl("get", "pods", "-l", "tier=front", "-o", "name").out()).isEqualTo("pod/web\n");
        assertThat(kubectl("get", "pods", "-l", "tier!=front", "-o", "name").out()).isEmpty();
        assertThat(kubectl("get", "pods", "--field-selector", "metadata.name=web", "-o", "name").out()).isEqualTo("pod/web\n");

        var described = kubectl("describe", "pod", "web");
        assertThat(described.exit()).as(described.err()).isZero();
        assertThat(described.out()).containsPattern("Name:\\s+web").containsPattern("Node:\\s+testnode").containsPattern("Status:\\s+Pending");
        // No scheduler, but the event kube-scheduler records: the API server bound the pod to its node.
        assertThat(described.out()).containsPattern("Normal\\s+Scheduled\\s+\\d+s\\s+default-scheduler\\s+Successfully assigned default/web to testnode");
        assertThat(kubectl("get", "pods", "-A").out()).containsPattern("default\\s+web\\s+0/1\\s+Pending");

        var patched = kubectl("patch", "pod", "web", "-p", "{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"peapod/busybox:v2\"}]}}");
        assertThat(patched.exit()).as(patched.err()).isZero();
        assertThat(kubectl("get", "pod", "web", "-o", "jsonpath={.spec.containers[0].image}").out()).isEqualTo("peapod/busybox:v2");

        var immutable = kubectl("patch", "pod", "web", "--type=merge", "-p", "{\"spec\":{\"restartPolicy\":\"Never\"}}");
        assertThat(immutable.exit()).isOne();
        assertThat(immutable.err()).contains("Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than");

        // Bound pods are deleted gracefully: the node would remove it; here it stays, Terminating.
        var deleted = kubectl("delete", "pod", "web", "--wait=false");
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        assertThat(kubectl("get", "pods").out()).contains("Terminating");
        assertThat(kubectl("delete", "pod", "web", "--force", "--grace-period=0").exit()).isZero();
        assertThat(kubectl("get", "pods").err()).contains("No resources found in default namespace.");
    }

    @Test
    void invalidAndUnknownFieldsAreRejectedLikeKubeApiserver() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: bad}
                spec:
                  containers:
                  - {name: app, image: x}
                  - {name: app}
                """);
        var r = kubectl("create", "-f", bad.toString());
        assertThat(r.exit()).isOne();
        assertThat(r.err()).contains("The Pod \"bad\" is invalid:", "spec.containers[1].name: Duplicate value: \"app\"",
                "spec.containers[1].image: Required value");
        Path typo = Files.writeString(dir.resolve("typo.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: typo}
                spec:
                  containers:
                  - {name: app, image: x, imagee: y}
                """);
        r = kubectl("create", "-f", typo.toString());
        assertThat(r.exit()).isOne();
        assertThat(r.err()).contains("unknown field \"spec.containers[0].imagee\"");
    }

    @Test
    void configMapsSecretsNamespacesAndServiceAccounts() throws Exception {
        Path objects = Files.writeString(dir.resolve("objects.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata: {name: team}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: conf, namespace: team}
                data: {a: "1", b: "2"}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: s, namespace: team}
                stringData: {k: v}
                """);
        var created = kubectl("create", "-f", objects.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).isEqualTo("namespace/team created\nconfigmap/conf created\nsecret/s created\n");
        assertThat(kubectl("get", "serviceaccounts", "-n", "team", "-o", "name").out()).isEqualTo("serviceaccount/default\n");
        assertThat(kubectl("get", "cm", "-n", "team").out()).containsPattern("conf\\s+2\\s+\\d+s");
        assertThat(kubectl("get", "secret", "s", "-n", "team", "-o", "jsonpath={.type} {.data.k}").out()).isEqualTo("Opaque dg==");
        assertThat(kubectl("get", "namespaces").out()).containsPattern("team\\s+Active");
        var missing = kubectl("get", "cm", "nope", "-n", "team");
        assertThat(missing.err()).contains("Error from server (NotFound): configmaps \"nope\" not found");
        var dup = kubectl("create", "-f", objects.toString());
        assertThat(dup.err()).contains("Error from server (AlreadyExists): error when creating \"" + objects + "\": configmaps \"conf\" already exists");
    }

    @Test
    void kubectlsGeneratorsSendProtobuf() throws Exception {
        Path file = Files.writeString(dir.resolve("config.txt"), "line one\n");
        var ns = kubectl("create", "namespace", "gen");
        assertThat(ns.exit()).as(ns.err()).isZero();
        assertThat(ns.out()).isEqualTo("namespace/gen created\n");
        var cm = kubectl("create", "configmap", "conf", "-n", "gen", "--from-literal=a=1", "--from-file=" + file);
        assertThat(cm.exit()).as(cm.err()).isZero();
        assertThat(kubectl("get", "cm", "conf", "-n", "gen", "-o", "jsonpath={.data}").out())
                .isEqualTo("{\"a\":\"1\",\"config.txt\":\"line one\\n\"}");
        var secret = kubectl("create", "secret", "generic", "s", "-n", "gen", "--from-literal=k=v");
        assertThat(secret.exit()).as(secret.err()).isZero();
        assertThat(kubectl("get", "secret", "s", "-n", "gen", "-o", "jsonpath={.type} {.data.k}").out()).isEqualTo("Opaque dg==");
        var sa = kubectl("create", "serviceaccount", "robot", "-n", "gen");
        assertThat(sa.exit()).as(sa.err()).isZero();
        assertThat(kubectl("get", "sa", "-n", "gen", "-o", "name").out()).isEqualTo("serviceaccount/default\nserviceaccount/robot\n");
        var run = kubectl("run", "p", "-n", "gen", "--image=busybox", "--restart=Never");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("pod/p created\n");
        assertThat(kubectl("get", "pod", "p", "-n", "gen", "-o", "jsonpath={.spec.restartPolicy} {.spec.containers[0].image}").out())
                .isEqualTo("Never busybox");
    }

    @Test
    void annotateYamlApplyAndWatch() throws Exception {
        Path cm = Files.writeString(dir.resolve("cm.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: applied}
                data: {a: "1"}
                """);
        var applied = kubectl("apply", "-f", cm.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).isEqualTo("configmap/applied created\n");
        Files.writeString(cm, Files.readString(cm).replace("a: \"1\"", "b: \"2\""));
        var again = kubectl("apply", "-f", cm.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo("configmap/applied configured\n");
        assertThat(kubectl("get", "cm", "applied", "-o", "jsonpath={.data}").out()).isEqualTo("{\"b\":\"2\"}");

        assertThat(kubectl("annotate", "cm", "applied", "note=hi").exit()).isZero();
        var yaml = kubectl("get", "cm", "applied", "-o", "yaml");
        assertThat(yaml.out()).contains("kind: ConfigMap", "    note: hi", "  b: \"2\"");

        // get -w: the current object, then a change made while watching.
        var cmd = List.of(KUBECTL, "--kubeconfig", server.kubeconfig.toString(), "get", "cm", "applied", "-w", "-o", "name");
        Process w = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(w.getInputStream()))) {
            assertThat(out.readLine()).isEqualTo("configmap/applied");
            assertThat(kubectl("label", "cm", "applied", "x=y").exit()).isZero();
            assertThat(out.readLine()).isEqualTo("configmap/applied");
        } finally {
            w.destroy();
        }
    }

    @Test
    void deletingANamespaceDeletesItsObjectsAndPodsGracefully() throws Exception {
        Path objects = Files.writeString(dir.resolve("ns.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata: {name: doomed}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c, namespace: doomed}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: doomed}
                spec: {containers: [{name: app, image: busybox}]}
                """);
        assertThat(kubectl("create", "-f", objects.toString()).exit()).isZero();
        var deleted = kubectl("delete", "namespace", "doomed", "--wait=false");
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        // The pod is bound to the node, which would stop it: until then the namespace is Terminating.
        assertThat(kubectl("get", "ns", "doomed").out()).containsPattern("doomed\\s+Terminating");
        assertThat(kubectl("get", "cm", "-n", "doomed", "-o", "name").out()).isEmpty();
        assertThat(kubectl("get", "pod", "p", "-n", "doomed", "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}").out()).isEqualTo("30");
        assertThat(kubectl("create", "configmap", "late", "-n", "doomed").err())
                .contains("unable to create new content in namespace doomed because it is being terminated");
        server.store.delete(new dev.peapod.store.Key("pods", "doomed", "p"), 0); // what the node does once the pod stopped
        Namespaces.finishIfEmpty(server.store, "doomed");
        assertThat(kubectl("get", "ns", "doomed").err()).contains("NotFound");

        assertThat(kubectl("create", "namespace", "empty").exit()).isZero();
        assertThat(kubectl("delete", "namespace", "empty").out()).isEqualTo("namespace \"empty\" deleted\n");
        assertThat(kubectl("delete", "namespace", "default").err()).contains("this namespace may not be deleted");
    }

    @Test
    void finalizersHoldADeletedObjectUntilTheyAreRemoved() throws Exception {
        Path cm = Files.writeString(dir.resolve("held.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: held, finalizers: [example.com/keep]}
                """);
        assertThat(kubectl("create", "-f", cm.toString()).exit()).isZero();
        assertThat(kubectl("delete", "cm", "held", "--wait=false").exit()).isZero();
        assertThat(kubectl("get", "cm", "held", "-o", "jsonpath={.metadata.deletionTimestamp}").out()).isNotEmpty();
        var released = kubectl("patch", "cm", "held", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}");
        assertThat(released.exit()).as(released.err()).isZero();
        assertThat(kubectl("get", "cm", "held").err()).contains("NotFound");
    }

    @Test
    void serverDryRunsAdmitButStoreNothing() throws Exception {
        // kubectl --dry-run=server sends dryRun=All (query, or DeleteOptions.dryRun): admitted, answered, not stored.
        var run = kubectl("run", "dry", "--image=busybox", "--restart=Never", "--dry-run=server", "-o",
                "jsonpath={.spec.containers[0].imagePullPolicy} {.spec.terminationGracePeriodSeconds}");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("Always 30"); // defaulted as a real create would be
        assertThat(kubectl("get", "pod", "dry").err()).contains("NotFound");
        var invalid = kubectl("run", "Bad_Name", "--image=busybox", "--dry-run=server");
        assertThat(invalid.exit()).isOne();
        assertThat(invalid.err()).contains("Invalid value: \"Bad_Name\"");

        assertThat(kubectl("create", "configmap", "wet", "--from-literal=a=1").exit()).isZero();
        String rv = kubectl("get", "cm", "wet", "-o", "jsonpath={.metadata.resourceVersion}").out();
        var label = kubectl("label", "cm", "wet", "x=y", "--dry-run=server", "-o", "jsonpath={.metadata.labels.x}");
        assertThat(label.exit()).as(label.err()).isZero();
        assertThat(label.out()).isEqualTo("y");
        var patch = kubectl("patch", "cm", "wet", "--type=merge", "-p", "{\"data\":{\"a\":\"2\"}}", "--dry-run=server");
        assertThat(patch.exit()).as(patch.err()).isZero();
        var delete = kubectl("delete", "cm", "wet", "--dry-run=server");
        assertThat(delete.exit()).as(delete.err()).isZero();
        assertThat(delete.out()).contains("(server dry run)");
        assertThat(kubectl("get", "cm", "wet", "-o", "jsonpath={.metadata.resourceVersion} {.data.a} {.metadata.labels}").out())
                .isEqualTo(rv + " 1 ");
        assertThat(kubectl("delete", "cm", "wet").exit()).isZero();
    }

    @Test
    void aWrongTokenGets401() throws Exception {
        var r = kubectl("--token", "wrong", "get", "pods");
        assertThat(r.exit()).isOne();
        assertThat(r.err()).contains("Unauthorized");
    }
}
