package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One plugin configuration object of a network configuration list, kept as the raw JSON object
 * because the runtime "MUST pass through these fields, unchanged, to the plugin" (CNI spec 1.0,
 * section 1). Immutable: the accessor hands out copies.
 *
 * @param type the plugin executable's name ({@code bridge}, {@code portmap}...)
 * @param raw  the whole object as it appears in the configuration
 */
public record PluginConfig(String type, ObjectNode raw) {
    public PluginConfig {
        if (!CniNames.validPluginType(type)) {
            throw new IllegalArgumentException("plugin type " + (type == null ? "is missing" : "'" + type + "' is invalid"));
        }
        raw = raw.deepCopy();
    }

    /** Reads a plugin configuration object; throws {@link IllegalArgumentException} if it has no valid type. */
    public static PluginConfig of(ObjectNode raw) {
        return new PluginConfig(CniJson.text(raw, "type"), raw);
    }

    @Override
    public ObjectNode raw() {
        return raw.deepCopy();
    }

    /**
     * The capabilities this plugin declares with {@code true} (spec section 3, "Deriving
     * runtimeConfig"): only these keys of the runtime's capability arguments reach it.
     */
    public Set<String> capabilities() {
        Set<String> out = new LinkedHashSet<>();
        JsonNode caps = raw.get("capabilities");
        if (caps != null && caps.isObject()) {
            for (Map.Entry<String, JsonNode> e : caps.properties()) {
                if (e.getValue().isBoolean() && e.getValue().booleanValue()) out.add(e.getKey());
            }
        }
        return Set.copyOf(out);
    }
}
