package dev.peapod.node;

import io.fabric8.kubernetes.api.model.Pod;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host ports pods hold. Two pods cannot both publish the same hostPort (per protocol and host
 * IP; an empty host IP means every address and clashes with all), as the scheduler's NodePorts
 * filter and kubelet's admission enforce (https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
 * and pkg/scheduler/framework/plugins/nodeports). Thread safe.
 */
final class HostPorts {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, String> owners = new HashMap<>(); // "proto/port/ip" -> pod ns/name

    /** Claims the pod's host ports; returns a description of the first conflict (nothing claimed then), or null. */
    String claim(Pod pod) {
        var ports = Sandboxes.hostPorts(pod);
        String me = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        lock.lock();
        try {
            for (var p : ports) {
                for (var e : owners.entrySet()) {
                    String[] k = e.getKey().split("/", 3);
                    boolean sameIp = k[2].isEmpty() || p.hostIp().isEmpty() || k[2].equals(p.hostIp());
                    if (k[0].equals(p.protocol()) && Integer.parseInt(k[1]) == p.hostPort() && sameIp) {
                        return "hostPort " + p.hostPort() + "/" + p.protocol() + " is already used by pod " + e.getValue();
                    }
                }
            }
            for (var p : ports) owners.put(p.protocol() + "/" + p.hostPort() + "/" + p.hostIp(), me);
            return null;
        } finally {
            lock.unlock();
        }
    }

    void release(Pod pod) {
        String me = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        lock.lock();
        try {
            owners.values().removeIf(me::equals);
        } finally {
            lock.unlock();
        }
    }
}
