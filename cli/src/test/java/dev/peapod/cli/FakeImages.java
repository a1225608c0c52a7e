package dev.peapod.cli;

import dev.peapod.image.Image;
import dev.peapod.image.ImageDetails;
import dev.peapod.image.ImageException;
import dev.peapod.image.Images;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A stateful in-memory store: names are removed one at a time, the image goes with its last name. */
final class FakeImages implements Images {
    final List<Image> images = new ArrayList<>();
    final List<Path> loaded = new ArrayList<>();
    /** Stored configs and manifest digests by image id, for inspect (default: an empty config, no digest). */
    final Map<String, ImageDetails> details = new HashMap<>();
    final Map<String, Instant> lastUsed = new HashMap<>();

    FakeImages(Image... initial) {
        images.addAll(List.of(initial));
    }

    @Override
    public List<Image> load(Path archive) {
        loaded.add(archive);
        if (archive.getFileName().toString().contains("corrupt")) {
            throw new ImageException("failed to load image archive " + archive + ": manifest.json missing");
        }
        var image = new Image("sha256:" + "9".repeat(64), List.of("docker.io/library/" + archive.getFileName() + ":latest"),
                null, List.of(), 10);
        images.add(image);
        return List.of(image);
    }

    @Override
    public Optional<Image> resolve(String reference) {
        return images.stream().filter(i -> i.id().equals(reference) || i.names().contains(reference)).findFirst();
    }

    @Override
    public List<Image> list() {
        return List.copyOf(images);
    }

    @Override
    public boolean remove(String reference) {
        var found = resolve(reference);
        if (found.isEmpty()) return false;
        Image image = found.get();
        images.remove(image);
        var names = new ArrayList<>(image.names());
        if (!reference.equals(image.id()) && names.remove(reference) && !names.isEmpty()) {
            images.add(new Image(image.id(), names, image.config(), image.diffIds(), image.size()));
        }
        return true;
    }

    @Override
    public Optional<ImageDetails> inspect(String reference) {
        return resolve(reference).map(i -> details.getOrDefault(i.id(), new ImageDetails(i, List.of(), "{}")));
    }

    /** Frees each removed image's size (as if no layer were shared). */
    @Override
    public long removeImages(Collection<String> ids) {
        long freed = 0;
        for (Image i : List.copyOf(images)) {
            if (ids.contains(i.id()) && images.remove(i)) freed += i.size();
        }
        return freed;
    }

    @Override
    public void markUsed(String imageId, Instant at) {
        lastUsed.put(imageId, at);
    }

    @Override
    public Map<String, Instant> lastUsed() {
        var out = new HashMap<String, Instant>();
        images.forEach(i -> out.put(i.id(), lastUsed.getOrDefault(i.id(), Instant.EPOCH)));
        return out;
    }

    @Override
    public List<Path> layerDirs(Image image) {
        return List.of();
    }
}
