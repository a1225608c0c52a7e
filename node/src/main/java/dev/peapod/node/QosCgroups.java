package dev.peapod.node;

import dev.peapod.node.spec.CgroupPolicy;
import dev.peapod.oci.Cgroups;
import dev.peapod.oci.OciException;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The QoS parent cgroups {@code /peapod/burstable} and {@code /peapod/besteffort} (kubelet's
 * {@code kubepods/burstable}, {@code kubepods/besteffort}): they come and go with their pods
 * ({@link dev.peapod.oci.HostCgroups} makes and removes parents), and get their weights from the
 * pure {@link CgroupPolicy#qosParent} each time a pod cgroup is made, removed or resized.
 * Thread safe: pod workers call it from their own threads.
 */
final class QosCgroups {
    static final String ROOT = "/peapod";

    private final Cgroups cgroups;
    private final ReentrantLock lock = new ReentrantLock();
    /** Pods that have a pod cgroup now, by uid. */
    private final Map<String, Pod> pods = new LinkedHashMap<>();

    QosCgroups(Cgroups cgroups) { this.cgroups = cgroups; }

    /** The pod's cgroup exists (its parent with it): the parent's weight follows. */
    void added(Pod pod) {
        lock.lock();
        try {
            pods.put(pod.getMetadata().getUid(), pod);
            update(CgroupPolicy.qosParent(pod));
        } finally {
            lock.unlock();
        }
    }

    /** A pod's cpu requests changed (an in-place resize). */
    void resized(Pod pod) {
        lock.lock();
        try {
            update(CgroupPolicy.qosParent(pod));
        } finally {
            lock.unlock();
        }
    }

    /** The pod's cgroup is gone; its parent may be gone too. */
    void removed(Pod pod) {
        lock.lock();
        try {
            if (pods.remove(pod.getMetadata().getUid()) == null) return;
            String parent = CgroupPolicy.qosParent(pod);
            if (pods.values().stream().anyMatch(p -> CgroupPolicy.qosParent(p).equals(parent))) update(parent);
        } finally {
            lock.unlock();
        }
    }

    private void update(String parent) {
        if (parent.isEmpty()) return; // Guaranteed pods sit right under the root
        try {
            cgroups.write(ROOT + "/" + parent, CgroupPolicy.qosParent(parent, pods.values()).files(cgroups.mode()));
        } catch (OciException e) {
            System.getLogger("peapod").log(System.Logger.Level.WARNING, "failed to weigh QoS cgroup " + parent + ": " + e.getMessage());
        }
    }
}
