package dev.peapod.node.gc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Which images the pods known to a data dir use: {@code <data dir>/pods/<uid>/images}, one image
 * id per line, appended when one of the pod's containers or image volumes resolves an image, and
 * gone with the pod's directory. A pod's exited containers keep their images in use as long as the
 * pod is there, as kubelet counts every container the runtime still has (image_gc_manager.go
 * {@code detectImages}); so do the pods of a {@code peapod up} that crashed, until removed.
 *
 * <p>Contract: thread safe and safe across processes without a lock: each record is one
 * {@code O_APPEND} write of a line, far below PIPE_BUF, and readers tolerate duplicates. An image
 * resolved but not yet recorded can be collected in that instant; the container then fails to
 * start with the store's error and is retried, as with kubelet's own race between pull and GC.
 */
public final class ImagesInUse {
    private ImagesInUse() {}

    /** Records that the pod whose data dir is {@code podDataDir} uses {@code imageId}. */
    public static void record(Path podDataDir, String imageId) {
        try {
            Files.createDirectories(podDataDir);
            Files.writeString(podDataDir.resolve("images"), imageId + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("failed to record image " + imageId + " in use by "
                    + podDataDir + ": " + e.getMessage(), e);
        }
    }

    /** Every image id a pod under {@code dataDir/pods} uses. */
    public static Set<String> of(Path dataDir) {
        Set<String> ids = new HashSet<>();
        try (var pods = Files.list(dataDir.resolve("pods"))) {
            for (Path pod : pods.toList()) {
                try {
                    for (String line : Files.readAllLines(pod.resolve("images"), StandardCharsets.UTF_8)) {
                        if (!line.isBlank()) ids.add(line.strip());
                    }
                } catch (NoSuchFileException e) {
                    // a pod that has not resolved an image yet, or was removed meanwhile
                }
            }
        } catch (NoSuchFileException e) {
            return ids;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("failed to read the images in use under " + dataDir + ": "
                    + e.getMessage(), e);
        }
        return ids;
    }
}
