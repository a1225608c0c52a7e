package dev.peapod.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The harness's command line (bench/run passes it).
 *
 * @param runs        timed runs per cell
 * @param warmup      untimed runs of both sides at the start of each phase
 * @param dataDir     Peapod's data dir for the bench
 * @param pods        the directory of the benchmark manifests
 * @param repo        the repository root (for {@code ./peapod})
 * @param results     where the raw samples go
 * @param runDirFile  where to write Peapod's run dir, for bench/run's sweep (null: nowhere)
 * @param loopback    also run the loopback-only warm phase
 * @param cold        also run the cold {@code peapod up} phase
 */
record Options(int runs, int warmup, Path dataDir, Path pods, Path repo, Path results, Path runDirFile,
               boolean loopback, boolean cold) {

    static Options parse(String[] args) {
        var v = new HashMap<>(Map.of("--runs", "20", "--warmup", "3", "--data-dir", "/var/lib/peapod-bench",
                "--pods", "bench/pods", "--repo", ".", "--results", "bench/results", "--run-dir-file", ""));
        boolean cold = true;
        boolean loopback = true;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--no-cold")) cold = false;
            else if (args[i].equals("--no-loopback")) loopback = false;
            else if (v.containsKey(args[i]) && i + 1 < args.length) v.put(args[i], args[++i]);
            else throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
        }
        String runDirFile = v.get("--run-dir-file");
        var o = new Options(Integer.parseInt(v.get("--runs")), Integer.parseInt(v.get("--warmup")),
                Path.of(v.get("--data-dir")), Path.of(v.get("--pods")), Path.of(v.get("--repo")),
                Path.of(v.get("--results")), runDirFile.isEmpty() ? null : Path.of(runDirFile), loopback, cold);
        if (o.runs < 1 || o.warmup < 0) throw new IllegalArgumentException("--runs must be at least 1 and --warmup at least 0");
        return o;
    }
}
