package dev.peapod.node.model;

import java.util.List;

/**
 * The identity the container's first process started with: uid, primary gid and supplementary
 * groups, inside the container (with {@code hostUsers: false} these are the ids the container
 * sees, not the host ids they map to). It is what the CRI runtimes report as
 * {@code ContainerStatus.user}: containerd's {@code toCRIContainerUser} and CRI-O read it from the
 * created container's OCI {@code process.user} ({@code additionalGids} as the supplementary groups),
 * and kubelet copies it to {@code status.containerStatuses[].user.linux} (KEP-3619,
 * SupplementalGroupsPolicy).
 */
public record ContainerUser(long uid, long gid, List<Long> supplementalGroups) {
    public ContainerUser {
        supplementalGroups = supplementalGroups == null ? List.of() : List.copyOf(supplementalGroups);
    }
}
