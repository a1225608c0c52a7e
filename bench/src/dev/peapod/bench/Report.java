package dev.peapod.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The samples of both sides, their percentiles, the markdown table and the two summary lines. */
final class Report {
    /** One table row: a measurement of one scenario, both sides' samples in nanoseconds. */
    record Row(String measurement, Scenario scenario, List<Long> peapod, List<Long> podman) {
        Row(String measurement, Scenario scenario) { this(measurement, scenario, new ArrayList<>(), new ArrayList<>()); }
    }

    private final List<Row> rows = new ArrayList<>();

    Row row(String measurement, Scenario s) {
        var r = new Row(measurement, s);
        rows.add(r);
        return r;
    }

    /**
     * The p-th percentile in milliseconds, linear interpolation between closest ranks (numpy's
     * default): rank p·(n−1) of the sorted samples.
     */
    static double percentileMs(List<Long> nanos, double p) {
        if (nanos.isEmpty()) return Double.NaN;
        var sorted = nanos.stream().sorted().toList();
        double rank = p * (sorted.size() - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        double v = sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (rank - lo);
        return v / 1e6;
    }

    void print(PrintStream out, String notes) {
        out.println("| measurement | pod | Peapod p50 | Peapod p90 | podman p50 | podman p90 | podman / Peapod (p50) |");
        out.println("|---|---|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            double a50 = percentileMs(r.peapod, 0.5), a90 = percentileMs(r.peapod, 0.9);
            double b50 = percentileMs(r.podman, 0.5), b90 = percentileMs(r.podman, 0.9);
            out.println(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.1f× |", r.measurement, r.scenario.label(),
                    ms(a50), ms(a90), ms(b50), ms(b90), b50 / a50));
        }
        out.println();
        out.println(notes);
        out.println();
    }

    /** The summary line of a row: "{@code <title> p50: peapod X ms, podman Y ms, ratio Y/X}". */
    static String summary(String title, Row r) {
        double a = percentileMs(r.peapod, 0.5), b = percentileMs(r.podman, 0.5);
        return String.format(Locale.ROOT, "%s p50: peapod %.0f ms, podman %.0f ms, ratio %.1f", title, a, b, b / a);
    }

    /** Every sample, one line each: measurement, scenario, side, run, milliseconds. */
    void writeCsv(Path file) throws IOException {
        var lines = new ArrayList<String>();
        lines.add("measurement,scenario,side,run,ms");
        for (Row r : rows) {
            for (int i = 0; i < r.peapod.size(); i++) lines.add(csv(r, "peapod", i, r.peapod.get(i)));
            for (int i = 0; i < r.podman.size(); i++) lines.add(csv(r, "podman", i, r.podman.get(i)));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }

    private static String csv(Row r, String side, int i, long nanos) {
        return String.format(Locale.ROOT, "%s,%s,%s,%d,%.3f", r.measurement, r.scenario.key(), side, i + 1, nanos / 1e6);
    }

    private static String ms(double v) { return String.format(Locale.ROOT, "%.0f ms", v); }
}
