package dev.peapod.network;

import java.nio.file.Path;
import java.util.List;

/**
 * Persistent, named network namespaces: a namespace bind-mounted onto a file, so that it lives
 * on without any process in it (the pod's infra process joins it, CNI plugins enter it by path)
 * and survives a restart of Peapod. What {@code ip netns add} does, in a directory of our own.
 *
 * <p>Contract: thread safe for different names; calls for one name must not overlap (one pod
 * worker owns each). {@link #create} and {@link #remove} are idempotent. Failures are
 * {@link NetworkException}s.
 */
public interface NetnsManager {

    /** Where the namespace called {@code name} is (or would be) mounted. */
    Path path(String name);

    /**
     * Creates the namespace {@code name} with its loopback interface up and returns its path; if
     * it exists already, returns the path. The loopback must be up because crun brings {@code lo}
     * up only in namespaces it creates itself, not in one its container joins (checked with crun
     * 1.8.1: a container joining a fresh {@code ip netns add} namespace sees {@code lo} DOWN).
     */
    Path create(String name);

    /** Unmounts and removes the namespace file; nothing happens when there is none. */
    void remove(String name);

    /** The names present in the directory (mounted or left over). */
    List<String> list();

    /** Whether {@code path} is a network namespace (an nsfs file), as opposed to a stale or absent file. */
    static boolean isNetns(Path path) {
        return NetnsSyscalls.fsType(path.toString()) == NetnsSyscalls.NSFS_MAGIC;
    }

    /** The Linux implementation: namespaces under {@code <runDir>/netns}. */
    static NetnsManager linux(Path runDir) {
        return new BindMountNetnsManager(runDir.resolve("netns"));
    }
}
