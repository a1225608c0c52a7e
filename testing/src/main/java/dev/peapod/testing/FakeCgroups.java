package dev.peapod.testing;

import dev.peapod.oci.Cgroups;
import dev.peapod.oci.OciException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Cgroups} as an in-memory set of pod cgroup paths; touches no cgroup file system.
 * Failures of {@link #create} can be queued.
 *
 * <p>Contract as {@link Cgroups}: thread safe; {@link #remove} is idempotent; {@link #create} of a
 * path that exists already succeeds (as mkdir -p would). Failures throw {@link OciException} and
 * create nothing.
 */
public final class FakeCgroups implements Cgroups {
    private final CgroupMode mode;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<String> created = new LinkedHashSet<>();
    private final Deque<String> failures = new ArrayDeque<>();
    private int createCalls;

    /** A cgroup v2 host. */
    public FakeCgroups() { this(CgroupMode.V2); }

    public FakeCgroups(CgroupMode mode) { this.mode = mode; }

    /** The next {@code times} calls of {@link #create} fail with {@code message}. */
    public void failNextCreates(int times, String message) {
        lock.lock();
        try {
            for (int i = 0; i < times; i++) failures.add(message);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CgroupMode mode() { return mode; }

    @Override
    public void create(String podPath) {
        lock.lock();
        try {
            createCalls++;
            String failure = failures.poll();
            if (failure != null) throw new OciException("failed to create cgroup " + podPath + ": " + failure);
            created.add(podPath);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void remove(String podPath) {
        lock.lock();
        try {
            created.remove(podPath);
        } finally {
            lock.unlock();
        }
    }

    /** The pod cgroups that exist now. */
    public Set<String> created() {
        lock.lock();
        try {
            return Set.copyOf(created);
        } finally {
            lock.unlock();
        }
    }

    /** How many times {@link #create} was called, failed calls included. */
    public int createCalls() {
        lock.lock();
        try {
            return createCalls;
        } finally {
            lock.unlock();
        }
    }
}
