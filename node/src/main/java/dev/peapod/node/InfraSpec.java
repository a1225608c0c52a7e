package dev.peapod.node;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI config of a pod's infra (pause) process: catatonit in pause mode as PID 1 of new
 * pid, network, ipc, uts and mount namespaces. It holds the namespaces that every container of
 * the pod joins (https://kubernetes.io/docs/concepts/workloads/pods/#how-pods-manage-multiple-containers).
 * Pure: returns the config.json document as a map.
 */
final class InfraSpec {
    private InfraSpec() {}

    static final String BINARY = "/catatonit";

    /**
     * @param netns  a network namespace to join (the pod network's), or null for a new one
     * @param hostNetwork the pod uses the host's network and UTS namespaces (and hostname)
     */
    static Map<String, Object> of(String rootfs, String hostname, String cgroupsPath, long nofileHard, int minOomScoreAdj,
                                  String netns, boolean hostNetwork) {
        var process = new LinkedHashMap<String, Object>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", 0, "gid", 0));
        process.put("args", List.of(BINARY, "-P"));
        process.put("env", List.of("PATH=/"));
        process.put("cwd", "/");
        // The pause process needs no privilege at all.
        process.put("capabilities", Map.of("bounding", List.of(), "effective", List.of(),
                "permitted", List.of(), "inheritable", List.of(), "ambient", List.of()));
        long nofile = Math.min(1024, nofileHard);
        process.put("rlimits", List.of(Map.of("type", "RLIMIT_NOFILE", "hard", nofile, "soft", nofile)));
        process.put("noNewPrivileges", true);
        // kubelet's PodInfraOOMAdj, raised to what this process may set (containerd restrict_oom_score_adj).
        process.put("oomScoreAdj", Math.max(-998, minOomScoreAdj));

        var linux = new LinkedHashMap<String, Object>();
        var namespaces = new java.util.ArrayList<Map<String, Object>>();
        namespaces.add(Map.of("type", "pid"));
        namespaces.add(Map.of("type", "ipc"));
        namespaces.add(Map.of("type", "mount"));
        if (!hostNetwork) {
            // hostNetwork pods share the host's network and UTS namespaces, and so its hostname.
            namespaces.add(netns == null ? Map.of("type", "network") : Map.of("type", "network", "path", netns));
            namespaces.add(Map.of("type", "uts"));
        }
        linux.put("namespaces", namespaces);
        linux.put("cgroupsPath", cgroupsPath);
        linux.put("maskedPaths", List.of("/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"));
        linux.put("readonlyPaths", List.of("/proc/sys", "/proc/sysrq-trigger"));

        var spec = new LinkedHashMap<String, Object>();
        spec.put("ociVersion", "1.0.2");
        spec.put("process", process);
        spec.put("root", Map.of("path", rootfs, "readonly", true));
        if (!hostNetwork) spec.put("hostname", hostname);
        spec.put("mounts", List.of(
                Map.of("destination", "/proc", "type", "proc", "source", "proc", "options", List.of("nosuid", "noexec", "nodev")),
                Map.of("destination", "/dev", "type", "tmpfs", "source", "tmpfs",
                        "options", List.of("nosuid", "strictatime", "mode=755", "size=65536k"))));
        spec.put("linux", linux);
        spec.put("annotations", Map.of("io.kubernetes.cri.container-type", "sandbox"));
        return spec;
    }

    /** Adds the pod's admitted sysctls ({@link Sysctls}): the runtime sets them in the pod's namespaces. */
    @SuppressWarnings("unchecked")
    static void sysctls(Map<String, Object> spec, Map<String, String> sysctls) {
        if (!sysctls.isEmpty()) ((Map<String, Object>) spec.get("linux")).put("sysctl", sysctls);
    }
}
