package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The ADD results on disk, one file per attachment: {@code <dir>/<network>-<containerId>-<ifName>.json}
 * (libcni keeps the same thing in /var/lib/cni/results; spec 1.0, section 3: "The runtime must
 * store the result returned by the final plugin persistently"). Files are written atomically with
 * a {@code version}; a file that cannot be read is reported, never guessed at. Thread safe for
 * different attachments (callers serialize per attachment).
 */
final class ResultCache {
    static final int VERSION = 1;
    static final String KIND = "peapod-cni-attachment";

    private final Path dir;

    ResultCache(Path dir) {
        this.dir = dir;
    }

    Path file(String network, String containerId, String ifName) {
        return dir.resolve(network + "-" + containerId + "-" + ifName + ".json");
    }

    void write(CachedAttachment attachment) {
        Path file = file(attachment.networkName(), attachment.containerId(), attachment.ifName());
        try {
            AtomicFiles.write(file, CniJson.bytes(toJson(attachment)), false);
        } catch (IOException e) {
            throw new NetworkException("failed to cache CNI result " + file + ": " + e.getMessage(), e);
        }
    }

    void delete(String network, String containerId, String ifName) {
        Path file = file(network, containerId, ifName);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new NetworkException("failed to delete cached CNI result " + file + ": " + e.getMessage(), e);
        }
    }

    /** The attachment cached for exactly this network, if any. */
    Optional<CachedAttachment> read(String network, String containerId, String ifName) {
        return readFile(file(network, containerId, ifName));
    }

    /**
     * The attachment of (containerId, ifName), preferring {@code network}'s and otherwise any
     * network's: after the configuration changed, the attachment must still be torn down with the
     * configuration it was made with. Only an unreadable entry of {@code network} itself is an error.
     */
    Optional<CachedAttachment> find(String network, String containerId, String ifName) {
        Optional<CachedAttachment> exact = read(network, containerId, ifName);
        if (exact.isPresent()) return exact;
        String suffix = "-" + containerId + "-" + ifName + ".json";
        for (Path file : files()) {
            if (!file.getFileName().toString().endsWith(suffix)) continue;
            Optional<CachedAttachment> found = readQuietly(file);
            if (found.isPresent() && found.get().containerId().equals(containerId) && found.get().ifName().equals(ifName)) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** Every readable cached attachment, by file name; unreadable files are skipped. */
    List<CachedAttachment> list() {
        List<CachedAttachment> out = new ArrayList<>();
        for (Path file : files()) readQuietly(file).ifPresent(out::add);
        return out;
    }

    /** Other networks' entries found by scanning: an unreadable one is not ours to report. */
    private static Optional<CachedAttachment> readQuietly(Path file) {
        try {
            return readFile(file);
        } catch (NetworkException e) {
            return Optional.empty();
        }
    }

    private List<Path> files() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new NetworkException("failed to list CNI result cache " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Optional<CachedAttachment> readFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NetworkException("failed to read cached CNI result " + file + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(fromJson(CniJson.parseObject(text)));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new NetworkException("failed to read cached CNI result " + file + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode toJson(CachedAttachment a) {
        ObjectNode root = CniJson.MAPPER.createObjectNode();
        root.put("version", VERSION);
        root.put("kind", KIND);
        root.put("networkName", a.networkName());
        root.put("containerId", a.containerId());
        root.put("ifName", a.ifName());
        if (a.request().netns() != null) root.put("netns", a.request().netns().toString());
        ArrayNode args = root.putArray("cniArgs");
        a.request().args().forEach(arg -> args.addArray().add(arg.key()).add(arg.value()));
        ObjectNode caps = root.putObject("capabilityArgs");
        a.request().capabilityArgs().forEach(caps::set);
        root.set("config", a.config().toJson());
        root.set("result", a.result().raw());
        return root;
    }

    static CachedAttachment fromJson(ObjectNode root) {
        JsonNode version = root.get("version");
        if (version == null || version.intValue() != VERSION || !KIND.equals(CniJson.text(root, "kind"))) {
            throw new IllegalArgumentException("not a version " + VERSION + " " + KIND + " document");
        }
        List<CniArg> args = new ArrayList<>();
        for (JsonNode pair : root.path("cniArgs")) args.add(new CniArg(pair.get(0).asText(), pair.get(1).asText()));
        Map<String, JsonNode> caps = new LinkedHashMap<>();
        root.path("capabilityArgs").properties().forEach(e -> caps.put(e.getKey(), e.getValue()));
        String netns = CniJson.text(root, "netns");
        var request = new AttachmentRequest(CniJson.text(root, "containerId"), CniJson.text(root, "ifName"),
                netns == null ? null : Path.of(netns), args, caps);
        JsonNode configNode = root.get("config");
        if (configNode == null || !configNode.isObject()) throw new IllegalArgumentException("no config");
        NetworkConfigList config = NetworkConfigList.fromJson((ObjectNode) configNode);
        JsonNode result = root.get("result");
        if (result == null || !result.isObject()) throw new IllegalArgumentException("no result");
        if (!config.name().equals(CniJson.text(root, "networkName"))) {
            throw new IllegalArgumentException("networkName does not match the cached configuration's name");
        }
        return new CachedAttachment(config, request, CniResult.parse((ObjectNode) result));
    }
}
