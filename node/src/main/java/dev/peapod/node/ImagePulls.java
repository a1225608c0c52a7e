package dev.peapod.node;

import dev.peapod.image.Image;
import dev.peapod.image.ImageException;
import dev.peapod.image.ImagePuller;
import dev.peapod.image.Images;
import dev.peapod.image.PullProgress;
import dev.peapod.image.registry.DockerConfig;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A container's image by its {@code imagePullPolicy}, as kubelet's image manager
 * ({@code pkg/kubelet/images/image_manager.go} EnsureImageExists) decides: {@code Never} uses
 * the local image or fails with {@code ErrImageNeverPull}; {@code IfNotPresent} pulls only a
 * missing image; {@code Always} pulls every time (a registry that has not changed costs one
 * manifest request: layers in the store are not fetched again). A failed pull is
 * {@code ErrImagePull} with the registry's cause; the worker's backoff then shows
 * {@code ImagePullBackOff}. Credentials come from the pod's {@code imagePullSecrets}
 * ({@code kubernetes.io/dockerconfigjson}, or the legacy {@code kubernetes.io/dockercfg}).
 *
 * <p>An engine without registry access ({@link ImagePuller#DISABLED}) uses a present image
 * whatever the policy: the pull it would need cannot happen there.
 *
 * <p>Events, with kubelet's wording (image_manager.go): {@code Pulled} "Container image \"x\" already
 * present on machine", {@code ErrImageNeverPull}, {@code Pulling} "Pulling image \"x\"", {@code Pulled}
 * "Successfully pulled image \"x\" in 1.2s (1.2s including waiting). Image size: N bytes.",
 * {@code Failed} "Failed to pull image \"x\": cause"; a missing pull secret is a
 * {@code FailedToRetrieveImagePullSecret} warning and the pull goes on without it.
 */
final class ImagePulls implements ImageEnsurer {
    /** Where events go: (pod, container, type, reason, message). */
    interface Events {
        void event(Pod pod, String container, String type, String reason, String message);
    }

    private final Images images;
    private final ImagePuller puller;
    private final ConfigSource config;
    private final Events events;

    ImagePulls(Images images, ImagePuller puller, ConfigSource config, Events events) {
        this.images = images;
        this.puller = puller;
        this.config = config;
        this.events = events;
    }

    @Override
    public Image ensure(Pod pod, String container, String ref, String pullPolicy) throws ContainerStartException {
        var present = images.resolve(ref);
        String policy = pullPolicy == null ? "IfNotPresent" : pullPolicy;
        if (present.isPresent() && (policy.equals("Never") || policy.equals("IfNotPresent") || puller == ImagePuller.DISABLED)) {
            events.event(pod, container, "Normal", "Pulled", "Container image \"" + ref + "\" already present on machine");
            return present.get();
        }
        if (policy.equals("Never")) {
            events.event(pod, container, "Warning", "ErrImageNeverPull",
                    "Container image \"" + ref + "\" is not present with pull policy of Never");
            throw new ContainerStartException("ErrImageNeverPull",
                    "Container image \"" + ref + "\" is not present with pull policy of Never");
        }
        var credentials = credentials(pod);
        events.event(pod, container, "Normal", "Pulling", "Pulling image \"" + ref + "\"");
        long start = System.nanoTime();
        try {
            Image image = puller.pull(ref, credentials, PullProgress.NONE);
            String took = seconds(Duration.ofNanos(System.nanoTime() - start));
            events.event(pod, container, "Normal", "Pulled", "Successfully pulled image \"" + ref + "\" in " + took
                    + " (" + took + " including waiting). Image size: " + image.size() + " bytes.");
            return image;
        } catch (ImageException e) {
            events.event(pod, container, "Warning", "Failed", "Failed to pull image \"" + ref + "\": " + e.getMessage());
            throw new ContainerStartException("ErrImagePull", e.getMessage(), e);
        }
    }

    /** The pod's imagePullSecrets, in order; one that is missing or unreadable is reported and skipped. */
    private List<ImagePuller.Credentials> credentials(Pod pod) {
        List<ImagePuller.Credentials> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        String ns = pod.getMetadata().getNamespace();
        for (LocalObjectReference s : pod.getSpec().getImagePullSecrets()) {
            var secret = config.secret(ns, s.getName());
            if (secret.isEmpty()) {
                missing.add(s.getName());
                continue;
            }
            try {
                out.addAll(fromSecret(secret.get()));
            } catch (IllegalArgumentException e) {
                missing.add(s.getName() + ": " + e.getMessage());
            }
        }
        if (!missing.isEmpty()) {
            // kubelet_pods.go getPullSecretsForPod: the same warning, and the pull goes on.
            events.event(pod, null, "Warning", "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets ("
                    + String.join(", ", missing) + "); attempting to pull the image may not succeed.");
        }
        return out;
    }

    static List<ImagePuller.Credentials> fromSecret(Secret s) {
        String type = s.getType() == null ? "" : s.getType();
        String key = switch (type) {
            case "kubernetes.io/dockerconfigjson" -> ".dockerconfigjson";
            case "kubernetes.io/dockercfg" -> ".dockercfg";
            default -> throw new IllegalArgumentException("type " + (type.isEmpty() ? "Opaque" : type)
                    + " is not kubernetes.io/dockerconfigjson");
        };
        byte[] json = value(s, key);
        if (json == null) throw new IllegalArgumentException("no " + key + " key");
        if (key.equals(".dockercfg")) {
            // The legacy format is the "auths" map alone.
            json = ("{\"auths\":" + new String(json, StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.UTF_8);
        }
        return DockerConfig.parse(json);
    }

    private static byte[] value(Secret s, String key) {
        if (s.getStringData() != null && s.getStringData().get(key) != null) {
            return s.getStringData().get(key).getBytes(StandardCharsets.UTF_8);
        }
        if (s.getData() != null && s.getData().get(key) != null) {
            try {
                return Base64.getDecoder().decode(s.getData().get(key).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + " is not base64");
            }
        }
        return null;
    }

    /** Go's time.Duration formatting, rounded to milliseconds as kubelet's event shows it: 1.234s, 450ms. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + "ms" : String.format(Locale.ROOT, "%.3fs", ms / 1000.0).replaceAll("\\.?0+s$", "s");
    }
}
