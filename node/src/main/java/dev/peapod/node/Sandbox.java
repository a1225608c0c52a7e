package dev.peapod.node;

import java.time.Instant;

/**
 * A running pod sandbox: the infra container's id and pid (its namespaces are joined through
 * {@code /proc/<pid>/ns/*}) and the pod cgroup.
 */
record Sandbox(String id, int pid, String cgroupPath, Instant createdAt, java.util.List<String> podIps, String hostname) {

    String podIp() { return podIps.isEmpty() ? null : podIps.getFirst(); }


    String nsPath(String ns) { return "/proc/" + pid + "/ns/" + ns; }
}
