package dev.peapod.testing;

import dev.peapod.oci.OciException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes a container log the way conmon's {@code k8s-file} driver does: one
 * {@code <RFC3339Nano> <stream> <F|P> <text>} line per line of output (CRI logging format).
 */
final class CriLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

    private CriLog() {}

    /** Creates the empty log file (and its directory) as conmon does when the container is created. */
    static void touch(Path log) throws IOException {
        if (log == null) return;
        Path parent = log.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!Files.exists(log)) Files.createFile(log);
    }

    /** Appends full ({@code F}) stdout lines. */
    static void append(Path log, List<String> lines) {
        if (lines.isEmpty() || log == null) return;
        var text = new StringBuilder();
        for (String line : lines) {
            text.append(TIME.format(OffsetDateTime.now(ZoneOffset.UTC))).append(" stdout F ").append(line).append('\n');
        }
        try {
            Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new OciException("failed to write container log " + log + ": " + e, e);
        }
    }
}
