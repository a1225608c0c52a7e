package dev.peapod.bench;

import dev.peapod.image.LocalImageStore;
import dev.peapod.image.PullProgress;
import dev.peapod.image.registry.RegistriesConf;
import dev.peapod.image.registry.RegistryPuller;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Image pull throughput inside one JVM, as {@code peapod up} (and later the daemon) pulls: the
 * registry puller into a cold store each run, alternating with {@code skopeo copy docker://… oci:DIR}
 * run from here, after {@code WARMUP} untimed pulls of each. Prints one line per tool:
 * {@code peapod-warm <ms>…} and {@code skopeo <ms>…}.
 *
 * <p>Arguments: REF DATA_DIR RUNS WARMUP SKOPEO_OUT_DIR.
 */
public final class PullBench {
    public static void main(String[] args) throws Exception {
        String ref = args[0];
        Path dataDir = Path.of(args[1]);
        int runs = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        Path skopeoOut = Path.of(args[4]);
        List<Long> peapod = new ArrayList<>();
        List<Long> skopeo = new ArrayList<>();
        List<Long> peapodCpu = new ArrayList<>();
        List<Long> skopeoCpu = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            boolean peapodFirst = i % 2 == 0;
            long[] a = peapodFirst ? pull(ref, dataDir) : skopeo(ref, skopeoOut);
            long[] b = peapodFirst ? skopeo(ref, skopeoOut) : pull(ref, dataDir);
            if (i >= warmup) {
                long[] p = peapodFirst ? a : b;
                long[] s = peapodFirst ? b : a;
                peapod.add(p[0]);
                peapodCpu.add(p[1]);
                skopeo.add(s[0]);
                skopeoCpu.add(s[1]);
            }
        }
        System.out.println("peapod-warm " + join(peapod));
        System.out.println("skopeo " + join(skopeo));
        System.out.println("peapod-warm-cpu " + join(peapodCpu));
        System.out.println("skopeo-cpu " + join(skopeoCpu));
    }

    /** This JVM's CPU time (all threads: the pull's, the JIT's, the GC's) in ns. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Wall ms and CPU ms of one pull. */
    private static long[] pull(String ref, Path dataDir) throws Exception {
        Path images = dataDir.resolve("images");
        delete(images);
        dropCaches();
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        var store = new LocalImageStore(images);
        try (var puller = new RegistryPuller(store, new RegistryPuller.Options(RegistriesConf.EMPTY, List.of(), List.of(),
                false, RegistryPuller.DEFAULT_PARALLEL))) {
            puller.pull(ref, List.of(), PullProgress.NONE);
        }
        return new long[] {(System.nanoTime() - t0) / 1_000_000, (cpuNanos() - c0) / 1_000_000};
    }

    /** Wall ms and CPU ms (GNU time: user + system) of one skopeo copy. */
    private static long[] skopeo(String ref, Path out) throws Exception {
        delete(out);
        dropCaches();
        Path times = Files.createTempFile("skopeo-time", ".txt");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/usr/bin/time", "-f", "%U %S", "-o", times.toString(), "skopeo", "copy", "--quiet",
                "--src-tls-verify=false", "docker://" + ref, "oci:" + out + ":bench").inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("skopeo copy failed");
        long wall = (System.nanoTime() - t0) / 1_000_000;
        String[] us = Files.readString(times).trim().split("\\s+");
        Files.delete(times);
        return new long[] {wall, Math.round((Double.parseDouble(us[0]) + Double.parseDouble(us[1])) * 1000)};
    }

    private static void dropCaches() throws Exception {
        new ProcessBuilder("sh", "-c", "sync; echo 1 > /proc/sys/vm/drop_caches").start().waitFor();
    }

    private static void delete(Path p) throws Exception {
        if (Files.exists(p)) new ProcessBuilder("rm", "-rf", p.toString()).start().waitFor();
    }

    private static String join(List<Long> xs) {
        return String.join(" ", xs.stream().map(String::valueOf).toList());
    }
}
