package dev.peapod.image;

import java.util.List;

/**
 * Fetches images from registries into the local store.
 *
 * <p>Contract: thread safe and blocking; concurrent pulls of one reference share one download.
 * A failed pull leaves nothing of it in the store. Throws {@link ImageException} (a
 * {@code RegistryException} from the registry client) whose message says what failed.
 */
public interface ImagePuller {
    /**
     * Pulls {@code reference} (normalised like Docker's) for this host's platform.
     *
     * @param credentials tried in order on registries that ask for authentication (a pod's
     *                    imagePullSecrets); the puller's own configured credentials come after them
     */
    Image pull(String reference, List<Credentials> credentials, PullProgress progress);

    /** A user name and password (or token) for one registry. */
    record Credentials(String registry, String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + registry + ", " + username + "]"; // never the password
        }
    }

    /** No registry access: every pull fails saying so (tests, hosts without a network). */
    ImagePuller DISABLED = (reference, credentials, progress) -> {
        throw new ImageException("failed to pull image \"" + reference
                + "\": pulling from registries is disabled here; load the image with `peapod image load FILE`");
    };
}
