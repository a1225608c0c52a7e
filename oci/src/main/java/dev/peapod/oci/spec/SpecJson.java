package dev.peapod.oci.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.peapod.oci.OciException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes {@code config.json}. The output is stable — properties in the spec's order,
 * map entries sorted by key, two-space indentation, one array element per line, a final newline —
 * so that it can be compared with golden files byte for byte. Thread safe.
 */
public final class SpecJson {
    private SpecJson() {}

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private static final ObjectWriter WRITER = MAPPER.writer(prettyPrinter());

    private static DefaultPrettyPrinter prettyPrinter() {
        var indenter = new DefaultIndenter("  ", "\n");
        // "key": value, as most tools print JSON (Jackson's default is "key" : value).
        var separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withArrayEmptySeparator("")
                .withObjectEmptySeparator("");
        return new DefaultPrettyPrinter(separators)
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
    }

    /** The JSON text of {@code spec}, ending in a newline. */
    public static String toJson(Spec spec) {
        try {
            return WRITER.writeValueAsString(spec) + "\n";
        } catch (JsonProcessingException e) {
            throw new OciException("failed to encode OCI spec: " + e.getMessage(), e);
        }
    }

    /** Parses a {@code config.json} text; unknown properties are ignored. */
    public static Spec fromJson(String json) {
        try {
            return MAPPER.readValue(json, Spec.class);
        } catch (JsonProcessingException e) {
            throw new OciException("failed to decode OCI spec: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads {@code file} as a {@code config.json}. */
    public static Spec read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new OciException("failed to read OCI spec " + file + ": " + e, e);
        }
    }

    /**
     * Writes {@code spec} to {@code file} atomically: a temporary file in the same directory is
     * written and fsynced, then renamed over {@code file}, so a reader (or a crash) never sees a
     * half-written config (DESIGN.md habit 6; containerd writes its status files the same way).
     */
    public static void write(Spec spec, Path file) {
        byte[] bytes = toJson(spec).getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (var channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                var buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true);
            }
            move(tmp, file);
            tmp = null;
        } catch (IOException e) {
            throw new OciException("failed to write OCI spec " + file + ": " + e, e);
        } finally {
            if (tmp != null) deleteQuietly(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Same directory, so this only happens on exotic filesystems; rename(2) there is still
            // the best we can do.
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // The write already failed; that error is the one worth reporting.
        }
    }
}
