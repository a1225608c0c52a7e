package dev.peapod.testing;

import dev.peapod.image.Image;
import dev.peapod.image.ImageConfig;
import dev.peapod.image.ImageDetails;
import dev.peapod.image.ImageException;
import dev.peapod.image.ImageReference;
import dev.peapod.image.Images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory {@link Images}: tests {@link #add} images by reference; references are normalised
 * like the real store ({@code busybox} is {@code docker.io/library/busybox:latest}). Each image has
 * one layer, an empty directory under the root given to the constructor.
 *
 * <p>Contract as {@link Images}: thread safe; failures throw {@link ImageException}.
 * {@link #load} is not supported (it reads no archives).
 */
public final class FakeImages implements Images {
    /** busybox's published config: no entrypoint, Cmd {@code ["sh"]}, PATH only. */
    public static final ImageConfig BUSYBOX = new ImageConfig(List.of(), List.of("sh"),
            List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), null, null, null);

    private final Path root;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Image> images = new ArrayList<>();
    private final Map<String, Instant> lastUsed = new HashMap<>();

    /** @param root a real directory for the layer directories (created if missing) */
    public FakeImages(Path root) {
        this.root = root;
    }

    /** Adds an image of {@code size} bytes with {@link #BUSYBOX}'s config, last used at {@code lastUsed}. */
    public Image add(String reference, long size, Instant lastUsed) {
        Image base = add(reference);
        var image = new Image(base.id(), base.names(), base.config(), base.diffIds(), size);
        lock.lock();
        try {
            images.set(images.indexOf(base), image);
            this.lastUsed.put(image.id(), lastUsed);
        } finally {
            lock.unlock();
        }
        return image;
    }

    /** Adds an image with {@link #BUSYBOX}'s config. */
    public Image add(String reference) {
        return add(reference, BUSYBOX);
    }

    /** Adds (or replaces) the image named {@code reference}; its id is derived from the normalised name. */
    public Image add(String reference, ImageConfig config) {
        String name = ImageReference.parse(reference).toString();
        var image = new Image("sha256:" + sha256(name), List.of(name), config, List.of("sha256:" + sha256("layer " + name)), 0);
        lock.lock();
        try {
            images.removeIf(i -> i.names().contains(name));
            images.add(image);
        } finally {
            lock.unlock();
        }
        return image;
    }

    @Override
    public List<Image> load(Path archive) {
        throw new ImageException("failed to load image archive " + archive + ": FakeImages reads no archives; use add()");
    }

    @Override
    public Optional<Image> resolve(String reference) {
        lock.lock();
        try {
            for (Image i : images) if (i.id().equals(reference) || i.id().equals("sha256:" + reference)) return Optional.of(i);
            String name = ImageReference.parse(reference).toString();
            return images.stream().filter(i -> i.names().contains(name)).findFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Image> list() {
        lock.lock();
        try {
            return List.copyOf(images);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(String reference) {
        var found = resolve(reference);
        lock.lock();
        try {
            return found.isPresent() && images.remove(found.get());
        } finally {
            lock.unlock();
        }
    }

    /** The image with no manifest digest and a config holding only its rootfs. */
    @Override
    public Optional<ImageDetails> inspect(String reference) {
        return resolve(reference).map(i -> new ImageDetails(i, List.of(),
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + String.join("\",\"", i.diffIds()) + "\"]}}"));
    }

    /** Frees each removed image's size (fake images share no layers). */
    @Override
    public long removeImages(Collection<String> ids) {
        lock.lock();
        try {
            long freed = 0;
            for (Image i : List.copyOf(images)) {
                if (ids.contains(i.id()) && images.remove(i)) freed += i.size();
            }
            return freed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void markUsed(String imageId, Instant at) {
        lock.lock();
        try {
            lastUsed.put(imageId, at);
        } finally {
            lock.unlock();
        }
    }

    /** Images never marked count as used at the epoch. */
    @Override
    public Map<String, Instant> lastUsed() {
        lock.lock();
        try {
            var out = new HashMap<String, Instant>();
            images.forEach(i -> out.put(i.id(), lastUsed.getOrDefault(i.id(), Instant.EPOCH)));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** One empty directory per image, created on first use. */
    @Override
    public List<Path> layerDirs(Image image) {
        lock.lock();
        try {
            if (!images.contains(image)) throw new ImageException("failed to find layers of image " + image.id() + ": not in the store");
        } finally {
            lock.unlock();
        }
        Path dir = root.resolve(image.id().substring("sha256:".length())).resolve("layer-0");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ImageException("failed to create layer dir " + dir + ": " + e.getMessage(), e);
        }
        return List.of(dir);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
