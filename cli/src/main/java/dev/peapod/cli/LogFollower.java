package dev.peapod.cli;

import dev.peapod.node.CriLogLine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Follows one CRI-format log file (one container attempt) and hands each complete line to a
 * consumer, joining partial records. Runs on its own virtual thread until {@link #stop} is called
 * and the file has been read to its end.
 */
final class LogFollower {
    private final Path file;
    private final Consumer<CriLogLine> sink;
    private volatile boolean stopping;
    private Thread thread;

    LogFollower(Path file, Consumer<CriLogLine> sink) {
        this.file = file;
        this.sink = sink;
    }

    LogFollower start() {
        thread = Thread.ofVirtual().name("log-" + file.getFileName()).start(this::run);
        return this;
    }

    /** Reads what is left and ends. Blocks until the last line is delivered. */
    void stop() {
        stopping = true;
        try {
            if (thread != null) thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long pos = 0;
        var pending = new StringBuilder();
        var partial = new StringBuilder();
        byte[] buf = new byte[64 * 1024];
        try {
            while (true) {
                boolean last = stopping;
                if (Files.exists(file)) {
                    try (var raf = new RandomAccessFile(file.toFile(), "r")) {
                        raf.seek(pos);
                        int n;
                        while ((n = raf.read(buf)) > 0) {
                            pos += n;
                            pending.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                            int nl;
                            while ((nl = pending.indexOf("\n")) >= 0) {
                                var line = CriLogLine.parse(pending.substring(0, nl));
                                pending.delete(0, nl + 1);
                                partial.append(line.content());
                                if (!line.partial()) {
                                    sink.accept(new CriLogLine(line.timestamp(), line.stream(), false, partial.toString()));
                                    partial.setLength(0);
                                }
                            }
                        }
                    }
                }
                if (last) break;
                Thread.sleep(25); // conmon appends; 25 ms keeps lines prompt at negligible cost
            }
        } catch (IOException | InterruptedException e) {
            // file gone or stopping: nothing more to print
        }
        if (!partial.isEmpty()) sink.accept(new CriLogLine("", "stdout", false, partial.toString()));
    }
}
