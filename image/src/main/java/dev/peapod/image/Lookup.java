package dev.peapod.image;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a user's string finds an image, as Docker's image service does: a full id
 * ({@code sha256:<64 hex>} or the bare 64 hex), then a name (normalised; a digest reference
 * matches the config or manifest digest, the tag then being ignored as containerd's
 * {@code ParseDockerRef} does), then an id prefix of at least 12 hex characters that must be unique.
 */
final class Lookup {
    private static final Pattern FULL_HEX = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern HEX_PREFIX = Pattern.compile("[a-f0-9]{12,64}");

    private Lookup() {}

    /**
     * A found image.
     *
     * @param name the name it was found by, or null when found by id or digest
     */
    record Match(StoreIndex.Entry entry, String name) {}

    static Optional<Match> find(StoreIndex.Data index, String reference) {
        if (reference == null || reference.isBlank()) {
            throw new ImageException("failed to resolve image: empty reference");
        }
        String s = reference.strip();
        if (s.startsWith("sha256:") || FULL_HEX.matcher(s).matches()) {
            String id = s.startsWith("sha256:") ? s : "sha256:" + s;
            if (!Digests.isSha256(id)) {
                throw new ImageException("failed to resolve image \"" + reference + "\": invalid image id");
            }
            return byId(index, id);
        }
        ImageReference ref;
        try {
            ref = ImageReference.parse(s);
        } catch (ImageException e) {
            if (HEX_PREFIX.matcher(s).matches()) {
                return byPrefix(index, s, reference);
            }
            throw e;
        }
        Optional<Match> named = byReference(index, ref);
        return named.isPresent() || !HEX_PREFIX.matcher(s).matches() ? named : byPrefix(index, s, reference);
    }

    private static Optional<Match> byId(StoreIndex.Data index, String id) {
        return index.images().stream().filter(e -> e.id().equals(id)).findFirst().map(e -> new Match(e, null));
    }

    private static Optional<Match> byReference(StoreIndex.Data index, ImageReference ref) {
        if (ref.digest() != null) {
            return index.images().stream()
                    .filter(e -> e.id().equals(ref.digest()) || e.digests().contains(ref.digest()))
                    .findFirst().map(e -> new Match(e, null));
        }
        String name = ref.toString();
        return index.images().stream().filter(e -> e.names().contains(name)).findFirst()
                .map(e -> new Match(e, name));
    }

    private static Optional<Match> byPrefix(StoreIndex.Data index, String prefix, String reference) {
        List<StoreIndex.Entry> found = index.images().stream()
                .filter(e -> e.id().startsWith("sha256:" + prefix)).toList();
        if (found.size() > 1) {
            throw new ImageException("failed to resolve image \"" + reference + "\": id prefix matches "
                    + found.size() + " images");
        }
        return found.stream().findFirst().map(e -> new Match(e, null));
    }
}
