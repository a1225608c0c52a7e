package dev.peapod.cli;

import dev.peapod.image.PullProgress;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Prints a pull's progress: on a terminal one line per layer redrawn in place
 * ({@code sha256:0123456789ab  12.3 MB / 40.1 MB  55.2 MB/s}), at most ten times a second;
 * otherwise one line per layer when it is done or found in the store, so logs stay readable.
 */
final class PullPrinter implements PullProgress {
    private static final long REDRAW_NANOS = 100_000_000;
    private final PrintWriter out;
    private final boolean tty;
    private final LongSupplier nanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final long start;
    private long lastDraw;
    private int drawn;

    private static final class Layer {
        final long size;
        long done;
        long started;
        long finished = -1;
        boolean existed;

        Layer(long size) {
            this.size = size;
        }
    }

    PullPrinter(PrintWriter out, boolean tty, LongSupplier nanos) {
        this.out = out;
        this.tty = tty;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
    }

    @Override
    public void resolved(String reference, String manifestDigest, int count, long bytes) {
        locked(() -> out.println("Pulling " + reference + " (" + manifestDigest + "): " + count + " layers, " + bytes(bytes)));
    }

    @Override
    public void layerExists(String digest, long size) {
        locked(() -> {
            Layer l = new Layer(size);
            l.existed = true;
            layers.put(digest, l);
            if (!tty) out.println(shortDigest(digest) + "  already present");
            redraw(true);
        });
    }

    @Override
    public void layer(String digest, long size, long done) {
        locked(() -> {
            long now = nanos.getAsLong();
            Layer l = layers.computeIfAbsent(digest, d -> {
                Layer n = new Layer(size);
                n.started = now;
                return n;
            });
            l.done = done;
            if (done >= size && l.finished < 0) {
                l.finished = now;
                if (!tty) out.println(line(digest, l, now));
            }
            redraw(done >= size);
        });
    }

    /** Draws the final state and a summary line. */
    void finish() {
        locked(() -> {
            redraw(true);
            long total = layers.values().stream().filter(l -> !l.existed).mapToLong(l -> l.done).sum();
            long took = nanos.getAsLong() - start;
            out.println("Fetched " + bytes(total) + " in " + String.format(Locale.ROOT, "%.2fs", took / 1e9)
                    + " (" + rate(total, took) + ")");
        });
    }

    private void redraw(boolean force) {
        if (!tty) return;
        long now = nanos.getAsLong();
        if (!force && layers.size() == drawn && now - lastDraw < REDRAW_NANOS) return; // a new layer draws at once
        lastDraw = now;
        StringBuilder b = new StringBuilder();
        if (drawn > 0) b.append("\033[").append(drawn).append('F'); // back to the first layer line
        layers.forEach((d, l) -> b.append("\033[2K").append(line(d, l, now)).append('\n'));
        drawn = layers.size();
        out.print(b);
        out.flush();
    }

    static String line(String digest, Layer l, long now) {
        if (l.existed) return shortDigest(digest) + "  already present";
        long end = l.finished >= 0 ? l.finished : now;
        String state = l.finished >= 0 ? "done" : "";
        return shortDigest(digest) + "  " + bytes(l.done) + " / " + bytes(l.size) + "  " + rate(l.done, end - l.started)
                + (state.isEmpty() ? "" : "  " + state);
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        return digest.substring(0, Math.min(digest.length(), colon + 13));
    }

    static String bytes(long n) {
        if (n < 1000) return n + " B";
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.1f kB", n / 1e3);
        if (n < 1_000_000_000) return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
        return String.format(Locale.ROOT, "%.2f GB", n / 1e9);
    }

    static String rate(long bytes, long nanos) {
        if (nanos <= 0) return "-";
        return bytes(Math.round(bytes / (nanos / 1e9))) + "/s";
    }

    private void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }
}
