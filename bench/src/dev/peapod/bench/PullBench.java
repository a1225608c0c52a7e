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
        for (int i = 0; i < warmup + runs; i++) {
            boolean peapodFirst = i % 2 == 0;
            long a = peapodFirst ? pull(ref, dataDir) : skopeo(ref, skopeoOut);
            long b = peapodFirst ? skopeo(ref, skopeoOut) : pull(ref, dataDir);
            if (i >= warmup) {
                peapod.add(peapodFirst ? a : b);
                skopeo.add(peapodFirst ? b : a);
            }
        }
        System.out.println("peapod-warm " + join(peapod));
        System.out.println("skopeo " + join(skopeo));
    }

    private static long pull(String ref, Path dataDir) throws Exception {
        Path images = dataDir.resolve("images");
        delete(images);
        dropCaches();
        long t0 = System.nanoTime();
        var store = new LocalImageStore(images);
        new RegistryPuller(store, new RegistryPuller.Options(RegistriesConf.EMPTY, List.of(), List.of(), false,
                RegistryPuller.DEFAULT_PARALLEL)).pull(ref, List.of(), PullProgress.NONE);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static long skopeo(String ref, Path out) throws Exception {
        delete(out);
        dropCaches();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("skopeo", "copy", "--quiet", "--src-tls-verify=false", "docker://" + ref,
                "oci:" + out + ":bench").inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("skopeo copy failed");
        return (System.nanoTime() - t0) / 1_000_000;
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
