package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.peapod.e2e.ServeE2eTest.JSON;
import static dev.peapod.e2e.ServeE2eTest.KUBECTL;
import static dev.peapod.e2e.ServeE2eTest.kubectl;
import static dev.peapod.e2e.ServeE2eTest.log;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kubectl verbs and flags of issue 6 that {@link ServeE2eTest}, {@link ApiSemanticsE2eTest} and
 * {@link AttachE2eTest} do not drive: client-side apply, delete's {@code --wait}/{@code --grace-period}/
 * {@code --force}, wait, describe, logs' {@code --since}/{@code -f}/{@code -c}/{@code --all-containers}/
 * {@code --prefix}, get's {@code -w} and output flags, the STATUS column through a real pod's life, create
 * configmap/secret {@code --from-file}, cp, annotate/label removal/JSON patch. The real kubectl v1.32 against
 * {@code peapod serve} running real pods; one serve for the class, as {@link ServeE2eTest} starts it.
 */
class KubectlVerbsE2eTest extends SharedServe {

    static final String APPLIED = """
            apiVersion: v1
            kind: Pod
            metadata: {name: applied, labels: {app: applied, version: "%s"}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: app
                image: %s
                imagePullPolicy: Never
                command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"]
            """;

    @Test
    void clientSideApplyCreatesAPodThenRestartsItsContainerFromAChangedImage() throws Exception {
        Path manifest = file("applied.yaml", APPLIED.formatted("1", "peapod/busybox:latest"));
        var created = kubectl("apply", "-f", manifest.toString());
        ok(created);
        assertThat(created.out()).isEqualTo("pod/applied created\n");
        JsonNode before = ready("applied");
        JsonNode lastApplied = JSON.readTree(before.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asText());
        assertThat(lastApplied.at("/spec/containers/0/image").asText()).isEqualTo("peapod/busybox:latest");

        // The same manifest again: nothing to change.
        var unchanged = kubectl("apply", "-f", manifest.toString());
        ok(unchanged);
        assertThat(unchanged.out()).isEqualTo("pod/applied unchanged\n");

        // A changed image and label: a strategic merge patch; kubelet restarts that container from the new image.
        file("applied.yaml", APPLIED.formatted("2", "docker.io/peapod/busybox:latest"));
        var configured = kubectl("apply", "-f", manifest.toString());
        ok(configured);
        assertThat(configured.out()).isEqualTo("pod/applied configured\n");
        ok(kubectl("wait", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/applied", "--timeout=60s"));
        ok(kubectl("wait", "--for=condition=Ready", "pod/applied", "--timeout=60s"));
        JsonNode after = pod("applied");
        assertThat(after.at("/metadata/labels/version").asText()).isEqualTo("2");
        assertThat(after.at("/status/containerStatuses/0/image").asText()).isEqualTo("docker.io/peapod/busybox:latest");
        assertThat(after.at("/status/containerStatuses/0/containerID").asText())
                .isNotEqualTo(before.at("/status/containerStatuses/0/containerID").asText());
        lastApplied = JSON.readTree(after.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asText());
        assertThat(lastApplied.at("/spec/containers/0/image").asText()).isEqualTo("docker.io/peapod/busybox:latest");
        assertThat(lastApplied.at("/metadata/labels/version").asText()).isEqualTo("2");

        // A label dropped from the manifest is removed (the last-applied annotation says it was ours).
        file("applied.yaml", APPLIED.formatted("2", "docker.io/peapod/busybox:latest").replace("app: applied, ", ""));
        ok(kubectl("apply", "-f", manifest.toString()));
        assertThat(kubectl("get", "pod", "applied", "--show-labels", "--no-headers").out()).contains(" version=2\n");
        assertThat(pod("applied").at("/status/containerStatuses/0/restartCount").asInt()).isEqualTo(1);

        ok(kubectl("delete", "-f", manifest.toString(), "--timeout=60s"));
    }

    static final String DOOMED = """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s, labels: {group: doomed}}
            spec:
              terminationGracePeriodSeconds: 30
              containers:
              - name: app
                image: peapod/busybox:latest
                imagePullPolicy: Never
                command: ["sh", "-c", "%s"]
            ---
            """;
    static final String EXITS_ON_TERM = "trap 'exit 0' TERM; while :; do sleep 0.1; done";
    static final String IGNORES_TERM = "trap '' TERM; while :; do sleep 0.1; done";

    @Test
    void deleteWaitsForThePodGraceCutsItShortAndForceRemovesItAtOnce() throws Exception {
        ok(kubectl("create", "-f", file("doomed.yaml", DOOMED.formatted("quick", EXITS_ON_TERM) + DOOMED.formatted("stubborn", IGNORES_TERM)
                + DOOMED.formatted("forced", IGNORES_TERM) + DOOMED.formatted("cut", IGNORES_TERM)
                + DOOMED.formatted("watched", EXITS_ON_TERM)).toString()));
        for (String name : List.of("quick", "stubborn", "forced", "cut", "watched")) ready(name);

        // --wait=true (the default): kubectl returns once the pod object is gone, not before.
        var quick = kubectl("delete", "pod", "quick");
        ok(quick);
        assertThat(quick.out()).isEqualTo("pod \"quick\" deleted\n");
        assertThat(kubectl("get", "pod", "quick").err()).contains("(NotFound)");

        // --grace-period=1 on a container that ignores SIGTERM: killed after 1 s, not the pod's 30 s.
        long start = System.nanoTime();
        ok(kubectl("delete", "pod", "stubborn", "--grace-period=1"));
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("grace period 1 s").isLessThan(15);
        assertThat(kubectl("get", "pod", "stubborn").err()).contains("(NotFound)");

        // --force --grace-period=0 on a running pod: the object goes at once (kubectl warns it does not wait) ...
        String forcedId = pod("forced").at("/status/containerStatuses/0/containerID").asText().replace("crun://", "");
        var forced = kubectl("delete", "pod", "forced", "--force", "--grace-period=0");
        ok(forced);
        assertThat(forced.out()).isEqualTo("pod \"forced\" force deleted\n");
        assertThat(forced.err()).contains("Immediate deletion does not wait for confirmation that the running resource has been terminated");
        assertThat(kubectl("get", "pod", "forced").err()).contains("(NotFound)");
        // ... and the node still kills what ran (kubelet does, for a force-deleted pod), within seconds.
        awaitContainerGone(forcedId);

        // Terminating while its 30 s grace period runs; a second delete with a shorter grace period cuts it short,
        // as kubelet does (the API server keeps the shorter deletionGracePeriodSeconds).
        String cutId = pod("cut").at("/status/containerStatuses/0/containerID").asText().replace("crun://", "");
        ok(kubectl("delete", "pod", "cut", "--wait=false"));
        assertThat(kubectl("get", "pod", "cut", "--no-headers").out()).containsPattern("cut\\s+1/1\\s+Terminating\\s+0");
        assertThat(kubectl("get", "pod", "cut", "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}").out()).isEqualTo("30");
        start = System.nanoTime();
        ok(kubectl("delete", "pod", "cut", "--grace-period=2", "--timeout=60s"));
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("cut to 2 s, not the 30 s").isLessThan(15);
        awaitContainerGone(cutId);

        // wait --for=delete follows a deletion kubectl did not wait for.
        ok(kubectl("delete", "pod", "watched", "--wait=false"));
        var gone = kubectl("wait", "--for=delete", "pod/watched", "--timeout=60s");
        ok(gone);
        assertThat(gone.out()).isEqualTo("pod/watched condition met\n");
        assertThat(kubectl("get", "pods", "-l", "group=doomed").err()).contains("No resources found in default namespace.");
    }

    @Test
    void aRunningTwoContainerPodThroughLogsGetDescribeCpAndMetadataVerbs() throws Exception {
        ok(kubectl("create", "-f", file("chatty.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: chatty, labels: {app: chatty, tier: back}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "echo early; trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done"]
                  - name: side
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    command: ["sh", "-c", "echo side says hi; trap 'exit 0' TERM; while :; do sleep 0.1; done"]
                """).toString()));
        var running = kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod/chatty", "--timeout=90s");
        ok(running);
        assertThat(running.out()).isEqualTo("pod/chatty condition met\n");
        JsonNode o = ready("chatty");
        String ip = o.at("/status/podIP").asText();

        // logs -c, --all-containers, --prefix.
        var side = kubectl("logs", "chatty", "-c", "side");
        ok(side);
        assertThat(side.out()).isEqualTo("side says hi\n");
        assertThat(kubectl("logs", "chatty").err()).contains("Defaulted container \"app\" out of: app, side");
        var all = kubectl("logs", "chatty", "--all-containers", "--prefix");
        ok(all);
        // kubectl fetches the containers' logs one after the other, in an order it does not promise (CI saw side
        // first): each container's lines in their order, prefixed.
        var appLines = all.out().lines().filter(l -> l.startsWith("[pod/chatty/app] ")).toList();
        assertThat(appLines).startsWith("[pod/chatty/app] early", "[pod/chatty/app] tick 1");
        assertThat(all.out().lines().filter(l -> !l.startsWith("[pod/chatty/app] "))).containsExactly("[pod/chatty/side] side says hi");

        // logs -f on a container that keeps writing: new lines arrive as they are written.
        try (var follow = Streaming.start("logs", "-f", "chatty", "-c", "app")) {
            List<String> first = follow.until(l -> l.startsWith("tick "));
            assertThat(first.getFirst()).isEqualTo("early");
            int n = Integer.parseInt(first.getLast().substring(5));
            // Two more ticks than were logged when it started: it follows rather than dumping and exiting.
            String lastWanted = "tick " + (Integer.parseInt(kubectl("logs", "chatty", "-c", "app", "--tail=1").out().strip().substring(5)) + 2);
            List<String> more = follow.until(lastWanted::equals);
            assertThat(more).isNotEmpty();
            assertThat(n).isPositive();
            assertThat(follow.process().isAlive()).isTrue();
        }
        // --since: only the recent lines. Once 15 ticks (3 s) are logged, "early" is older than 1 s.
        poll(20, last -> last.matches("tick \\d+") && Integer.parseInt(last.substring(5)) >= 15,
                () -> kubectl("logs", "chatty", "-c", "app", "--tail=1").out().strip());
        var since = kubectl("logs", "chatty", "-c", "app", "--since=1s");
        ok(since);
        assertThat(since.out()).doesNotContain("early").contains("tick ");
        assertThat(since.out().lines().count()).isBetween(1L, 8L);

        // get's output flags.
        assertThat(kubectl("get", "pod", "chatty", "-o", "jsonpath={.spec.containers[*].name} {.status.podIP}").out()).isEqualTo("app side " + ip);
        var columns = kubectl("get", "pod", "chatty", "-o", "custom-columns=NAME:.metadata.name,IP:.status.podIP,NODE:.spec.nodeName");
        ok(columns);
        assertThat(columns.out().lines().toList()).hasSize(2);
        assertThat(columns.out().lines().toList().get(0)).matches("NAME\\s+IP\\s+NODE");
        assertThat(columns.out().lines().toList().get(1)).matches("chatty\\s+" + java.util.regex.Pattern.quote(ip) + "\\s+e2e-node");
        var labels = kubectl("get", "pod", "chatty", "--show-labels");
        assertThat(labels.out().lines().toList().get(0)).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+LABELS");
        assertThat(labels.out().lines().toList().get(1)).matches("chatty\\s+2/2\\s+Running\\s+0\\s+\\d+s\\s+app=chatty,tier=back");
        var column = kubectl("get", "pod", "chatty", "-L", "tier", "-L", "missing");
        assertThat(column.out().lines().toList().get(0)).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+TIER\\s+MISSING");
        assertThat(column.out().lines().toList().get(1)).matches("chatty\\s+2/2\\s+Running\\s+0\\s+\\d+s\\s+back\\s*");

        // annotate --overwrite, label removal, JSON patch.
        ok(kubectl("annotate", "pod", "chatty", "note=one"));
        var clash = kubectl("annotate", "pod", "chatty", "note=two");
        assertThat(clash.exit()).isNotZero();
        assertThat(clash.err()).contains("--overwrite is false but found the following declared annotation(s): 'note' already has a value (one)");
        ok(kubectl("annotate", "pod", "chatty", "note=two", "--overwrite"));
        assertThat(kubectl("get", "pod", "chatty", "-o", "jsonpath={.metadata.annotations.note}").out()).isEqualTo("two");
        var removed = kubectl("label", "pod", "chatty", "tier-");
        ok(removed);
        assertThat(removed.out()).isEqualTo("pod/chatty unlabeled\n");
        assertThat(kubectl("get", "pod", "chatty", "-o", "jsonpath={.metadata.labels}").out()).isEqualTo("{\"app\":\"chatty\"}");
        var patched = kubectl("patch", "pod", "chatty", "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/patched\",\"value\":\"yes\"},{\"op\":\"remove\",\"path\":\"/metadata/annotations/note\"}]");
        ok(patched);
        assertThat(patched.out()).isEqualTo("pod/chatty patched\n");
        JsonNode p = pod("chatty");
        assertThat(p.at("/metadata/labels/patched").asText()).isEqualTo("yes");
        assertThat(p.at("/metadata/annotations/note").isMissingNode()).isTrue();
        var badTest = kubectl("patch", "pod", "chatty", "--type=json", "-p", "[{\"op\":\"test\",\"path\":\"/metadata/labels/app\",\"value\":\"other\"}]");
        assertThat(badTest.exit()).isNotZero();
        assertThat(p.at("/status/containerStatuses/0/restartCount").asInt()).isZero();

        // describe: node, IP, conditions, containers and the pod's events.
        var described = kubectl("describe", "pod", "chatty");
        ok(described);
        assertThat(described.out()).containsPattern("Node:\\s+e2e-node/\\d+\\.\\d+\\.\\d+\\.\\d+")
                .containsPattern("Status:\\s+Running").containsPattern("(?m)^IP:\\s+" + java.util.regex.Pattern.quote(ip))
                .contains("Conditions:").containsPattern("Ready\\s+True").containsPattern("ContainersReady\\s+True")
                .containsPattern("Container ID:\\s+crun://").contains("Events:")
                .containsPattern("Normal\\s+Scheduled\\s+.*default-scheduler\\s+Successfully assigned default/chatty to e2e-node")
                .containsPattern("Normal\\s+Pulled\\s+.*Container image \"peapod/busybox:latest\" already present on machine")
                .containsPattern("Normal\\s+Created\\s+.*Created container(: | )app")
                .containsPattern("Normal\\s+Started\\s+.*Started container(: | )side");

        // In the order they happened (describe keeps the server's order within a second).
        String ev = described.out().substring(described.out().indexOf("Events:"));
        assertThat(ev.indexOf("Scheduled")).isLessThan(ev.indexOf("Pulled"));
        assertThat(ev.indexOf("Pulled")).isLessThan(ev.indexOf("Created container"));
        assertThat(ev.indexOf("Created container app")).isLessThan(ev.indexOf("Started container app"));
        assertThat(ev.indexOf("Created container side")).isLessThan(ev.indexOf("Started container side"));

        // cp: kubectl runs tar in the container over exec, both ways.
        Path local = file("to-pod.txt", "copied in\n");
        var in = kubectl("cp", local.toString(), "chatty:/tmp/in.txt", "-c", "side");
        ok(in);
        assertThat(kubectl("exec", "chatty", "-c", "side", "--", "cat", "/tmp/in.txt").out()).isEqualTo("copied in\n");
        ok(kubectl("exec", "chatty", "-c", "side", "--", "sh", "-c", "mkdir -p /tmp/d && echo a > /tmp/d/a && echo b > /tmp/d/b"));
        Path back = dir.resolve("from-pod");
        var out = kubectl("cp", "chatty:/tmp/d", back.toString(), "-c", "side");
        ok(out);
        assertThat(Files.readString(back.resolve("a"))).isEqualTo("a\n");
        assertThat(Files.readString(back.resolve("b"))).isEqualTo("b\n");

        ok(kubectl("delete", "pod", "chatty", "--timeout=60s"));
    }

    static final String STATUS_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s, labels: {group: status}}
            spec:
              restartPolicy: %s
              terminationGracePeriodSeconds: 1
              %s
              containers:
              - name: app
                image: %s
                imagePullPolicy: Never
                command: ["sh", "-c", "%s"]
            ---
            """;

    @Test
    void theStatusColumnFollowsRealPodsThroughInitCrashesFailuresAndMissingImages() throws Exception {
        String busybox = "peapod/busybox:latest", forever = "trap 'exit 0' TERM; while :; do sleep 0.1; done";
        String slowInits = """
                initContainers:
                  - {name: first, image: peapod/busybox:latest, imagePullPolicy: Never, command: [sleep, "2"]}
                  - {name: second, image: peapod/busybox:latest, imagePullPolicy: Never, command: [sleep, "2"]}""";
        // A postStart hook holds the status as it was before the container started (kubelet's syncPod waits for it):
        // PodInitializing after the init containers, ContainerCreating without any.
        String slowStart = "imagePullPolicy: Never\n    lifecycle: {postStart: {exec: {command: [sleep, '1']}}}";
        try (var watch = Streaming.start("get", "pods", "-l", "stage=init", "-w", "--output-watch-events")) {
            ok(kubectl("create", "-f", file("init.yaml", STATUS_POD.formatted("init", "Always", slowInits, busybox, forever)
                    .replace("group: status", "group: status, stage: init").replace("imagePullPolicy: Never\n    command", slowStart + "\n    command")).toString()));
            List<String> lines = watch.until(l -> l.matches("MODIFIED\\s+init\\s+1/1\\s+Running\\s+0\\s+.*"));
            var statuses = lines.stream().skip(1).map(l -> l.split("\\s+")[3]).distinct().toList();
            assertThat(lines.getFirst()).matches("EVENT\\s+NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
            assertThat(lines.get(1)).matches("ADDED\\s+init\\s+0/1\\s+(Pending|Init:0/2)\\s+0\\s+\\d+s");
            assertThat(statuses).as(lines.toString()).containsSubsequence("Init:0/2", "Init:1/2", "PodInitializing", "Running");
            record("init");
            ok(kubectl("delete", "pod", "init", "--wait=false"));
            List<String> deleted = watch.until(l -> l.startsWith("DELETED"));
            assertThat(deleted).anyMatch(l -> l.matches("MODIFIED\\s+init\\s+\\d/1\\s+Terminating\\s+.*"));
        }

        try (var watch = Streaming.start("get", "pods", "-l", "stage=plain", "-w")) {
            ok(kubectl("create", "-f", file("plain.yaml", STATUS_POD.formatted("plain", "Always", "", busybox, forever)
                    .replace("group: status", "group: status, stage: plain").replace("imagePullPolicy: Never\n    command", slowStart + "\n    command")).toString()));
            List<String> lines = watch.until(l -> l.matches("plain\\s+1/1\\s+Running\\s+0\\s+.*"));
            assertThat(lines.stream().skip(1).map(l -> l.split("\\s+")[2]).distinct().toList()).as(lines.toString())
                    .containsSubsequence("ContainerCreating", "Running");
            record("plain");
        }

        ok(kubectl("create", "-f", file("status.yaml",
                STATUS_POD.formatted("crash", "Always", "", busybox, "echo boom; exit 1")
                        + STATUS_POD.formatted("error", "Never", "", busybox, "exit 3")
                        + STATUS_POD.formatted("done", "OnFailure", "", busybox, "true")
                        + STATUS_POD.formatted("absent", "Always", "", "peapod/absent:1", "true")
                        + STATUS_POD.formatted("initcrash", "Always",
                                "initContainers: [{name: setup, image: peapod/busybox:latest, imagePullPolicy: Never, command: [sh, -c, 'exit 2']}]",
                                busybox, "true")).toString()));
        for (String name : List.of("crash", "error", "done", "absent", "initcrash")) record(name);
        poll(60, "CrashLoopBackOff"::equals, () -> status("crash"));
        poll(60, "Error"::equals, () -> status("error"));
        poll(60, "Completed"::equals, () -> status("done"));
        poll(60, "ErrImageNeverPull"::equals, () -> status("absent"));
        poll(60, "Init:CrashLoopBackOff"::equals, () -> status("initcrash"));
        assertThat(pod("absent").at("/status/containerStatuses/0/state/waiting/message").asText())
                .isEqualTo("Container image \"peapod/absent:1\" is not present with pull policy of Never");
        assertThat(kubectl("get", "pod", "crash", "--no-headers").out()).containsPattern("crash\\s+0/1\\s+CrashLoopBackOff\\s+[1-9]\\d* \\(\\d+s ago\\)");
        var crashed = pod("crash");
        assertThat(crashed.at("/status/containerStatuses/0/state/waiting/message").asText()).startsWith("back-off ");
        assertThat(crashed.at("/status/containerStatuses/0/lastState/terminated/exitCode").asInt()).isEqualTo(1);
        var previous = kubectl("logs", "crash", "--previous");
        ok(previous);
        assertThat(previous.out()).isEqualTo("boom\n");
        var described = kubectl("describe", "pod", "crash");
        ok(described);
        assertThat(described.out()).containsPattern("State:\\s+Waiting\\s+Reason:\\s+CrashLoopBackOff")
                .containsPattern("Last State:\\s+Terminated\\s+Reason:\\s+Error\\s+Exit Code:\\s+1")
                .containsPattern("Warning\\s+BackOff\\s+.*Back-off restarting failed container app in pod crash_default");
        assertThat(kubectl("describe", "pod", "absent").out())
                .containsPattern("Warning\\s+ErrImageNeverPull\\s+.*Container image \"peapod/absent:1\" is not present with pull policy of Never");

        // --sort-by sorts the server's table rows by a field of their objects.
        var sorted = kubectl("get", "pods", "-l", "group=status", "--sort-by=.metadata.name", "-o", "name");
        ok(sorted);
        assertThat(sorted.out().lines().toList()).containsExactly("pod/absent", "pod/crash", "pod/done", "pod/error", "pod/initcrash", "pod/plain");
        var table = kubectl("get", "pods", "-l", "group=status", "--sort-by={.spec.restartPolicy}", "--no-headers");
        ok(table);
        assertThat(table.out().lines().map(l -> l.split("\\s+")[0]).toList().getFirst()).isIn("absent", "crash", "initcrash", "plain");
        assertThat(table.out().lines().map(l -> l.split("\\s+")[0]).toList().getLast()).isEqualTo("done");

        ok(kubectl("delete", "pods", "-l", "group=status", "--timeout=60s"));
    }

    @Test
    void configMapsAndSecretsCreatedFromFilesAreMountedIntoAPod() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("app.properties"), "color=blue\n");
        Files.writeString(conf.resolve("motd"), "hello\nworld\n");
        var cm = kubectl("create", "configmap", "files", "--from-file=" + conf + "/");
        ok(cm);
        assertThat(cm.out()).isEqualTo("configmap/files created\n");
        Path password = file("password.txt", "s3cret");
        var secret = kubectl("create", "secret", "generic", "creds", "--from-file=" + password, "--from-file=user=" + file("u", "admin"));
        ok(secret);
        assertThat(secret.out()).isEqualTo("secret/creds created\n");
        assertThat(kubectl("get", "secret", "creds", "-o", "jsonpath={.data.password\\.txt} {.data.user}").out()).isEqualTo("czNjcmV0 YWRtaW4=");
        assertThat(kubectl("get", "configmap", "files", "--no-headers").out()).matches("files\\s+2\\s+\\d+s\n");

        ok(kubectl("create", "-f", file("reader.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: reader}
                spec:
                  restartPolicy: Never
                  volumes:
                  - {name: conf, configMap: {name: files}}
                  - {name: creds, secret: {secretName: creds}}
                  containers:
                  - name: app
                    image: peapod/busybox:latest
                    imagePullPolicy: Never
                    volumeMounts: [{name: conf, mountPath: /etc/app}, {name: creds, mountPath: /creds}]
                    command: ["sh", "-c", "cat /etc/app/app.properties /etc/app/motd; echo $(cat /creds/user):$(cat /creds/password.txt)"]
                """).toString()));
        ok(kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/reader", "--timeout=90s"));
        record("reader");
        assertThat(kubectl("logs", "reader").out()).isEqualTo("color=blue\nhello\nworld\nadmin:s3cret\n");
        ok(kubectl("delete", "pod", "reader", "--timeout=60s"));
        ok(kubectl("delete", "configmap", "files"));
        ok(kubectl("delete", "secret", "creds"));
    }

    /** Waits until the runtime no longer lists the container (crun list). */
    static void awaitContainerGone(String id) throws Exception {
        var config = ServeE2eTest.config;
        String root = config.runDir().resolve(config.runtime()).toString();
        poll(20, listed -> !listed.contains(id), () -> {
            var crun = new ProcessBuilder(config.runtime(), "--root", root, "list", "-q").start();
            String out = new String(crun.getInputStream().readAllBytes());
            crun.waitFor();
            return out;
        });
    }

    static Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    static void ok(ServeE2eTest.Run r) throws Exception {
        assertThat(r.exit()).as(r.err() + log()).isZero();
    }

    /** Records a pod (uid, IP) for the leak check. */
    static JsonNode record(String name) throws Exception {
        JsonNode o = JSON.readTree(kubectl("get", "pod", name, "-o", "json").out());
        ServeE2eTest.ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText(null)).build()).build());
        return o;
    }

    static JsonNode ready(String name) throws Exception {
        ok(kubectl("wait", "--for=condition=Ready", "pod/" + name, "--timeout=90s"));
        return record(name);
    }

    static JsonNode pod(String name) throws Exception {
        return JSON.readTree(kubectl("get", "pod", name, "-o", "json").out());
    }

    /** Polls {@code what} (a kubectl call's output) until it matches, up to {@code seconds}. */
    static String poll(int seconds, Predicate<String> until, java.util.concurrent.Callable<String> what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last;
        do {
            last = what.call();
            if (until.test(last)) return last;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("still not as expected after " + seconds + " s:\n" + last + log());
    }

    static String status(String name) throws Exception {
        var lines = kubectl("get", "pod", name, "--no-headers").out().strip().split("\\s+");
        return lines.length > 2 ? lines[2] : String.join(" ", lines);
    }

    /** A kubectl that keeps running (-f, -w): its output lines as they come. */
    record Streaming(Process process, BufferedReader lines) implements AutoCloseable {
        static Streaming start(String... args) throws Exception {
            var cmd = new ArrayList<>(List.of(KUBECTL, "--kubeconfig", ServeE2eTest.kubeconfig.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new Streaming(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        }

        /** Lines until one matches {@code last} (inclusive); fails after 60 s. */
        List<String> until(Predicate<String> last) throws Exception {
            var got = new ArrayList<String>();
            var reader = Thread.ofVirtual().start(() -> {
                try {
                    for (String l; (l = lines.readLine()) != null; ) {
                        synchronized (got) { got.add(l); }
                        if (last.test(l)) return;
                    }
                } catch (java.io.IOException ignored) {
                    // the process was stopped
                }
            });
            if (!reader.join(java.time.Duration.ofSeconds(60))) {
                process.destroy();
                synchronized (got) { throw new AssertionError("no matching line in 60 s; got " + got + log()); }
            }
            synchronized (got) {
                assertThat(got).as("the stream ended before a matching line").isNotEmpty().last().matches(last);
                return List.copyOf(got);
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
