package dev.peapod.cli;

import dev.peapod.image.Image;
import dev.peapod.image.ImageDetails;
import dev.peapod.image.ImageException;
import dev.peapod.image.Images;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A fixed, read-only image list: what {@code __train} lists so that it never opens the real store. */
record StaticImages(List<Image> images) implements Images {
    StaticImages {
        images = List.copyOf(images);
    }

    @Override
    public List<Image> load(Path archive) {
        throw new ImageException("failed to load image archive " + archive + ": read-only image list");
    }

    @Override
    public Optional<Image> resolve(String reference) {
        return images.stream().filter(i -> i.id().equals(reference) || i.names().contains(reference)).findFirst();
    }

    @Override
    public List<Image> list() {
        return images;
    }

    @Override
    public boolean remove(String reference) {
        throw new ImageException("failed to remove image " + reference + ": read-only image list");
    }

    @Override
    public Optional<ImageDetails> inspect(String reference) {
        return resolve(reference).map(i -> new ImageDetails(i, List.of(), "{}"));
    }

    @Override
    public long removeImages(Collection<String> ids) {
        throw new ImageException("failed to remove images " + ids + ": read-only image list");
    }

    @Override
    public void markUsed(String imageId, Instant at) {
        // a fixed list keeps no usage
    }

    @Override
    public Map<String, Instant> lastUsed() {
        return Map.of();
    }

    @Override
    public List<Path> layerDirs(Image image) {
        return List.of();
    }
}
