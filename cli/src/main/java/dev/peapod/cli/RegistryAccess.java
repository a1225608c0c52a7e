package dev.peapod.cli;

import dev.peapod.image.ImagePuller;
import dev.peapod.image.Images;
import dev.peapod.image.LocalImageStore;
import dev.peapod.image.registry.DockerConfig;
import dev.peapod.image.registry.RegistryPuller;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the CLI reaches registries: the host's registries.conf and certs.d, credentials from
 * {@code --authfile} or the files podman and Docker use (containers-auth.json(5):
 * {@code $REGISTRY_AUTH_FILE}, {@code $XDG_RUNTIME_DIR/containers/auth.json}, then
 * {@code ~/.docker/config.json}), and {@code --creds USER:PASSWORD} for the registry of one pull.
 */
final class RegistryAccess {
    private RegistryAccess() {}

    static ImagePuller puller(Images store, Path authfile, List<ImagePuller.Credentials> extra, boolean tlsVerify) {
        if (!(store instanceof LocalImageStore local)) {
            return ImagePuller.DISABLED;
        }
        List<ImagePuller.Credentials> creds = new ArrayList<>(extra);
        for (Path f : authFiles(authfile)) {
            try {
                creds.addAll(DockerConfig.read(f));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("failed to read credentials: " + e.getMessage());
            }
        }
        return new RegistryPuller(local, RegistryPuller.Options.host().withCredentials(creds).withTlsVerify(tlsVerify));
    }

    /**
     * The puller for {@code peapod up}, built at its first pull: reading registries.conf and the
     * credentials files is kept off the start path of pods whose images are present.
     */
    static ImagePuller lazyPuller(Images store) {
        return new ImagePuller() {
            private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
            private ImagePuller puller;

            @Override
            public dev.peapod.image.Image pull(String reference, List<Credentials> credentials,
                                               dev.peapod.image.PullProgress progress) {
                lock.lock();
                ImagePuller p;
                try {
                    if (puller == null) puller = puller(store, null, List.of(), true);
                    p = puller;
                } finally {
                    lock.unlock();
                }
                return p.pull(reference, credentials, progress);
            }
        };
    }

    private static List<Path> authFiles(Path authfile) {
        if (authfile != null) {
            if (!Files.isRegularFile(authfile)) throw new IllegalArgumentException("--authfile " + authfile + ": no such file");
            return List.of(authfile);
        }
        List<Path> out = new ArrayList<>();
        String env = System.getenv("REGISTRY_AUTH_FILE");
        if (env != null && !env.isEmpty()) out.add(Path.of(env));
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        out.add(xdg != null && !xdg.isEmpty() ? Path.of(xdg, "containers", "auth.json")
                : Path.of("/run/containers", String.valueOf(uid()), "auth.json"));
        out.add(Path.of(System.getProperty("user.home"), ".docker", "config.json"));
        return out;
    }

    private static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (Exception e) {
            return 0;
        }
    }

    /** {@code --creds user:password} for the registry of {@code reference}. */
    static ImagePuller.Credentials creds(String value, String reference) {
        int colon = value.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("--creds must be USER:PASSWORD");
        String host = dev.peapod.image.ImageReference.parse(reference).domain();
        return new ImagePuller.Credentials(host, value.substring(0, colon), value.substring(colon + 1));
    }
}
