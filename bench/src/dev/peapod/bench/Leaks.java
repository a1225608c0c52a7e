package dev.peapod.bench;

import dev.peapod.node.NodeConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a run may leave behind, on both sides: Peapod's mounts, conmon processes, runtime
 * containers and pod directories under the bench's data and run dirs; podman's bench-* pods and
 * its conmon processes. Also the wait for quiet between samples.
 */
final class Leaks {
    private static final String PODMAN_STORAGE = "/var/lib/containers/storage";

    private Leaks() {}

    /** Everything left behind, one description per item; empty when clean. */
    static List<String> find(NodeConfig config) throws IOException {
        var found = new ArrayList<>(peapod(config));
        Podman.leftovers().forEach(p -> found.add("podman pod " + p));
        return found;
    }

    /** What Peapod left behind (mounts, monitors, runtime containers, pod directories); empty when clean. */
    static List<String> peapod(NodeConfig config) throws IOException {
        var found = new ArrayList<String>();
        String run = config.runDir().toString();
        String pods = config.dataDir().resolve("pods").toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && (f[4].startsWith(run + "/") || f[4].startsWith(pods + "/"))) found.add("mount " + f[4]);
        }
        monitors(config).forEach(p -> found.add("process " + p.pid() + " " + p.info().commandLine().orElse("")));
        Path crunRoot = config.runDir().resolve(config.runtime());
        if (Files.isDirectory(crunRoot)) {
            var r = Procs.run(Duration.ofSeconds(30), config.runtime(), "--root", crunRoot.toString(), "list", "-q");
            r.output().lines().filter(l -> !l.isBlank()).forEach(id -> found.add(config.runtime() + " container " + id));
        }
        for (Path dir : List.of(config.dataDir().resolve("pods"), config.runDir().resolve("pods"))) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(p -> found.add("pod directory " + p));
            }
        }
        return found;
    }

    /**
     * Waits (up to {@code max}) until neither side has a monitor or podman process running, so that
     * one side's teardown (podman's conmon runs {@code podman container cleanup} after a container
     * exits) does not run during the other side's timed start.
     */
    static void settle(NodeConfig config, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && !monitors(config).isEmpty()) Thread.sleep(20);
    }

    /** conmon processes of either side, podman processes, live (zombies excluded). */
    private static List<ProcessHandle> monitors(NodeConfig config) {
        String run = config.runDir().toString();
        return ProcessHandle.allProcesses().filter(p -> {
            String cmd = p.info().command().orElse("");
            String args = String.join(" ", p.info().arguments().orElse(new String[0]));
            boolean conmon = cmd.endsWith("/conmon") && (args.contains(run) || args.contains(PODMAN_STORAGE));
            boolean podman = cmd.endsWith("/podman") || cmd.endsWith("/netavark") || cmd.endsWith("/aardvark-dns");
            return (conmon || podman) && !zombie(p.pid());
        }).toList();
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return true; // gone
        }
    }
}
