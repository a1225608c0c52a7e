package dev.peapod.node;

import dev.peapod.image.Image;
import dev.peapod.image.Images;

/**
 * Makes an image present in the local store as a pull policy asks: kubelet's
 * {@code ImageManager.EnsureImageExists} (pkg/kubelet/images/image_manager.go), which container
 * images and image volumes share (KEP-4639: "Behaves in the same way as pod.spec.containers[*].image").
 * The registry puller plugs in here (the engine builds {@link PodImages} with it); {@link #localOnly}
 * is the store without a registry.
 *
 * <p>Contract: thread safe; blocking (a pull may take long); failures throw
 * {@link ContainerStartException} with kubelet's reason: {@code ErrImageNeverPull} (policy Never,
 * image absent) or {@code ErrImagePull} (the pull failed), and a message that says what failed.
 */
interface ImageEnsurer {

    /**
     * The image {@code reference} names, present in the store.
     *
     * @param pullPolicy {@code Always}, {@code IfNotPresent} or {@code Never} (already defaulted by the API)
     */
    Image ensure(String reference, String pullPolicy) throws ContainerStartException;

    /**
     * The local store only: a present image is used whatever the policy (no registry to ask, so
     * {@code Always} cannot re-check); an absent one fails as kubelet reports it.
     */
    static ImageEnsurer localOnly(Images images) {
        return (reference, pullPolicy) -> {
            var image = images.resolve(reference);
            if (image.isPresent()) return image.get();
            if ("Never".equals(pullPolicy)) {
                throw new ContainerStartException("ErrImageNeverPull",
                        "Container image \"" + reference + "\" is not present with pull policy of Never");
            }
            throw new ContainerStartException("ErrImagePull", "failed to pull image \"" + reference
                    + "\": pulling from registries is not supported yet; load the image with `peapod image load FILE`");
        };
    }
}
