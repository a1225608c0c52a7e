package dev.peapod.network;

import java.util.concurrent.locks.ReentrantLock;

/**
 * "The container runtime must not invoke parallel operations for the same container" (CNI spec
 * 1.0, section 3, "Lifecycle &amp; Ordering"). Striped locks keyed by (container ID, interface):
 * a bounded set, no map that grows with every attachment; unrelated attachments rarely share a
 * stripe and then merely wait. ReentrantLock because plugin runs block.
 */
final class AttachmentLocks {
    private static final int STRIPES = 64;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    AttachmentLocks() {
        for (int i = 0; i < STRIPES; i++) locks[i] = new ReentrantLock();
    }

    ReentrantLock lockFor(String containerId, String ifName) {
        int h = (containerId + "\0" + ifName).hashCode();
        return locks[Math.floorMod(h ^ (h >>> 16), STRIPES)];
    }
}
