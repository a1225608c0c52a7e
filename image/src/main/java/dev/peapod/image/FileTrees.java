package dev.peapod.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/** File-system steps the store repeats: atomic replace, fsync, deleting trees without following links. */
final class FileTrees {
    /** Prefix of every temp file and directory the store creates; anything with it is garbage. */
    static final String TEMP_PREFIX = ".tmp-";

    private FileTrees() {}

    static Path tempSibling(Path dir) {
        return dir.resolve(TEMP_PREFIX + UUID.randomUUID());
    }

    /**
     * Writes {@code content} to {@code target} atomically: temp file in the same directory, fsync,
     * rename, fsync of the directory (containerd status.go, jib CacheStorageWriter).
     */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = tempSibling(target.getParent());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(content));
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes a file, link or tree; never follows symlinks; a missing path is fine. */
    static void deleteRecursively(Path path) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attrs.isDirectory()) {
            Files.deleteIfExists(path);
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a directory by first renaming it to a temp name, so no half-deleted tree keeps a valid name. */
    static void deleteDirectoryAtomically(Path dir) throws IOException {
        if (!Files.exists(dir, NOFOLLOW_LINKS)) {
            return;
        }
        Path doomed = tempSibling(dir.getParent());
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(doomed);
    }

    /** Deletes every temp leftover directly in {@code dir} (from a crash; callers hold the store lock). */
    static void deleteTempLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    deleteRecursively(p);
                }
            }
        }
    }
}
