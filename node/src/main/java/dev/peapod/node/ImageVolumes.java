package dev.peapod.node;

import dev.peapod.image.Image;
import dev.peapod.oci.Mounter;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Image volumes ({@code volumes[].image}, KEP-4639, GA in Kubernetes 1.36;
 * https://kubernetes.io/docs/tasks/configure-pod-container/image-volumes/): the image's layers
 * merged as for a container rootfs and mounted read-only, once per pod, at
 * {@code <pod data dir>/volumes/kubernetes.io~image/<volume>}; containers bind it (always {@code ro}, also with a
 * {@code subPath}).
 *
 * <p>The image is resolved when the first container that mounts the volume is created, not with
 * the sandbox: kubelet delays image volume errors to each container's start "to present the correct
 * image waiting reason" (kuberuntime_manager.go {@code toKubeContainerImageVolumes}), so a missing
 * image leaves the containers that mount it in {@code ErrImageNeverPull} or {@code ErrImagePull}
 * then {@code ImagePullBackOff}, and the others run. No {@code noexec}: the KEP once asked for it,
 * but containerd and CRI-O never set it and kubernetes#135775 took it out of the API docs.
 *
 * <p>Thread safe: containers created in parallel mount a volume once (one lock per engine; a mount
 * takes well under a millisecond). {@link Volumes#tearDown} unmounts them with the pod.
 */
final class ImageVolumes {
    /**
     * Where a pod's image volume is mounted on the host: beside its other volumes (kubelet's
     * {@code volumes/kubernetes.io~<plugin>/<name>} layout), so that the sandbox's run dir holds no
     * mount when the sandbox goes, and {@link Volumes#tearDown} unmounts it before the volumes dir
     * is deleted.
     */
    static Path mountPoint(PodPaths paths, String volume) {
        return paths.volumes().resolve("kubernetes.io~image").resolve(volume);
    }

    /** Whether {@code volume} names an image volume of the pod. */
    static boolean isImageVolume(Pod pod, String volume) {
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getName().equals(volume)) return v.getImage() != null;
        }
        return false;
    }

    private final PodImages images;
    private final Mounter mounter;
    private final ReentrantLock lock = new ReentrantLock();

    ImageVolumes(PodImages images, Mounter mounter) {
        this.images = images;
        this.mounter = mounter;
    }

    /** Mounts every image volume {@code c} mounts that is not mounted yet. */
    void ensureFor(Pod pod, PodPaths paths, Container c) throws ContainerStartException {
        for (VolumeMount m : c.getVolumeMounts()) {
            for (Volume v : pod.getSpec().getVolumes()) {
                if (v.getName().equals(m.getName()) && v.getImage() != null) ensure(pod, c.getName(), paths, v);
            }
        }
    }

    private void ensure(Pod pod, String container, PodPaths paths, Volume v) throws ContainerStartException {
        Path target = mountPoint(paths, v.getName());
        lock.lock();
        try {
            if (Files.isDirectory(target) && mounter.isMounted(target)) return;
            Image image = images.ensure(pod, container, paths, v.getImage().getReference(), v.getImage().getPullPolicy());
            Files.createDirectories(target);
            mounter.mountReadOnlyLayers(images.layerDirs(image), target);
        } catch (IOException | RuntimeException e) {
            throw new ContainerStartException("CreateContainerError", "failed to mount image volume \""
                    + v.getName() + "\" (" + v.getImage().getReference() + "): " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
