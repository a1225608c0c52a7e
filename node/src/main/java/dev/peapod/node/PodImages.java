package dev.peapod.node;

import dev.peapod.image.Image;
import dev.peapod.image.Images;
import dev.peapod.node.gc.ImagesInUse;
import io.fabric8.kubernetes.api.model.Pod;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;

/**
 * The one way a pod gets an image, for its containers and its image volumes alike: made present
 * as the pull policy asks ({@link ImageEnsurer}, where the registry puller plugs in), recorded as in
 * use by the pod until the pod is removed ({@link ImagesInUse}) and as used now (the store's last
 * use, for image garbage collection), then its layers. Thread safe.
 */
final class PodImages {
    private final Images images;
    private final ImageEnsurer ensurer;
    private final InstantSource clock;

    PodImages(Images images, ImageEnsurer ensurer, InstantSource clock) {
        this.images = images;
        this.ensurer = ensurer;
        this.clock = clock;
    }

    /**
     * The image, present and recorded in use by the pod whose paths are given.
     *
     * @param container the container that needs it (its own image, or an image volume it mounts), for events
     */
    Image ensure(Pod pod, String container, PodPaths paths, String reference, String pullPolicy)
            throws ContainerStartException {
        Image image = ensurer.ensure(pod, container, reference, pullPolicy);
        try {
            ImagesInUse.record(paths.dataDir(), image.id());
            images.markUsed(image.id(), clock.instant());
        } catch (RuntimeException e) {
            throw new ContainerStartException("CreateContainerConfigError",
                    "failed to record image " + image.id() + " in use: " + e.getMessage(), e);
        }
        return image;
    }

    /** Unpacked layer directories, topmost first. */
    List<Path> layerDirs(Image image) {
        return images.layerDirs(image);
    }
}
