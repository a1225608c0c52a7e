package dev.peapod.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the parts of an image config (OCI image-spec config.md; Docker's image JSON is the same
 * shape) that Peapod uses: {@code config.Entrypoint, Cmd, Env, WorkingDir, User, StopSignal} and
 * {@code rootfs.diff_ids}.
 */
final class ImageConfigs {
    static final ObjectMapper JSON = new ObjectMapper();

    private ImageConfigs() {}

    /** A parsed config: what runs, and the diff_ids its layers must unpack to, base first. */
    record Parsed(ImageConfig config, List<String> diffIds) {}

    /** @param label how errors name the config ({@code sha256:...}) */
    static Parsed parse(byte[] json, String label) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new ImageException("failed to parse image config " + label + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ImageException("failed to parse image config " + label + ": not a JSON object");
        }
        JsonNode rootfs = root.path("rootfs");
        if (!rootfs.path("type").asText("").equals("layers") || !rootfs.path("diff_ids").isArray()) {
            throw new ImageException("failed to parse image config " + label
                    + ": rootfs must have type \"layers\" and a diff_ids list");
        }
        List<String> diffIds = new ArrayList<>();
        for (JsonNode d : rootfs.path("diff_ids")) {
            if (!Digests.isSha256(d.asText(""))) {
                throw new ImageException("failed to parse image config " + label + ": invalid diff_id " + d);
            }
            diffIds.add(d.asText());
        }
        JsonNode c = root.path("config");
        ImageConfig config = new ImageConfig(strings(c, "Entrypoint", label), strings(c, "Cmd", label),
                strings(c, "Env", label), text(c, "WorkingDir"), text(c, "User"), text(c, "StopSignal"));
        return new Parsed(config, List.copyOf(diffIds));
    }

    private static List<String> strings(JsonNode c, String field, String label) {
        JsonNode n = c.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new ImageException("failed to parse image config " + label + ": config." + field + " is not a list");
        }
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Empty strings count as unset, as Docker treats them. */
    private static String text(JsonNode c, String field) {
        JsonNode n = c.path(field);
        return n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }
}
