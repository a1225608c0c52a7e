package dev.peapod.oci;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Finds host tools: first on the PATH, then in the places Debian puts them even when the PATH of
 * a service or of sudo does not include them ({@code /usr/sbin} for runc,
 * {@code /usr/libexec/podman} for conmon on some distributions).
 */
final class Executables {
    static final List<Path> FALLBACK_DIRS = List.of(
            Path.of("/usr/local/bin"), Path.of("/usr/local/sbin"), Path.of("/usr/bin"), Path.of("/usr/sbin"),
            Path.of("/bin"), Path.of("/sbin"), Path.of("/usr/libexec/podman"), Path.of("/usr/local/libexec/podman"),
            Path.of("/usr/lib/podman"));

    private Executables() {}

    /** The first executable regular file called {@code name} on the PATH or in the fallback dirs. */
    static Optional<Path> find(String name) {
        for (Path dir : searchPath()) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static List<Path> searchPath() {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isEmpty() && entry.startsWith("/")) {
                    dirs.add(Path.of(entry));
                }
            }
        }
        dirs.addAll(FALLBACK_DIRS);
        return new ArrayList<>(dirs);
    }
}
