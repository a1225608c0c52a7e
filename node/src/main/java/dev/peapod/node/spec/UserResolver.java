package dev.peapod.node.spec;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The user and group database of a container image ({@code /etc/passwd}, {@code /etc/group} of
 * its rootfs). The node builds one with {@link Passwd#parse(String, String)}; the generator only
 * asks questions. Implementations are immutable and thread safe; lookups never block.
 */
public interface UserResolver {

    /** An image without {@code /etc/passwd} or {@code /etc/group}: every lookup is empty. */
    UserResolver NONE = Passwd.parse("", "");

    /** The first {@code /etc/passwd} entry named {@code name}. */
    Optional<Passwd.User> user(String name);

    /** The first {@code /etc/passwd} entry with uid {@code uid}. */
    Optional<Passwd.User> user(long uid);

    /** The gid of the first {@code /etc/group} entry named {@code name}. */
    OptionalLong group(String name);

    /**
     * The gids of the {@code /etc/group} entries whose member list names {@code userName}, in file
     * order — the user's supplementary groups, as runc/containerd derive them.
     */
    List<Long> groupsListing(String userName);
}
