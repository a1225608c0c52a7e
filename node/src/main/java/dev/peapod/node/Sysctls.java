package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Sysctl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pod sysctls (https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/): which the
 * node admits and what the pod's infra process sets. Pure.
 *
 * <p>Admission follows kubelet's sysctl allowlist admit handler (pkg/kubelet/sysctl/allowlist.go):
 * a sysctl is admitted when it is in the safe set (safe_sysctls.go, Kubernetes 1.35) or matches
 * the node's {@code allowedUnsafeSysctls}; a net.* sysctl is refused with hostNetwork and an IPC
 * one with hostIPC, since it would change the host's. The first refused sysctl rejects the whole
 * pod with reason {@value #FORBIDDEN_REASON} and "forbidden sysctl: ..." — nothing runs. Names may
 * use {@code /} as separator ({@code net/ipv4/ip_local_port_range}), converted like kubelet's
 * {@code convertSysctlVariableToDotsSeparator}.
 *
 * <p>The admitted sysctls go into the infra process's spec: the runtime writes them under
 * /proc/sys inside the pod's namespaces, and every container joins those network and IPC
 * namespaces (containerd sets them on the sandbox in the same way).
 */
final class Sysctls {
    private Sysctls() {}

    static final String FORBIDDEN_REASON = "SysctlForbidden";

    /**
     * Kubelet's safe set. The kernel minimums kubelet checks (up to 4.15, for tcp_rmem/tcp_wmem
     * namespacing) are below the 6.1 kernel Peapod requires, so all are always on.
     */
    static final List<String> SAFE = List.of(
            "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem",
            "net.ipv4.tcp_wmem");

    enum Namespace { IPC, NET }

    /** kubelet namespace.go: the namespace a sysctl lives in, empty when not known to be namespaced. */
    static Optional<Namespace> namespaceOf(String sysctl) {
        if (sysctl.equals("kernel.sem") || sysctl.startsWith("kernel.shm") || sysctl.startsWith("kernel.msg")
                || sysctl.startsWith("fs.mqueue.")) {
            return Optional.of(Namespace.IPC);
        }
        return sysctl.startsWith("net.") ? Optional.of(Namespace.NET) : Optional.empty();
    }

    /** {@code a/b.c/d} → {@code a.b/c.d} when the first separator is a slash; dotted names stay. */
    static String dotted(String name) {
        int dot = name.indexOf('.'), slash = name.indexOf('/');
        if (slash < 0 || (dot >= 0 && dot < slash)) return name;
        var out = new StringBuilder(name.length());
        for (char c : name.toCharArray()) out.append(c == '/' ? '.' : c == '.' ? '/' : c);
        return out.toString();
    }

    /**
     * Checks the node's allowedUnsafeSysctls as kubelet does at start-up.
     *
     * @throws IllegalArgumentException for an entry not known to be namespaced
     */
    static void checkAllowList(List<String> patterns) {
        for (String p : patterns) {
            String s = dotted(p);
            boolean prefix = s.endsWith("*");
            String name = prefix ? s.substring(0, s.length() - 1) : s;
            if (namespaceOf(name).isEmpty()) {
                throw new IllegalArgumentException(prefix ? "the sysctls \"" + s + "\" are not known to be namespaced"
                        : "the sysctl \"" + s + "\" are not known to be namespaced");
            }
        }
    }

    /** The rejection message ("forbidden sysctl: ...") for the pod's first refused sysctl, if any. */
    static Optional<String> refusal(Pod pod, List<String> allowedUnsafe) {
        for (Sysctl s : sysctls(pod)) {
            String error = check(dotted(s.getName()), pod, allowedUnsafe);
            if (error != null) return Optional.of("forbidden sysctl: " + error);
        }
        return Optional.empty();
    }

    private static String check(String name, Pod pod, List<String> allowedUnsafe) {
        if (!allowed(name, allowedUnsafe)) return "\"" + name + "\" not allowlisted";
        Namespace ns = namespaceOf(name).orElse(null);
        boolean hostNet = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        boolean hostIpc = Boolean.TRUE.equals(pod.getSpec().getHostIPC());
        if (ns == Namespace.NET && hostNet) return "\"" + name + "\" not allowed with host net enabled";
        if (ns == Namespace.IPC && hostIpc) return "\"" + name + "\" not allowed with host ipc enabled";
        return null;
    }

    private static boolean allowed(String name, List<String> allowedUnsafe) {
        if (SAFE.contains(name)) return true;
        for (String p : allowedUnsafe) {
            String d = dotted(p);
            if (d.endsWith("*") ? name.startsWith(d.substring(0, d.length() - 1)) : name.equals(d)) return true;
        }
        return false;
    }

    /** The sysctls for the infra spec ({@code linux.sysctl}), dotted, in the pod's order. */
    static Map<String, String> forInfra(Pod pod) {
        var out = new LinkedHashMap<String, String>();
        for (Sysctl s : sysctls(pod)) out.put(dotted(s.getName()), s.getValue() == null ? "" : s.getValue());
        return out;
    }

    private static List<Sysctl> sysctls(Pod pod) {
        var sc = pod.getSpec().getSecurityContext();
        return sc == null || sc.getSysctls() == null ? List.of() : sc.getSysctls();
    }
}
