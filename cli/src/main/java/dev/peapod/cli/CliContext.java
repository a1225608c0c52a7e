package dev.peapod.cli;

import dev.peapod.image.Images;
import dev.peapod.image.LocalImageStore;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * What commands reach outside the process through, so tests and {@code __train} can run the real
 * command tree without touching the host.
 *
 * @param imageStore opens the image store of a data directory
 */
record CliContext(Function<Path, Images> imageStore) {

    /** The real host: the one place the CLI constructs the image store ({@code <data-dir>/images}). */
    static CliContext host() {
        return new CliContext(dataDir -> new LocalImageStore(dataDir.resolve("images")));
    }
}
