package dev.peapod.node;

import dev.peapod.image.Image;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Makes an image present in the local store as a pull policy asks: kubelet's
 * {@code ImageManager.EnsureImageExists} (pkg/kubelet/images/image_manager.go), which container
 * images and image volumes share (KEP-4639: "Behaves in the same way as pod.spec.containers[*].image").
 * {@link ImagePulls} is the implementation, with the registry puller or without one.
 *
 * <p>Contract: thread safe; blocking (a pull may take long); failures throw
 * {@link ContainerStartException} with kubelet's reason: {@code ErrImageNeverPull} (policy Never,
 * image absent) or {@code ErrImagePull} (the pull failed), and a message that says what failed.
 */
interface ImageEnsurer {

    /**
     * The image {@code reference} names, present in the store.
     *
     * @param pod        whose imagePullSecrets are the credentials, and whose events report the pull
     * @param container  the container the image is for (its image, or an image volume it mounts)
     * @param pullPolicy {@code Always}, {@code IfNotPresent} or {@code Never} (already defaulted by the API)
     */
    Image ensure(Pod pod, String container, String reference, String pullPolicy) throws ContainerStartException;
}
