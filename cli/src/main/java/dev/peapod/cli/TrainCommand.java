package dev.peapod.cli;

import dev.peapod.api.ManifestException;
import dev.peapod.api.Manifests;
import dev.peapod.api.PodDefaults;
import dev.peapod.api.PodValidator;
import dev.peapod.image.Image;
import dev.peapod.image.ImageConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code peapod __train} (hidden): the workload the launcher records the JDK AOT cache from
 * ({@code -XX:AOTCacheOutput}, JEP 483/514/515). It exercises what every real run loads — the
 * manifest codec, defaulting and validation over a multi-container Pod, and the picocli command
 * tree with its help, version, table and error paths — and touches nothing outside the process:
 * images come from an in-memory store and all output is discarded.
 *
 * <p>With {@code --pod DATA_DIR} (the launcher passes it when it runs as root) it then also runs a
 * real short-lived pod through {@code peapod up} on that data dir, which must hold the example
 * image: a cold {@code up} spends most of its time loading and first-running the engine's start
 * path (host preflight, CNI, crun and conmon, mounts, FFM), and an AOT cache covers only what the
 * training run did (measured: ~690 ms → ~580 ms from exec to a 3-container pod running). The pod
 * is removed again like any other; a failure fails the training, and the launcher then records
 * the cache without it.
 */
final class TrainCommand implements Callable<Integer> {
    static final String NAME = "__train";
    private static final int ROUNDS = 3;

    private static final List<List<String>> CLI_RUNS = List.of(
            List.of("--version"), List.of("--help"), List.of("image", "--help"), List.of("up", "--help"),
            List.of("image", "ls"), List.of("image", "ls", "-q", "--data-dir", "/nonexistent"),
            List.of("image", "ls", "--no-sense"), List.of("no-such-command"), List.of());

    final CommandSpec spec = Specs.command(this, NAME, "Exercise the CLI for the AOT cache; no side effects.");

    TrainCommand() {
        spec.usageMessage().hidden(true);
        spec.addOption(picocli.CommandLine.Model.OptionSpec.builder("--pod").type(Path.class).paramLabel("DATA_DIR")
                .description("Also run a real pod with `up` on DATA_DIR (needs root and the example image there).").build());
    }

    @Override
    public Integer call() {
        Path podDataDir = Specs.value(spec, "--pod");
        String manifest = resource("train-pod.yaml");
        int objects = 0;
        int problems = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (HasMetadata o : Manifests.parse(manifest, "train-pod.yaml")) {
                objects++;
                if (o instanceof Pod pod) {
                    PodDefaults.apply(pod);
                    problems += PodValidator.validate(pod).size();
                    Manifests.parse(Manifests.toJson(pod), "train-pod.json");
                }
            }
            parseBrokenManifest();
            runCommandTree();
            dev.peapod.node.Warmup.run(new StaticImages(sampleImages()),
                    new dev.peapod.node.spec.HostFacts(20000, 96365, 1L << 34, false, false, 0));
        }
        var out = spec.commandLine().getOut();
        if (podDataDir != null) {
            int code = runPod(podDataDir);
            if (code != Main.OK) {
                out.println("training pod failed: peapod up exited " + code);
                out.flush();
                return code;
            }
        }
        out.println("trained: " + objects + " objects parsed, " + problems + " validation errors, "
                + ROUNDS * CLI_RUNS.size() + " command lines run");
        out.flush();
        return Main.OK;
    }

    /** Runs the training pod with the real {@code up} command on {@code podDataDir}. */
    private static int runPod(Path podDataDir) {
        Path manifest;
        try {
            manifest = Files.createTempFile("peapod-train-", ".yaml");
            Files.writeString(manifest, resource("train-up.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException("failed to write the training pod: " + e.getMessage(), e);
        }
        try {
            String[] args = {"up", "--no-color", "--timeout", "60s", "--data-dir", podDataDir.toString(), manifest.toString()};
            return Main.commandLine(CliContext.host(), args).execute(args);
        } finally {
            try {
                Files.deleteIfExists(manifest);
            } catch (IOException ignored) {
                // a temp file left in /tmp is harmless
            }
        }
    }

    /** Users' typos are a common path: the codec's error reporting is worth having in the cache too. */
    private static void parseBrokenManifest() {
        try {
            Manifests.parse("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [\n", "broken.yaml");
        } catch (ManifestException expected) {
            // the point was to run the error path
        }
    }

    private static void runCommandTree() {
        var sink = new PrintWriter(Writer.nullWriter());
        var context = new CliContext(dataDir -> new StaticImages(sampleImages()));
        for (List<String> args : CLI_RUNS) {
            var cli = Main.commandLine(context, args.toArray(String[]::new));
            cli.setOut(sink);
            cli.setErr(sink);
            cli.execute(args.toArray(String[]::new));
        }
    }

    private static List<Image> sampleImages() {
        var config = new ImageConfig(List.of(), List.of("sh"), List.of("PATH=/bin"), "/", "0", null);
        return List.of(
                new Image("sha256:" + "ab".repeat(32), List.of("docker.io/peapod/busybox:latest"), config,
                        List.of("sha256:" + "cd".repeat(32)), 2_162_688),
                new Image("sha256:" + "ef".repeat(32), List.of(), config, List.of(), 4_262_000));
    }

    private static String resource(String name) {
        try (InputStream in = TrainCommand.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("failed to read training manifest " + name + ": not in the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read training manifest " + name + ": " + e.getMessage(), e);
        }
    }
}
