package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * Derives the configuration one plugin receives on stdin from the network configuration (CNI
 * spec 1.0, section 3, "Deriving execution configuration from plugin configuration"). Pure.
 *
 * <ul>
 *   <li>{@code cniVersion} and {@code name} come from the list, overriding anything the plugin object says;</li>
 *   <li>{@code capabilities} is removed (the spec says so; libcni leaves it in, plugins ignore it);</li>
 *   <li>{@code runtimeConfig} holds the capability arguments the plugin declares with {@code true}
 *       and the runtime provides, and is absent when there are none;</li>
 *   <li>{@code prevResult} is the previous result (meaning depends on the operation), absent when null;</li>
 *   <li>every other field passes through unchanged, in its original order.</li>
 * </ul>
 */
final class ExecConfig {
    private ExecConfig() {}

    static ObjectNode derive(NetworkConfigList list, PluginConfig plugin, ObjectNode prevResult,
                             Map<String, JsonNode> capabilityArgs) {
        ObjectNode conf = plugin.raw();
        conf.remove("capabilities");
        conf.put("cniVersion", list.cniVersion());
        conf.put("name", list.name());
        ObjectNode runtimeConfig = CniJson.MAPPER.createObjectNode();
        for (String capability : plugin.capabilities()) {
            JsonNode value = capabilityArgs.get(capability);
            if (value != null) runtimeConfig.set(capability, value.deepCopy());
        }
        if (runtimeConfig.isEmpty()) {
            conf.remove("runtimeConfig");
        } else {
            conf.set("runtimeConfig", runtimeConfig);
        }
        if (prevResult == null) {
            conf.remove("prevResult");
        } else {
            conf.set("prevResult", prevResult.deepCopy());
        }
        return conf;
    }
}
