package dev.peapod.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Unpacked layers in {@code layers/<diff_id hex>/}, each unpacked once into a temp directory and
 * renamed into place only when complete and its diff_id verified, then shared read-only by every
 * image and container that uses it. Callers hold the store lock.
 */
final class LayerStore {
    private static final int LAYER_ROOT_MODE = 0755;
    private final Path dir;

    LayerStore(Path dir) {
        this.dir = dir;
    }

    Path path(String diffId) {
        return dir.resolve(Digests.hex(diffId));
    }

    boolean has(String diffId) {
        return Files.isDirectory(path(diffId));
    }

    /**
     * Unpacks {@code blob} as the layer {@code diffId}.
     *
     * @return unpacked size in bytes
     * @throws ImageException when an entry is refused or the content's diff_id differs; nothing is left behind
     */
    long unpack(Path blob, String diffId) {
        Path temp = FileTrees.tempSibling(dir);
        try {
            LayerUnpacker.Result result;
            try (InputStream in = Files.newInputStream(blob)) {
                result = unpackInto(in, temp, diffId);
            }
            if (!result.diffId().equals(diffId)) {
                throw new ImageException("failed to unpack layer " + diffId + ": diff_id mismatch: the config says "
                        + diffId + ", the content is " + result.diffId());
            }
            Files.move(temp, path(diffId), StandardCopyOption.ATOMIC_MOVE);
            FileTrees.fsyncDirectory(dir);
            return result.size();
        } catch (IOException e) {
            throw new ImageException("failed to unpack layer " + diffId + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Unpacks the layer stream {@code in} (plain, gzip or zstd) into the new directory
     * {@code target}, reading the tar to its end; the caller checks the measured diff_id and
     * deletes {@code target} on failure.
     *
     * @param label how errors name the layer
     */
    static LayerUnpacker.Result unpackInto(InputStream in, Path target, String label) throws IOException {
        Files.createDirectory(target);
        LibC.chmod(target, LAYER_ROOT_MODE);
        return new LayerUnpacker(target, label).unpack(in);
    }

    /**
     * Moves a verified layer directory unpacked elsewhere on this file system into place, unless
     * the layer is already there; returns whether it was moved.
     */
    boolean adopt(Path unpacked, String diffId) throws IOException {
        if (has(diffId)) {
            return false;
        }
        Files.move(unpacked, path(diffId), StandardCopyOption.ATOMIC_MOVE);
        FileTrees.fsyncDirectory(dir);
        return true;
    }

    void delete(String diffId) throws IOException {
        FileTrees.deleteDirectoryAtomically(path(diffId));
    }

    /** Diff_ids of every layer directory on disk. */
    Set<String> diffIds() throws IOException {
        Set<String> out = new HashSet<>();
        try (var entries = Files.list(dir)) {
            entries.map(p -> "sha256:" + p.getFileName()).filter(Digests::isSha256).forEach(out::add);
        }
        return out;
    }

    private static void deleteQuietly(Path temp) {
        try {
            FileTrees.deleteRecursively(temp);
        } catch (IOException e) {
            // a leftover temp dir is removed by the next writer (FileTrees.deleteTempLeftovers)
        }
    }
}
