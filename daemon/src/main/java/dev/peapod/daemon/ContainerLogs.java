package dev.peapod.daemon;

import dev.peapod.apiserver.PodLogs;
import dev.peapod.node.CriLogLine;
import dev.peapod.node.PodListener;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Container logs for {@code kubectl logs}: the engine tells where each attempt's CRI log file is
 * ({@link #logStarted}) and how its containers are ({@link #statusChanged}); {@link #write}
 * reads the file, joins partial records (P) into lines, and applies PodLogOptions. Following
 * polls the file every 200 ms until the attempt is over (a newer attempt started, the container
 * is terminated in the pod's status, or the pod is gone) and the file is drained.
 */
final class ContainerLogs implements PodLogs, PodListener {
    private static final long FOLLOW_POLL_MS = 200;

    /** uid → container → attempt → log file. */
    private final Map<String, Map<String, TreeMap<Integer, Path>>> files = new ConcurrentHashMap<>();
    private final Map<String, Pod> latest = new ConcurrentHashMap<>();

    @Override
    public void logStarted(Pod pod, String container, int attempt, Path logPath) {
        var byContainer = files.computeIfAbsent(pod.getMetadata().getUid(), u -> new ConcurrentHashMap<>());
        var attempts = byContainer.computeIfAbsent(container, c -> new TreeMap<>());
        synchronized (attempts) {
            attempts.put(attempt, logPath);
        }
    }

    @Override
    public void statusChanged(Pod pod) { latest.put(pod.getMetadata().getUid(), pod); }

    @Override
    public void removed(Pod pod) {
        files.remove(pod.getMetadata().getUid());
        latest.remove(pod.getMetadata().getUid());
    }

    /** [attempt, file] of the current or the previous attempt, or null. */
    private Map.Entry<Integer, Path> attempt(String uid, String container, boolean previous) {
        var attempts = files.getOrDefault(uid, Map.of()).get(container);
        if (attempts == null) return null;
        synchronized (attempts) {
            var last = attempts.lastEntry();
            var entry = previous && last != null ? attempts.lowerEntry(last.getKey()) : last;
            return entry != null && Files.exists(entry.getValue()) ? entry : null;
        }
    }

    @Override
    public boolean has(String podUid, String container, boolean previous) {
        return attempt(podUid, container, previous) != null;
    }

    @Override
    public void write(String uid, String container, Options o, OutputStream out) throws IOException, InterruptedException {
        var entry = attempt(uid, container, o.previous());
        if (entry == null) return;
        var limit = new long[] {o.limitBytes() == null ? Long.MAX_VALUE : o.limitBytes()};
        try (var file = new RandomAccessFile(entry.getValue().toFile(), "r")) {
            var reader = new Lines(file);
            List<CriLogLine> lines = reader.read();
            if (o.since() != null) lines = lines.stream().filter(l -> !before(l, o.since())).toList();
            if (o.tailLines() != null) lines = lines.subList(Math.max(0, lines.size() - o.tailLines()), lines.size());
            if (!emit(lines, o, out, limit) || !o.follow() || o.previous()) return;
            while (true) {
                boolean over = over(uid, container, entry.getKey());
                List<CriLogLine> more = reader.read();
                if (!emit(more, o, out, limit)) return;
                if (more.isEmpty()) {
                    if (over) return;
                    Thread.sleep(FOLLOW_POLL_MS);
                }
            }
        }
    }

    private static boolean before(CriLogLine l, Instant since) {
        try {
            return Instant.parse(l.timestamp()).isBefore(since);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Writes lines; false once limitBytes is reached. */
    private static boolean emit(List<CriLogLine> lines, Options o, OutputStream out, long[] limit) throws IOException {
        for (CriLogLine l : lines) {
            byte[] b = ((o.timestamps() ? rfc3339Nano(l.timestamp()) + " " : "") + l.content() + "\n").getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(b.length, limit[0]);
            out.write(b, 0, n);
            limit[0] -= n;
            if (limit[0] <= 0) {
                out.flush();
                return false;
            }
        }
        if (!lines.isEmpty()) out.flush();
        return true;
    }

    /**
     * kubelet prints a log line's time as Go's RFC3339Nano in UTC ({@code 2026-11-23T21:02:10.017747422Z},
     * trailing zeros of the fraction dropped); conmon writes it with an offset ({@code +00:00}).
     */
    static String rfc3339Nano(String timestamp) {
        Instant t;
        try {
            t = java.time.OffsetDateTime.parse(timestamp).toInstant();
        } catch (RuntimeException e) {
            return timestamp;
        }
        String base = t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        if (t.getNano() == 0) return base;
        String fraction = String.format("%09d", t.getNano()).replaceAll("0+$", "");
        return base.substring(0, base.length() - 1) + "." + fraction + "Z";
    }

    /** The attempt will write no more: a newer one exists, the pod is gone, or its status says it is not running. */
    private boolean over(String uid, String container, int attempt) {
        var attempts = files.get(uid) == null ? null : files.get(uid).get(container);
        if (attempts == null) return true;
        synchronized (attempts) {
            if (attempts.lastKey() > attempt) return true;
        }
        Pod pod = latest.get(uid);
        if (pod == null || pod.getStatus() == null) return false;
        var all = new ArrayList<ContainerStatus>(pod.getStatus().getContainerStatuses());
        all.addAll(pod.getStatus().getInitContainerStatuses());
        for (ContainerStatus s : all) {
            if (container.equals(s.getName()) && s.getState() != null) {
                return s.getState().getRunning() == null && s.getState().getTerminated() != null
                        && s.getRestartCount() != null && s.getRestartCount() >= attempt;
            }
        }
        return false;
    }

    /** Complete CRI records from where the last read stopped, partial ones (P) joined with their end (F). */
    private static final class Lines {
        private final RandomAccessFile file;
        private final StringBuilder partial = new StringBuilder();
        private long offset;

        Lines(RandomAccessFile file) { this.file = file; }

        List<CriLogLine> read() throws IOException {
            long length = file.length();
            if (length <= offset) return List.of();
            byte[] buf = new byte[(int) Math.min(length - offset, 16 << 20)];
            file.seek(offset);
            file.readFully(buf);
            int lastNewline = -1;
            for (int i = buf.length - 1; i >= 0; i--) if (buf[i] == '\n') { lastNewline = i; break; }
            if (lastNewline < 0) return List.of();
            offset += lastNewline + 1;
            var out = new ArrayList<CriLogLine>();
            for (String record : new String(buf, 0, lastNewline, StandardCharsets.UTF_8).split("\n", -1)) {
                CriLogLine l = CriLogLine.parse(record);
                partial.append(l.content());
                if (l.partial()) continue;
                out.add(new CriLogLine(l.timestamp(), l.stream(), false, partial.toString()));
                partial.setLength(0);
            }
            return out;
        }
    }
}
