package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A CNI network configuration (CNI spec 1.0, section 1): a named list of plugins run in order on
 * ADD and in reverse on DEL.
 *
 * @param cniVersion   the spec version the list and all its plugins conform to ("1.0.0")
 * @param name         the network's name, unique on the host; it keys IPAM state and our result cache
 * @param disableCheck when true the runtime must never call CHECK
 * @param plugins      the chain, at least one
 */
public record NetworkConfigList(String cniVersion, String name, boolean disableCheck, List<PluginConfig> plugins) {
    public NetworkConfigList {
        if (!CniNames.validId(name)) {
            throw new IllegalArgumentException("network name " + (name == null ? "is missing" : "'" + name + "' is invalid"));
        }
        if (!CniVersion.valid(cniVersion)) {
            throw new IllegalArgumentException("cniVersion " + (cniVersion == null ? "is missing" : "'" + cniVersion + "' is invalid"));
        }
        if (plugins == null || plugins.isEmpty()) {
            throw new IllegalArgumentException("no plugins in list");
        }
        plugins = List.copyOf(plugins);
    }

    /**
     * Parses a {@code .conflist} document (libcni's NetworkConfFromBytes rules: {@code disableCheck}
     * may be a boolean or the string "true"/"false").
     */
    public static NetworkConfigList fromConflist(String json) {
        return fromJson(CniJson.parseObject(json));
    }

    static NetworkConfigList fromJson(ObjectNode root) {
        JsonNode pluginsNode = root.get("plugins");
        if (pluginsNode == null || !pluginsNode.isArray()) {
            throw new IllegalArgumentException("no 'plugins' list");
        }
        List<PluginConfig> plugins = new ArrayList<>();
        int i = 0;
        for (JsonNode plugin : pluginsNode) {
            if (!plugin.isObject()) {
                throw new IllegalArgumentException("plugin " + i + " is not an object");
            }
            try {
                plugins.add(PluginConfig.of((ObjectNode) plugin));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("plugin " + i + ": " + e.getMessage(), e);
            }
            i++;
        }
        return new NetworkConfigList(versionOf(root), CniJson.text(root, "name"), disableCheck(root), plugins);
    }

    /**
     * Parses a single-plugin {@code .conf} document and wraps it as a one-plugin list, as libcni's
     * ConfListFromConf does (spec 1.0 removed non-list configurations, but runtimes still read them).
     */
    public static NetworkConfigList fromSingleConf(String json) {
        ObjectNode root = CniJson.parseObject(json);
        if (root.has("plugins")) {
            throw new IllegalArgumentException("a .conf file holds one plugin, but this one has a 'plugins' list");
        }
        return new NetworkConfigList(versionOf(root), CniJson.text(root, "name"), false, List.of(PluginConfig.of(root)));
    }

    private static String versionOf(ObjectNode root) {
        JsonNode v = root.get("cniVersion");
        if (v != null && !v.isTextual()) {
            throw new IllegalArgumentException("cniVersion is not a string");
        }
        return v == null ? null : v.asText();
    }

    private static boolean disableCheck(ObjectNode root) {
        JsonNode v = root.get("disableCheck");
        if (v == null || v.isNull()) return false;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(v.asText().toLowerCase());
        }
        throw new IllegalArgumentException("disableCheck is neither true nor false: " + v);
    }

    /** The list as a {@code .conflist} JSON object (what the result cache stores). */
    public ObjectNode toJson() {
        ObjectNode root = CniJson.MAPPER.createObjectNode();
        root.put("cniVersion", cniVersion);
        root.put("name", name);
        if (disableCheck) root.put("disableCheck", true);
        ArrayNode array = root.putArray("plugins");
        plugins.forEach(p -> array.add(p.raw()));
        return root;
    }
}
