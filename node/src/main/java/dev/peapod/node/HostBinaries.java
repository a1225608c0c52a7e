package dev.peapod.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds host binaries on PATH and in the Debian locations that are not on root's PATH. */
final class HostBinaries {
    private static final List<String> EXTRA = List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/libexec/podman");

    private HostBinaries() {}

    static Path find(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name);
        }
        for (String dir : EXTRA) if (Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name);
        throw new IllegalStateException("failed to find " + name + ": not installed (Debian package: "
                + name + "; run: apt-get install -y " + name + ")");
    }
}
