package dev.peapod.e2e;

import dev.peapod.node.NodeConfig;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code peapod serve} as an e2e test class runs it: on its own data dir (test image loaded, store
 * emptied), with the kubeconfig it writes, and the real kubectl against it. One per test class.
 * The restart tests stop it (SIGTERM, which leaves the pods running) or kill it, and start it
 * again on the same directories, its store kept.
 */
final class ServeDaemon {
    final NodeConfig config;
    final Path dir;
    final Path log;
    final Path kubeconfig;
    private final String data;
    private Process process;

    private ServeDaemon(String data, NodeConfig config, Path dir, Path log, Path kubeconfig) {
        this.data = data;
        this.config = config;
        this.dir = dir;
        this.log = log;
        this.kubeconfig = kubeconfig;
    }

    /** Starts serve on {@code data} (a fresh store: objects of an earlier run would clash); {@code dir} holds its log. */
    static ServeDaemon start(String data, Path dir) throws Exception {
        assertThat(Path.of(ServeE2eTest.KUBECTL)).as("kubectl v1.32 is needed at " + ServeE2eTest.KUBECTL).exists();
        var load = UpCommandE2eTest.peapod(List.of("image", "load", "--data-dir", data, Harness.testImage().toString()), 120);
        assertThat(load.exit()).as(load.err()).isZero();
        var config = NodeConfig.defaults(Path.of(data)).withCniConfigDir(Harness.defaultConfig().cniConfigDir());
        Path store = Path.of(data, "store");
        if (Files.exists(store)) {
            try (var files = Files.walk(store)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        var serve = new ServeDaemon(data, config, dir, dir.resolve("serve.log"), Path.of(data, "kubeconfig"));
        serve.restart();
        return serve;
    }

    /** Starts serve (again) on the same directories; returns once it has written its kubeconfig. */
    void restart() throws Exception {
        Files.deleteIfExists(kubeconfig);
        var p = new ProcessBuilder(Harness.REPO.resolve("peapod").toString(), "serve", "--data-dir", data, "--port", "0",
                "--cni-config-dir", config.cniConfigDir().toString(), "--node-name", "e2e-node")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // the launcher may rebuild first
        while (!Files.exists(kubeconfig)) {
            assertThat(p.isAlive()).as("peapod serve exited:\n" + output()).isTrue();
            assertThat(System.nanoTime()).as("no kubeconfig after 180 s:\n" + output()).isLessThan(deadline);
            Thread.sleep(50);
        }
        process = p;
    }

    /**
     * The end of a test class: pods still there are deleted (SIGTERM leaves pods running, as
     * stopping kubelet does), then SIGTERM, a clean exit, and nothing of {@code ran} left on the host.
     */
    void stop(List<Pod> ran) throws Exception {
        if (running()) kubectl("delete", "pods", "--all", "--all-namespaces", "--timeout=60s");
        terminate();
        LeakCheck.assertNothingLeft(config, ran);
    }

    /** SIGTERM, as systemd or Ctrl-C stops serve: it exits cleanly on its own; its pods run on. */
    void terminate() throws Exception {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("serve stops on SIGTERM:\n" + output()).isTrue();
        assertThat(process.exitValue()).as(output()).isZero();
    }

    /** kill -9: the JVM alone (the launcher execs it). */
    void kill() throws Exception {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    boolean running() { return process != null && process.isAlive(); }

    /** What serve printed so far, every start of it. */
    String output() throws java.io.IOException { return Files.readString(log); }

    /** The serve JVM's pid (the launcher execs java), to look at what it holds. */
    long pid() { return process.pid(); }

    ServeE2eTest.Run kubectl(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(ServeE2eTest.KUBECTL, "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ""), err = Files.createTempFile(dir, "err", "");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + List.of(args) + " hung; serve log:\n" + output());
        }
        return new ServeE2eTest.Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
