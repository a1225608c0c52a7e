package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-attachment parameters of a CNI operation (spec 1.0, section 3, "Attachment
 * Parameters"). An attachment is identified by (network name, container ID, interface name).
 *
 * @param containerId    the runtime's ID for the container (for Peapod: the sandbox ID)
 * @param ifName         the interface to create inside the namespace, {@code eth0} by default
 * @param netns          the network namespace path; required for ADD and CHECK, optional for DEL
 * @param args           {@code CNI_ARGS}, in order
 * @param capabilityArgs capability arguments by name (e.g. {@code portMappings}); a plugin only
 *                       sees those it declares in its {@code capabilities}
 */
public record AttachmentRequest(String containerId, String ifName, Path netns, List<CniArg> args,
                                Map<String, JsonNode> capabilityArgs) {
    public static final String DEFAULT_IFNAME = "eth0";

    public AttachmentRequest {
        if (!CniNames.validId(containerId)) {
            throw new IllegalArgumentException("container ID " + containerId + " is invalid (CNI spec: alphanumeric first, then alphanumerics, '_', '.', '-')");
        }
        String problem = CniNames.interfaceNameProblem(ifName);
        if (problem != null) throw new IllegalArgumentException(problem);
        args = List.copyOf(args);
        Map<String, JsonNode> copy = new LinkedHashMap<>();
        capabilityArgs.forEach((k, v) -> copy.put(k, v.deepCopy()));
        capabilityArgs = java.util.Collections.unmodifiableMap(copy);
    }

    /** An attachment on {@code eth0} with no arguments. */
    public static AttachmentRequest of(String containerId, Path netns) {
        return new AttachmentRequest(containerId, DEFAULT_IFNAME, netns, List.of(), Map.of());
    }

    public AttachmentRequest withArgs(List<CniArg> newArgs) {
        return new AttachmentRequest(containerId, ifName, netns, newArgs, capabilityArgs);
    }

    /** Adds (or replaces) one capability argument; {@code value} is converted to JSON with Jackson. */
    public AttachmentRequest withCapability(String name, Object value) {
        Map<String, JsonNode> caps = new LinkedHashMap<>(capabilityArgs);
        caps.put(name, value instanceof JsonNode node ? node : CniJson.MAPPER.valueToTree(value));
        return new AttachmentRequest(containerId, ifName, netns, args, caps);
    }

    /** The {@code portMappings} capability argument; an empty list removes it. */
    public AttachmentRequest withPortMappings(List<PortMapping> mappings) {
        if (mappings.isEmpty()) {
            Map<String, JsonNode> caps = new LinkedHashMap<>(capabilityArgs);
            caps.remove("portMappings");
            return new AttachmentRequest(containerId, ifName, netns, args, caps);
        }
        ArrayNode array = CniJson.MAPPER.createArrayNode();
        mappings.forEach(m -> array.add(m.toJson()));
        return withCapability("portMappings", array);
    }

    public AttachmentRequest withNetns(Path path) {
        return new AttachmentRequest(containerId, ifName, path, args, capabilityArgs);
    }

    public AttachmentRequest withIfName(String name) {
        return new AttachmentRequest(containerId, name, netns, args, capabilityArgs);
    }
}
