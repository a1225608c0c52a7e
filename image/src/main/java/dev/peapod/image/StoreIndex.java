package dev.peapod.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code index.json}: what the store holds. Written whole, atomically (temp, fsync, rename), by a
 * holder of the store lock; read without the lock, since a rename never shows a half-written file.
 *
 * <pre>{@code
 * {"version": 1,
 *  "images": [{"id": "sha256:<config>", "names": ["docker.io/library/busybox:latest"],
 *              "digests": ["sha256:<manifest>"], "diffIds": ["sha256:..."], "config": {...}}],
 *  "layers": {"sha256:<diffId>": {"blob": "sha256:<layer blob>", "size": 123}}}
 * }</pre>
 */
final class StoreIndex {
    static final int VERSION = 1;

    private StoreIndex() {}

    /** The whole index. Lists and maps are mutable copies for the writer to edit. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Data(int version, List<Entry> images, Map<String, Layer> layers) {
        Data {
            images = images == null ? new ArrayList<>() : new ArrayList<>(images);
            layers = layers == null ? new LinkedHashMap<>() : new LinkedHashMap<>(layers);
        }

        static Data empty() {
            return new Data(VERSION, null, null);
        }
    }

    /**
     * One image.
     *
     * @param id      config digest
     * @param names   normalised names, each on at most one image
     * @param digests manifest digests it was loaded with (for {@code name@digest} references)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Entry(String id, List<String> names, List<String> digests, List<String> diffIds, ImageConfig config) {
        Entry {
            names = names == null ? List.of() : List.copyOf(names);
            digests = digests == null ? List.of() : List.copyOf(digests);
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
        }
    }

    /** An unpacked layer: the blob it came from (to unpack it again) and its unpacked size. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Layer(String blob, long size) {}

    static Data read(Path file) {
        try {
            Data data = ImageConfigs.JSON.readValue(Files.readAllBytes(file), Data.class);
            if (data.version() > VERSION) {
                throw new ImageException("failed to read image index " + file + ": version " + data.version()
                        + " is newer than this Peapod understands (" + VERSION + ")");
            }
            return data;
        } catch (NoSuchFileException e) {
            return Data.empty();
        } catch (IOException e) {
            throw new ImageException("failed to read image index " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, Data data) {
        try {
            byte[] json = ImageConfigs.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(new Data(VERSION, data.images(), data.layers()));
            FileTrees.writeAtomically(file, json);
        } catch (IOException e) {
            throw new ImageException("failed to write image index " + file + ": " + e.getMessage(), e);
        }
    }
}
