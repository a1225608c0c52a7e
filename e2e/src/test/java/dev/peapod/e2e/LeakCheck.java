package dev.peapod.e2e;

import dev.peapod.node.NodeConfig;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a pod is gone nothing of it may remain: no mounts, cgroups, conmon processes, runtime
 * containers, bundle or overlay directories.
 */
final class LeakCheck {
    private LeakCheck() {}

    static void assertNothingLeft(NodeConfig config, List<Pod> pods) throws IOException, InterruptedException {
        String run = config.runDir().toString();
        String data = config.dataDir().toString();
        var mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(run + "/") || l.contains(data + "/pods")).toList();
        assertThat(mounts).as("mounts left behind").isEmpty();

        var conmons = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("conmon")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(run)).orElse(false))
                .filter(p -> !isZombie(p.pid()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertThat(conmons).as("conmon processes left behind").isEmpty();

        var cgroups = new ArrayList<String>();
        try (Stream<Path> roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path root : roots.toList()) {
                for (Pod pod : pods) {
                    // Guaranteed pods right under peapod/, the others under their QoS parent.
                    for (String parent : List.of("peapod/", "peapod/burstable/", "peapod/besteffort/")) {
                        Path dir = root.resolve(parent + "pod-" + pod.getMetadata().getUid());
                        if (Files.exists(dir)) cgroups.add(dir.toString());
                    }
                }
            }
        }
        assertThat(cgroups).as("cgroups left behind").isEmpty();

        for (Pod pod : pods) {
            String uid = pod.getMetadata().getUid();
            assertThat(config.runDir().resolve("pods").resolve(uid)).as("pod run dir").doesNotExist();
            assertThat(config.dataDir().resolve("pods").resolve(uid)).as("pod data dir (overlay uppers, volumes, logs)").doesNotExist();
        }
        // Pod network: no namespace, CNI result cache entry, IP lease or veth of these pods remains.
        Path netns = config.runDir().resolve("netns");
        if (Files.isDirectory(netns)) {
            try (var s = Files.list(netns)) {
                assertThat(s.toList()).as("network namespaces left behind").isEmpty();
            }
        }
        Path results = config.dataDir().resolve("cni/results");
        if (Files.isDirectory(results)) {
            try (var s = Files.list(results)) {
                assertThat(s.toList()).as("CNI result cache entries left behind").isEmpty();
            }
        }
        for (Pod pod : pods) {
            String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            if (ip != null && ip.startsWith("10.87.")) {
                assertThat(Path.of("/var/lib/cni/networks", Harness.NETWORK, ip)).as("IP lease of " + ip).doesNotExist();
            }
        }
        var veths = new ProcessBuilder("ip", "-o", "link", "show", "master", Harness.BRIDGE).start();
        String attached = new String(veths.getInputStream().readAllBytes()).strip();
        veths.waitFor();
        assertThat(attached).as("veths left on " + Harness.BRIDGE).isEmpty();

        Path runtimeRoot = config.runDir().resolve(config.runtime());
        var crun = new ProcessBuilder(config.runtime(), "--root", runtimeRoot.toString(), "list", "-q").start();
        String listed = new String(crun.getInputStream().readAllBytes()).strip();
        crun.waitFor();
        assertThat(listed).as("runtime containers left behind").isEmpty();
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true; // gone
        }
    }
}
