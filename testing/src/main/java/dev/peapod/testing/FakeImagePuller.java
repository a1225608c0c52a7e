package dev.peapod.testing;

import dev.peapod.image.Image;
import dev.peapod.image.ImagePuller;
import dev.peapod.image.ImageReference;
import dev.peapod.image.PullProgress;
import dev.peapod.image.registry.RegistryException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry in memory in front of {@link FakeImages}: a pull of a reference the "registry" has
 * adds it to the store; any other fails as a real registry's "not found" does. A repository may
 * require credentials. Records every pull with the credentials it was given.
 *
 * <p>Contract as {@link ImagePuller}: thread safe, failures throw {@link RegistryException}.
 */
public final class FakeImagePuller implements ImagePuller {
    /** One pull: the normalised reference and the credentials passed. */
    public record Pull(String reference, List<Credentials> credentials) {}

    private final FakeImages images;
    private final Map<String, Credentials> remote = new ConcurrentHashMap<>();
    private final List<Pull> pulls = new CopyOnWriteArrayList<>();
    private static final Credentials ANONYMOUS = new Credentials("", "", "");

    public FakeImagePuller(FakeImages images) {
        this.images = images;
    }

    /** The registry has {@code reference}, pullable by anyone. */
    public FakeImagePuller serve(String reference) {
        remote.put(ImageReference.parse(reference).toString(), ANONYMOUS);
        return this;
    }

    /** The registry has {@code reference}, pullable only with {@code credentials}. */
    public FakeImagePuller serve(String reference, Credentials credentials) {
        remote.put(ImageReference.parse(reference).toString(), credentials);
        return this;
    }

    public List<Pull> pulls() {
        return List.copyOf(pulls);
    }

    @Override
    public Image pull(String reference, List<Credentials> credentials, PullProgress progress) {
        ImageReference ref = ImageReference.parse(reference);
        pulls.add(new Pull(ref.toString(), List.copyOf(credentials)));
        Credentials needed = remote.get(ref.toString());
        if (needed == null) {
            throw new RegistryException(RegistryException.Kind.NOT_FOUND, "failed to pull image \"" + ref
                    + "\": failed to fetch manifest from " + ref.domain() + ": not found: MANIFEST_UNKNOWN: manifest unknown");
        }
        if (needed != ANONYMOUS && !credentials.contains(needed)) {
            throw new RegistryException(RegistryException.Kind.UNAUTHORIZED, "failed to pull image \"" + ref
                    + "\": failed to fetch manifest from " + ref.domain() + ": unauthorized: authentication required");
        }
        return images.add(reference);
    }
}
