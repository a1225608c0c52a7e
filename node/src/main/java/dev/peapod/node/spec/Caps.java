package dev.peapod.node.spec;

import dev.peapod.oci.spec.Process;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Capability sets of a container process.
 *
 * <p>Default: the 14 capabilities containerd grants (containerd pkg/oci/spec.go
 * {@code defaultUnixCaps}, the Docker set; containerd/containerd#10434 tracks trimming it and
 * #10435 was withdrawn) in the bounding, effective and permitted sets; inheritable and ambient
 * stay empty (containerd dropped inheritable for CVE-2022-24769 and clears ambient,
 * kubernetes/kubernetes#56374).
 *
 * <p>{@code securityContext.capabilities} (containerd internal/cri/opts {@code WithCapabilities}):
 * {@code add: [ALL]} grants every capability and {@code drop: [ALL]} removes every one before the
 * individual adds and drops apply; {@code ALL} and {@code privileged} mean the capabilities
 * the host lets the runtime grant (containerd: {@code cap.Current()}). Names are accepted with or without the {@code CAP_} prefix
 * (the API uses {@code NET_ADMIN}; CRI-O accepts both).
 */
final class Caps {
    private Caps() {}

    static final List<String> DEFAULT = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** Every capability of Linux 5.9+ (capability.h, 0..40), for privileged and {@code add: [ALL]}. */
    static final List<String> ALL = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
            "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** @param grantable the host's capabilities ({@link HostFacts#capabilities()}): privileged and {@code ALL} mean these */
    static Process.Capabilities of(Security sec, List<String> grantable) {
        List<String> set = sec.privileged() ? grantable : adjusted(sec.capAdd(), sec.capDrop(), grantable);
        return new Process.Capabilities(set, set, List.of(), set, List.of());
    }

    private static List<String> adjusted(List<String> add, List<String> drop, List<String> grantable) {
        var set = new ArrayList<>(DEFAULT);
        if (add.stream().anyMatch(Caps::isAll)) set = new ArrayList<>(grantable);
        if (drop.stream().anyMatch(Caps::isAll)) set.clear();
        for (String a : add) {
            if (isAll(a)) continue;
            String name = normalize(a);
            if (!set.contains(name)) set.add(name);
        }
        for (String d : drop) {
            if (!isAll(d)) set.remove(normalize(d));
        }
        return set;
    }

    private static boolean isAll(String c) { return c.strip().equalsIgnoreCase("ALL"); }

    static String normalize(String c) {
        String upper = c.strip().toUpperCase(Locale.ROOT);
        return upper.startsWith("CAP_") ? upper : "CAP_" + upper;
    }
}
