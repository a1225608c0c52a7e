package dev.peapod.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the eviction signals of this host: memory from {@code /proc/meminfo} (MemTotal, and
 * MemAvailable for memory.available — kubelet derives it from the root cgroup's working set, which
 * MemAvailable approximates), nodefs from the filesystem of the data directory (kubelet's root
 * directory), PIDs from {@code kernel.pid_max}/{@code kernel.threads-max} and the number of tasks
 * ({@code /proc/loadavg}), as kubelet's {@code pid.available} does.
 */
final class HostSignals {
    private HostSignals() {}

    static NodeConditions.Signals read(Path dataDir) {
        long memTotal = 0, memAvailable = 0;
        for (String line : read("/proc/meminfo").lines().toList()) {
            if (line.startsWith("MemTotal:")) memTotal = kib(line);
            if (line.startsWith("MemAvailable:")) memAvailable = kib(line);
        }
        long fsTotal = 0, fsAvailable = 0;
        try {
            var fs = Files.getFileStore(dataDir);
            fsTotal = fs.getTotalSpace();
            fsAvailable = fs.getUsableSpace();
        } catch (IOException e) {
            // unknown: no disk pressure reported
        }
        long pidMax = number(read("/proc/sys/kernel/pid_max"));
        long threadsMax = number(read("/proc/sys/kernel/threads-max"));
        if (threadsMax > 0 && (pidMax == 0 || threadsMax < pidMax)) pidMax = threadsMax;
        String[] load = read("/proc/loadavg").split("\\s+");
        long tasks = load.length > 3 && load[3].contains("/") ? number(load[3].substring(load[3].indexOf('/') + 1)) : 0;
        return new NodeConditions.Signals(memTotal, memAvailable, fsTotal, fsAvailable, pidMax, tasks);
    }

    private static long kib(String line) { return number(line.replaceAll("\\D", "")) * 1024; }

    private static long number(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A small file's text, trimmed ("" when unreadable). Read as a stream: on some kernels
     * {@code Files.readString} of a sysctl file (size 0) returns only its first byte.
     */
    static String read(String file) {
        try (var in = Files.newInputStream(Path.of(file))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
