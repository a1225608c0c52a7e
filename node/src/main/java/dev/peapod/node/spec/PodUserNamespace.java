package dev.peapod.node.spec;

/**
 * The uid/gid mapping of a {@code hostUsers: false} pod: container ids {@code 0..size-1} are host
 * ids {@code hostId..hostId+size-1}, the same for uids and gids (KEP-127,
 * https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/).
 */
public record PodUserNamespace(long hostId, long size) {
    public PodUserNamespace {
        if (hostId <= 0 || size <= 0) throw new IllegalArgumentException("bad mapping " + hostId + "+" + size);
    }
}
