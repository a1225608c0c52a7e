package dev.peapod.node;

import dev.peapod.node.spec.PodUserNamespace;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands out the host id ranges of {@code hostUsers: false} pods, like kubelet's user namespace
 * manager (pkg/kubelet/userns/userns_manager.go): every pod gets its own block of
 * {@value #SIZE} ids (kubelet's {@code userNsLength}), blocks are taken from the node's range —
 * kubelet's default when no {@code kubelet} entry is in /etc/subuid: from {@value #FIRST_ID} up
 * to 2^32 — lowest free first, and freed when the pod is gone. No two running pods of this node
 * share a block, and no block overlaps the host's own ids below 65536.
 *
 * <p>Kept in memory; each pod's record keeps its block ({@link #hostId}), and a restarted engine
 * puts the blocks of the pods it adopts back ({@link #restore}) before any new pod gets one, as
 * kubelet re-reads them from its pod directories. Thread safe.
 */
final class UserNamespaces {
    static final long SIZE = 65536, FIRST_ID = 65536;
    static final int BLOCKS = (int) (((1L << 32) - FIRST_ID) / SIZE);

    private final ReentrantLock lock = new ReentrantLock();
    private final BitSet used = new BitSet(BLOCKS);
    private final Map<String, Integer> byPod = new HashMap<>();

    /** The pod's mapping (allocated on first call), or null when it uses the host's user namespace. */
    PodUserNamespace forPod(Pod pod) {
        if (!Boolean.FALSE.equals(pod.getSpec().getHostUsers())) return null;
        String uid = pod.getMetadata().getUid();
        lock.lock();
        try {
            Integer block = byPod.get(uid);
            if (block == null) {
                block = used.nextClearBit(0);
                if (block >= BLOCKS) {
                    throw new IllegalStateException("failed to allocate a user namespace for pod "
                            + pod.getMetadata().getName() + ": all " + BLOCKS + " id ranges are in use");
                }
                used.set(block);
                byPod.put(uid, block);
            }
            return new PodUserNamespace(FIRST_ID + block * SIZE, SIZE);
        } finally {
            lock.unlock();
        }
    }

    /** The first host id of the pod's block, or null when it has none. */
    Long hostId(String podUid) {
        lock.lock();
        try {
            Integer block = byPod.get(podUid);
            return block == null ? null : FIRST_ID + block * SIZE;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the block starting at {@code hostId} for the pod again (an adopted pod, whose containers
     * run with it). Returns false, taking nothing, when that is no block start or another pod has it.
     */
    boolean restore(String podUid, long hostId) {
        long offset = hostId - FIRST_ID;
        if (offset < 0 || offset % SIZE != 0 || offset / SIZE >= BLOCKS) return false;
        int block = (int) (offset / SIZE);
        lock.lock();
        try {
            Integer mine = byPod.get(podUid);
            if (mine != null) return mine == block;
            if (used.get(block)) return false;
            used.set(block);
            byPod.put(podUid, block);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Frees the pod's block. Idempotent. */
    void release(String podUid) {
        lock.lock();
        try {
            Integer block = byPod.remove(podUid);
            if (block != null) used.clear(block);
        } finally {
            lock.unlock();
        }
    }
}
