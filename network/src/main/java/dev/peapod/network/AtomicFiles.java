package dev.peapod.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * Whole-file writes that a crash cannot leave half done: a temp file in the same directory,
 * fsync, atomic rename, fsync of the directory (DESIGN habit 6; containerd's status store and
 * jib's CacheStorageWriter do the same).
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes {@code bytes} to {@code target} (mode 0600, or 0644 when {@code worldReadable}). */
    static void write(Path target, byte[] bytes, boolean worldReadable) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) ch.write(buffer);
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(worldReadable ? "rw-r--r--" : "rw-------"));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically in " + dir, e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
