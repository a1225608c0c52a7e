package dev.peapod.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.image.ImageDetails;
import dev.peapod.image.ImageReference;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One image as {@code podman image inspect} shows it (its keys, so that {@code jq '.[0].Config.Env'}
 * scripts carry over): {@code Id} (hex), {@code Digest}, {@code RepoTags}, {@code RepoDigests},
 * {@code Created}, {@code Config} (the stored config's {@code config} object as is: Env,
 * Entrypoint, Cmd, WorkingDir, User, ExposedPorts, Labels, StopSignal…), {@code Architecture},
 * {@code Os}, {@code Size}, {@code Labels}, {@code RootFS} and {@code History}. Pure.
 */
final class ImageInspection {
    static final ObjectMapper JSON = new ObjectMapper();

    private ImageInspection() {}

    static ObjectNode of(ImageDetails details) {
        JsonNode config;
        try {
            config = JSON.readTree(details.configJson());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored image config is not JSON: " + e.getMessage(), e);
        }
        var image = details.image();
        ObjectNode out = JSON.createObjectNode();
        out.put("Id", image.id().startsWith("sha256:") ? image.id().substring(7) : image.id());
        if (!details.digests().isEmpty()) out.put("Digest", details.digests().getFirst());
        ArrayNode tags = out.putArray("RepoTags");
        image.names().forEach(tags::add);
        ArrayNode repoDigests = out.putArray("RepoDigests");
        repoDigests(image.names(), details).forEach(repoDigests::add);
        copyText(config, "created", out, "Created");
        out.set("Config", config.path("config").isObject() ? config.get("config") : JSON.createObjectNode());
        copyText(config, "architecture", out, "Architecture");
        copyText(config, "os", out, "Os");
        out.put("Size", image.size());
        out.set("Labels", config.path("config").path("Labels").isObject() ? config.path("config").get("Labels") : null);
        ObjectNode rootfs = out.putObject("RootFS");
        rootfs.put("Type", "layers");
        ArrayNode layers = rootfs.putArray("Layers");
        image.diffIds().forEach(layers::add);
        if (config.path("history").isArray()) out.set("History", config.get("history"));
        return out;
    }

    /** {@code repository@digest} for each name and manifest digest, as podman lists them. */
    static Set<String> repoDigests(java.util.List<String> names, ImageDetails details) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : names) {
            ImageReference ref = ImageReference.parse(name);
            for (String digest : details.digests()) out.add(ref.domain() + "/" + ref.path() + "@" + digest);
        }
        return out;
    }

    private static void copyText(JsonNode from, String field, ObjectNode to, String as) {
        if (from.path(field).isTextual()) to.put(as, from.get(field).asText());
    }
}
