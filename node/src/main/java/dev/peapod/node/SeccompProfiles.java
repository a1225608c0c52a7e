package dev.peapod.node;

import dev.peapod.node.spec.SeccompChoice;
import dev.peapod.node.spec.SeccompProfile;
import dev.peapod.node.spec.SpecException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the seccomp profile a {@link SeccompChoice} names.
 *
 * <p>{@code RuntimeDefault}: the host's containers-common profile
 * ({@value #HOST_DEFAULT}, what Podman and CRI-O use), else the copy of that profile shipped with
 * Peapod ({@code seccomp-default.json}, origin in {@code seccomp-default.NOTICE}); read once.
 * {@code Localhost}: {@code <root>/<localhostProfile>}, where root is the node's seccomp directory
 * (kubelet: {@code <root-dir>/seccomp}, here {@code <data-dir>/seccomp}); read for every container,
 * as containerd does, so an edited profile applies to the next container. A missing or invalid
 * file fails the container with {@code CreateContainerError}, as containerd's
 * "cannot load seccomp profile" does.
 */
final class SeccompProfiles {
    static final String HOST_DEFAULT = "/usr/share/containers/seccomp.json";

    private final Path root;
    private final boolean runtimeDefaultByDefault;
    private volatile SeccompProfile runtimeDefault;

    SeccompProfiles(Path root, boolean runtimeDefaultByDefault) {
        this.root = root.toAbsolutePath().normalize();
        this.runtimeDefaultByDefault = runtimeDefaultByDefault;
    }

    /** The loaded profile for the container, null for unconfined. */
    SeccompProfile forContainer(io.fabric8.kubernetes.api.model.Pod pod, io.fabric8.kubernetes.api.model.Container c) {
        return switch (SeccompChoice.of(pod, c, runtimeDefaultByDefault)) {
            case SeccompChoice.Unconfined u -> null;
            case SeccompChoice.RuntimeDefault d -> runtimeDefault();
            case SeccompChoice.Localhost l -> localhost(l.profile());
        };
    }

    SeccompProfile runtimeDefault() {
        SeccompProfile p = runtimeDefault;
        if (p == null) runtimeDefault = p = loadDefault();
        return p;
    }

    private static SeccompProfile loadDefault() {
        try {
            Path host = Path.of(HOST_DEFAULT);
            if (Files.isReadable(host)) return SeccompProfile.parse(Files.readString(host));
            try (InputStream in = SeccompProfiles.class.getResourceAsStream("seccomp-default.json")) {
                if (in == null) throw new IllegalStateException("seccomp-default.json is missing from the build");
                return SeccompProfile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read the default seccomp profile: " + e.getMessage(), e);
        }
    }

    private SeccompProfile localhost(String relative) {
        Path file = root.resolve(relative).normalize();
        // SeccompChoice refused absolute paths and "..": this only guards against a bug there.
        if (!file.startsWith(root)) throw failure(file, "outside the seccomp root " + root);
        try {
            return SeccompProfile.parse(Files.readString(file));
        } catch (IOException e) {
            throw failure(file, e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.toString());
        } catch (IllegalArgumentException e) {
            throw failure(file, e.getMessage());
        }
    }

    private static SpecException failure(Path file, String cause) {
        return new SpecException(SpecException.CREATE_CONTAINER_ERROR,
                "failed to generate seccomp spec opts: cannot load seccomp profile \"" + file + "\": " + cause);
    }
}
