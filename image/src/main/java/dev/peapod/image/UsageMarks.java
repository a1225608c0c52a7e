package dev.peapod.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * When each image was last used: the modification time of {@code used/<config hex>}. Setting a
 * file's mtime is one utimensat(2), atomic and lock-free, so a container start in one process and
 * a garbage collection in another need no store lock for it (kubelet keeps lastUsed in memory;
 * Peapod has several processes on one store). A mark left for an image removed meanwhile is
 * deleted by the next writer.
 */
final class UsageMarks {
    private final Path dir;

    UsageMarks(Path dir) {
        this.dir = dir;
    }

    void mark(String imageId, Instant at) {
        Path file = dir.resolve(Digests.hex(imageId));
        try {
            Files.createDirectories(dir);
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
            Files.setLastModifiedTime(file, FileTime.from(at));
        } catch (IOException e) {
            throw new ImageException("failed to record use of image " + imageId + ": " + e.getMessage(), e);
        }
    }

    /** Every mark, by image id. */
    Map<String, Instant> read() {
        Map<String, Instant> out = new HashMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                try {
                    out.put("sha256:" + f.getFileName(), Files.getLastModifiedTime(f).toInstant());
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new ImageException("failed to read image usage in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Deletes the marks of images not in {@code keep}. */
    void retain(java.util.Set<String> keep) throws IOException {
        for (String id : read().keySet()) {
            if (!keep.contains(id)) Files.deleteIfExists(dir.resolve(Digests.hex(id)));
        }
    }
}
