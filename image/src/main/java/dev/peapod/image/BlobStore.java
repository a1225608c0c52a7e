package dev.peapod.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Content-addressed blobs in {@code blobs/sha256/<hex>}. A write streams into a temp file in the
 * same directory while hashing, checks digest and size, fsyncs and renames into place, so a blob
 * path either does not exist or holds exactly the bytes its name promises. Not thread safe on its
 * own: callers hold the store lock for writes.
 */
final class BlobStore {
    private final Path dir;

    /** Where a blob came from, what it is and whether this write created it. */
    record Stored(String digest, long size, boolean created) {}

    BlobStore(Path dir) {
        this.dir = dir;
    }

    Path path(String digest) {
        return dir.resolve(Digests.hex(digest));
    }

    boolean has(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /**
     * Stores {@code in}. When {@code expected} is not null the content must hash to it, and when
     * {@code expectedSize >= 0} have that length; on a mismatch nothing is left behind.
     *
     * @param what how errors name the content (an archive entry)
     */
    Stored put(InputStream in, String expected, long expectedSize, String what) throws IOException {
        if (expected != null && !Digests.isSha256(expected)) {
            throw new ImageException("failed to store blob " + what + ": unsupported digest \"" + expected + "\"");
        }
        Path temp = FileTrees.tempSibling(dir);
        try {
            HashingInputStream hashing = new HashingInputStream(in);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                hashing.transferTo(out);
                ch.force(true);
            }
            String actual = hashing.digest();
            if (expected != null && !expected.equals(actual)) {
                throw new ImageException("failed to store blob " + what + ": digest mismatch: expected "
                        + expected + ", content is " + actual);
            }
            if (expectedSize >= 0 && expectedSize != hashing.count()) {
                throw new ImageException("failed to store blob " + what + ": size mismatch: expected "
                        + expectedSize + " bytes, content is " + hashing.count());
            }
            Path target = path(actual);
            if (Files.exists(target)) {
                return new Stored(actual, hashing.count(), false);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            FileTrees.fsyncDirectory(dir);
            return new Stored(actual, hashing.count(), true);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Moves a verified blob file written elsewhere on this file system into place, unless the
     * blob is already there; returns whether it was moved.
     */
    boolean adopt(Path verified, String digest) throws IOException {
        Path target = path(digest);
        if (Files.exists(target)) {
            return false;
        }
        Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE);
        FileTrees.fsyncDirectory(dir);
        return true;
    }

    void delete(String digest) throws IOException {
        Files.deleteIfExists(path(digest));
    }

    /** Digests of all stored blobs (temp files excluded). */
    Set<String> digests() throws IOException {
        Set<String> out = new HashSet<>();
        try (var files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .map(n -> "sha256:" + n)
                    .filter(Digests::isSha256)
                    .forEach(out::add);
        }
        return out;
    }
}
