package dev.peapod.node.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The process environment, built in two steps like kubelet + containerd do it.
 *
 * <p>1. The container's own variables (kubelet {@code makeEnvironmentVariables},
 * pkg/kubelet/kubelet_pods.go): entries apply in order, a later one replacing an earlier one of
 * the same name; a literal value has its {@code $(VAR)} references expanded against the variables
 * defined before it (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/).
 * The image's variables are not visible to that expansion: kubelet does not know them.
 *
 * <p>2. The final list (containerd internal/cri/server/container_create.go {@code buildLinuxSpec}):
 * the default {@code PATH}, {@code HOSTNAME=<pod hostname>}, the image's {@code Env}, then the
 * container's variables; a name seen before is replaced in place, so the first position wins and
 * the last value wins ({@code replaceOrAppendEnvValues}); an image entry without {@code =} unsets.
 *
 * @param container the container's variables after step 1, in order (for command/args expansion)
 * @param process   the final {@code NAME=VALUE} list
 */
record Environment(Map<String, String> container, List<String> process) {

    /** containerd pkg/oci/spec.go {@code defaultUnixEnv}. */
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static Environment build(List<ResolvedEnv> declared, List<String> imageEnv, String hostname) {
        var vars = new LinkedHashMap<String, String>();
        for (ResolvedEnv e : declared) {
            String value = e.expand() ? Expansion.expand(e.value(), vars) : e.value();
            vars.put(e.name(), value);
        }
        var merged = new LinkedHashMap<String, String>();
        apply(merged, List.of(DEFAULT_PATH, "HOSTNAME=" + hostname));
        apply(merged, imageEnv);
        vars.forEach(merged::put);
        var process = new ArrayList<String>(merged.size());
        merged.forEach((k, v) -> { if (v != null) process.add(k + "=" + v); });
        return new Environment(Map.copyOf(vars), process);
    }

    /** Applies NAME=VALUE entries in place; "NAME" alone unsets (the slot keeps its position). */
    private static void apply(LinkedHashMap<String, String> env, List<String> entries) {
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                if (env.containsKey(entry)) env.put(entry, null);
            } else {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
    }
}
