package dev.peapod.node.gc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which images to delete when the image store's filesystem is too full: kubelet's image garbage
 * collection (pkg/kubelet/images/image_gc_manager.go {@code GarbageCollect} and {@code freeSpace};
 * https://kubernetes.io/docs/concepts/architecture/garbage-collection/#container-image-garbage-collection).
 * At or above the high threshold it frees enough to get down to the low threshold, least recently
 * used images first, never an image in use nor one used within {@code minAge}. Pure.
 */
public final class ImageGcPlanner {
    private ImageGcPlanner() {}

    /**
     * Thresholds in percent of the filesystem (kubelet's imageGCHighThresholdPercent 85 and
     * imageGCLowThresholdPercent 80; a high threshold of 100 disables collection, as
     * {@code --image-gc-high-threshold} documents), and imageMinimumGCAge (2 minutes).
     */
    public record Policy(int highThresholdPercent, int lowThresholdPercent, Duration minAge) {
        public static final Policy DEFAULT = new Policy(85, 80, Duration.ofMinutes(2));

        public Policy {
            if (highThresholdPercent < 0 || highThresholdPercent > 100) {
                throw new IllegalArgumentException("image GC high threshold must be between 0 and 100, got " + highThresholdPercent);
            }
            if (lowThresholdPercent < 0 || lowThresholdPercent > 100) {
                throw new IllegalArgumentException("image GC low threshold must be between 0 and 100, got " + lowThresholdPercent);
            }
            // kubelet's config validation: "imageGCLowThresholdPercent must be less than imageGCHighThresholdPercent"
            if (lowThresholdPercent >= highThresholdPercent) {
                throw new IllegalArgumentException("image GC low threshold (" + lowThresholdPercent
                        + ") must be less than the high threshold (" + highThresholdPercent + ")");
            }
            if (minAge == null || minAge.isNegative()) {
                throw new IllegalArgumentException("image GC minimum age must not be negative");
            }
        }

        boolean disabled() {
            return highThresholdPercent == 100;
        }
    }

    /** One stored image: its size, when it was last used, and whether a pod uses it now. */
    public record Candidate(String id, long size, Instant lastUsed, boolean inUse) {}

    /** The image filesystem: total bytes and bytes available (statfs f_blocks and f_bavail). */
    public record Disk(long capacity, long available) {}

    /**
     * What to do.
     *
     * @param usagePercent kubelet's {@code 100 - available*100/capacity}
     * @param toFree       bytes to free to reach the low threshold (0 when under the high threshold)
     * @param delete       image ids in deletion order
     * @param planned      the sizes of {@code delete} together; below {@code toFree} when not enough is eligible
     */
    public record Plan(int usagePercent, long toFree, List<String> delete, long planned) {
        public Plan {
            delete = List.copyOf(delete);
        }

        /** kubelet's FreeDiskSpaceFailed: over the threshold and not enough eligible to get under it. */
        public boolean insufficient() {
            return planned < toFree;
        }
    }

    public static Plan plan(List<Candidate> images, Disk disk, Policy policy, Instant now) {
        if (disk.capacity() <= 0) throw new IllegalArgumentException("invalid capacity " + disk.capacity() + " on image filesystem");
        long available = Math.min(disk.available(), disk.capacity());
        int usage = 100 - (int) (available * 100 / disk.capacity());
        if (policy.disabled() || usage < policy.highThresholdPercent()) return new Plan(usage, 0, List.of(), 0);
        long toFree = disk.capacity() * (100 - policy.lowThresholdPercent()) / 100 - available;
        List<Candidate> eligible = new ArrayList<>();
        for (Candidate c : images) {
            // kubelet skips images first seen within MinAge; a last use is never earlier than that.
            if (!c.inUse() && !c.lastUsed().isAfter(now.minus(policy.minAge()))) eligible.add(c);
        }
        eligible.sort(Comparator.comparing(Candidate::lastUsed).thenComparing(Candidate::id));
        List<String> delete = new ArrayList<>();
        long planned = 0;
        for (Candidate c : eligible) {
            if (planned >= toFree) break;
            delete.add(c.id());
            planned += c.size();
        }
        return new Plan(usage, toFree, delete, planned);
    }
}
