package dev.peapod.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.oci.OciException;
import dev.peapod.oci.ProcessResult;
import dev.peapod.oci.ProcessRunner;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs one CNI plugin executable: finds it in the plugin directories, sets the {@code CNI_*}
 * environment (spec 1.0, section 2, "Parameters"), feeds the derived configuration on stdin and
 * reads the Success result from stdout or the Error object on failure. One call is one plugin
 * run (DESIGN habit 3: thin drivers). Thread safe.
 */
final class PluginInvoker {
    /**
     * Plugins run external tools by name (bridge's ipMasq, portmap and firewall run
     * {@code iptables} from /usr/sbin), and libcni hands them the runtime's whole environment.
     * Ours is exact, so PATH is the JVM's plus the standard system directories a service's PATH
     * may lack.
     */
    static final String PATH = pathForPlugins(System.getenv("PATH"));

    private final List<Path> pluginDirs;
    private final ProcessRunner runner;
    private final Duration timeout;

    PluginInvoker(List<Path> pluginDirs, ProcessRunner runner, Duration timeout) {
        this.pluginDirs = List.copyOf(pluginDirs);
        this.runner = runner;
        this.timeout = timeout;
    }

    static String pathForPlugins(String inherited) {
        Set<String> dirs = new LinkedHashSet<>();
        if (inherited != null) {
            for (String d : inherited.split(File.pathSeparator)) if (d.startsWith("/")) dirs.add(d);
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        return String.join(File.pathSeparator, dirs);
    }

    /**
     * Runs {@code plugin} with {@code command}; returns its stdout as a JSON object, or null when it
     * printed nothing (DEL and CHECK print nothing on success).
     *
     * @param netns the namespace path for CNI_NETNS, or null to leave it unset (allowed for DEL only)
     */
    ObjectNode invoke(String command, PluginConfig plugin, ObjectNode stdin, AttachmentRequest request, Path netns) {
        Path executable = find(plugin.type(), command);
        ProcessResult result;
        try {
            result = runner.run(List.of(executable.toString()), env(command, request, netns), CniJson.bytes(stdin), timeout);
        } catch (OciException e) {
            throw new CniException(plugin.type(), command, CniException.NO_CODE, e.getMessage(), "", "", e);
        }
        if (!result.succeeded()) {
            throw failure(plugin.type(), command, result);
        }
        String out = result.stdout().strip();
        if (out.isEmpty()) return null;
        try {
            return CniJson.parseObject(out);
        } catch (IllegalArgumentException e) {
            throw new CniException(plugin.type(), command, CniException.NO_CODE, "plugin printed an invalid result",
                    e.getMessage(), result.stderr().strip(), e);
        }
    }

    Path find(String type, String command) {
        for (Path dir : pluginDirs) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        throw new CniException(type, command, CniException.NO_CODE, "plugin executable not found in " + cniPath(), "", "", null);
    }

    Map<String, String> env(String command, AttachmentRequest request, Path netns) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", request.containerId());
        if (netns != null) env.put("CNI_NETNS", netns.toString());
        env.put("CNI_IFNAME", request.ifName());
        env.put("CNI_ARGS", CniArg.format(request.args()));
        env.put("CNI_PATH", cniPath());
        env.put("PATH", PATH);
        return env;
    }

    String cniPath() {
        return pluginDirs.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * The Error object from stdout (where skel-based plugins print it), else from stderr, else
     * stderr's text as the message (libcni's pluginErr does the same).
     */
    static CniException failure(String type, String command, ProcessResult result) {
        String stderr = result.stderr().strip();
        for (String candidate : List.of(result.stdout().strip(), stderr)) {
            ObjectNode error = errorObject(candidate);
            if (error != null) {
                JsonNode code = error.get("code");
                int c = code != null && code.canConvertToInt() ? code.intValue() : CniException.NO_CODE;
                String msg = CniJson.textOrEmpty(error, "msg");
                return new CniException(type, command, c, msg.isEmpty() ? "error code " + c : msg,
                        CniJson.textOrEmpty(error, "details"), stderr, null);
            }
        }
        return new CniException(type, command, CniException.NO_CODE, result.cause(), "", stderr, null);
    }

    private static ObjectNode errorObject(String text) {
        if (!text.startsWith("{")) return null;
        try {
            ObjectNode node = CniJson.parseObject(text);
            return node.has("code") || node.has("msg") ? node : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
