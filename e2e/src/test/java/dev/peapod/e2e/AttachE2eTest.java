package dev.peapod.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.peapod.e2e.ServeE2eTest.KUBECTL;
import static dev.peapod.e2e.ServeE2eTest.kubectl;
import static dev.peapod.e2e.ServeE2eTest.log;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kubectl attach} (and {@code kubectl run -i}, which attaches after the create) against
 * {@code peapod serve}: containers with Kubernetes' {@code stdin}, {@code stdinOnce} and
 * {@code tty}, on real crun and conmon. Uses {@link ServeE2eTest}'s serve and kubectl helpers;
 * the leak check runs when serve stops.
 */
class AttachE2eTest extends SharedServe {

    /** Creates the pod, waits until its container runs, and remembers it for the leak check. */
    private static void run(String name, String containerYaml) throws Exception {
        Path pod = Files.writeString(dir.resolve(name + ".yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  restartPolicy: Never
                  terminationGracePeriodSeconds: 1
                  containers:
                  - %s
                """.formatted(name, containerYaml));
        var created = kubectl("create", "-f", pod.toString());
        assertThat(created.exit()).as(created.err()).isZero();
        var ready = kubectl("wait", "--for=condition=Ready", "pod/" + name, "--timeout=90s");
        assertThat(ready.exit()).as(ready.err() + log()).isZero();
        remember(name);
    }

    private static void remember(String name) throws Exception {
        JsonNode o = ServeE2eTest.JSON.readTree(kubectl("get", "pod", name, "-o", "json").out());
        ServeE2eTest.ran.add(new PodBuilder().withNewMetadata().withUid(o.at("/metadata/uid").asText()).endMetadata()
                .withStatus(new PodStatusBuilder().withPodIP(o.at("/status/podIP").asText()).build()).build());
    }

    private static Process attach(String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of(KUBECTL, "--kubeconfig", ServeE2eTest.kubeconfig.toString(), "attach"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Reads {@code in} until it holds {@code text} (20 s at most); what was read. */
    private static String readUntil(InputStream in, String text) throws Exception {
        var seen = new ByteArrayOutputStream();
        var reader = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[4096];
            try {
                for (int n; !seen.toString(StandardCharsets.UTF_8).contains(text) && (n = in.read(buf)) > 0; ) {
                    synchronized (seen) {
                        seen.write(buf, 0, n);
                    }
                }
            } catch (java.io.IOException e) {
                // kubectl went away
            }
        });
        reader.join(java.time.Duration.ofSeconds(20));
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void stdinReachesTheContainerAndStaysOpenAcrossAttaches() throws Exception {
        run("echo", "{name: app, image: peapod/busybox:latest, imagePullPolicy: Never, stdin: true, command: [cat]}");

        Process first = attach("-i", "echo", "-c", "app");
        first.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
        first.getOutputStream().flush();
        assertThat(readUntil(first.getInputStream(), "hello\n")).as(log()).isEqualTo("hello\n");
        first.destroy(); // detaches: the container runs on, its stdin open (not stdinOnce)
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // Two clients at once: one only watching (no -i), one typing; both see the output.
        Process watching = attach("echo", "-c", "app");
        var watched = new StringBuffer();
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = watching.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) watched.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                // kubectl went away
            }
        });
        Process second = attach("-i", "echo", "-c", "app");
        // kubectl attach has no "attached" signal: type a line at a time until the watching client shows one
        // (a fixed pause was enough on a quiet machine only).
        long typing = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            second.getOutputStream().write("again\n".getBytes(StandardCharsets.UTF_8));
            second.getOutputStream().flush();
            Thread.sleep(300);
        } while (!watched.toString().contains("again\n") && System.nanoTime() < typing);
        second.getOutputStream().close(); // kubectl's stdin ends: the container's does not
        assertThat(readUntil(second.getInputStream(), "again\n")).as(log()).startsWith("again\n");
        assertThat(watched.toString()).as(log()).startsWith("again\n");
        for (Process p : List.of(second, watching)) {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        var status = ServeE2eTest.JSON.readTree(kubectl("get", "pod", "echo", "-o", "json").out()).at("/status/containerStatuses/0");
        assertThat(status.at("/state/running").isObject()).as(status.toString()).isTrue();
        assertThat(status.path("restartCount").asInt()).isZero();
        // conmon wrote the log while clients were attached.
        assertThat(kubectl("logs", "echo").out()).matches("hello\n(again\n)+");
        assertThat(kubectl("delete", "pod", "echo", "--timeout=60s").exit()).isZero();
    }

    @Test
    void stdinOnceEndsTheContainersStdinWithTheFirstAttach() throws Exception {
        run("once", "{name: app, image: peapod/busybox:latest, imagePullPolicy: Never, stdin: true, stdinOnce: true,"
                + " command: [sh, -c, 'cat; echo stdin-closed']}");
        java.io.File input = Files.writeString(dir.resolve("once-in"), "one\ntwo\n").toFile();
        var r = ServeE2eTest.kubectlWithInput(ServeE2eTest.kubeconfig, input, "attach", "-i", "once", "-c", "app");
        // The end of kubectl's stdin closes the container's: cat ends, the container exits, attach ends with it.
        assertThat(r.exit()).as(r.err() + log()).isZero();
        assertThat(r.out()).isEqualTo("one\ntwo\nstdin-closed\n");
        var done = kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/once", "--timeout=60s");
        assertThat(done.exit()).as(done.err()).isZero();
        assertThat(kubectl("delete", "pod", "once", "--timeout=60s").exit()).isZero();
    }

    @Test
    void kubectlRunDashIAttachesAfterTheCreate() throws Exception {
        java.io.File input = Files.writeString(dir.resolve("run-in"), "echo ran-$((6*7))\n").toFile();
        var r = ServeE2eTest.kubectlWithInput(ServeE2eTest.kubeconfig, input, "run", "ran", "--image=peapod/busybox:latest",
                "--image-pull-policy=Never", "--restart=Never", "-i", "--rm", "--", "sh");
        assertThat(r.exit()).as(r.out() + r.err() + log()).isZero();
        assertThat(r.out() + r.err()).contains("ran-42").contains("pod \"ran\" deleted");
        assertThat(kubectl("get", "pod", "ran").exit()).isNotZero();
    }

    @Test
    void kubectlRunDashItGivesTheShellKubectlsTerminal() throws Exception {
        java.io.File typed = Files.writeString(dir.resolve("run-typed"), "tty; echo it-$((6*7))\nexit\n").toFile();
        var run = new ProcessBuilder("script", "-qec", KUBECTL + " --kubeconfig " + ServeE2eTest.kubeconfig
                + " run runit --image=peapod/busybox:latest --image-pull-policy=Never --restart=Never -it --rm -- sh", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(typed)).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out + log()).containsPattern("/dev/pts/\\d+").contains("it-42").contains("pod \"runit\" deleted");
        assertThat(kubectl("get", "pod", "runit").exit()).isNotZero();
    }

    @Test
    void aTtyContainerTakesKubectlsTerminalAndItsSize() throws Exception {
        run("term", "{name: app, image: peapod/busybox:latest, imagePullPolicy: Never, stdin: true, tty: true, command: [sh]}");
        // script(1) gives kubectl a terminal of 100x30; typed lines reach the shell, which exits with the last.
        java.io.File typed = Files.writeString(dir.resolve("typed"), "sleep 1; stty size; echo $TERM tty-$((6*7))\nexit 7\n").toFile();
        var shell = new ProcessBuilder("script", "-qec", "stty cols 100 rows 30; " + KUBECTL + " --kubeconfig "
                + ServeE2eTest.kubeconfig + " attach -it term -c app", "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(typed)).redirectErrorStream(true).start();
        String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out + log()).contains("30 100\r\n").contains("xterm tty-42");
        var done = kubectl("wait", "--for=jsonpath={.status.phase}=Failed", "pod/term", "--timeout=60s");
        assertThat(done.exit()).as(done.err()).isZero();
        assertThat(kubectl("get", "pod", "term", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}").out())
                .isEqualTo("7");
        assertThat(kubectl("delete", "pod", "term", "--timeout=60s").exit()).isZero();
    }
}
