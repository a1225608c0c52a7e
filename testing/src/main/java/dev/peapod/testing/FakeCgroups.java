package dev.peapod.testing;

import dev.peapod.oci.CgroupFile;
import dev.peapod.oci.Cgroups;
import dev.peapod.oci.OciException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Cgroups} as an in-memory set of pod cgroup paths; touches no cgroup file system.
 * Failures of {@link #create} can be queued. {@link #write} keeps the last value of each file per
 * cgroup path (any path: container cgroups are the runtime's, which this fake does not model) and
 * the OOM kill counters are set by the test ({@link #oomKill}).
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
    private final Map<String, Map<String, String>> files = new HashMap<>();
    private final List<String> writes = new ArrayList<>();
    private final Map<String, Long> oomKills = new HashMap<>();

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

    @Override
    public void write(String path, List<CgroupFile> list) {
        lock.lock();
        try {
            for (CgroupFile f : list) {
                files.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(f.name(), f.value());
                writes.add(path + " " + f.name() + "=" + f.value());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OptionalLong oomKills(String path) {
        lock.lock();
        try {
            Long n = oomKills.get(path);
            return n == null ? OptionalLong.empty() : OptionalLong.of(n);
        } finally {
            lock.unlock();
        }
    }

    private final Map<String, Long> memoryUsage = new HashMap<>();

    @Override
    public OptionalLong memoryUsage(String path) {
        lock.lock();
        try {
            Long n = memoryUsage.get(path);
            return n == null ? OptionalLong.empty() : OptionalLong.of(n);
        } finally {
            lock.unlock();
        }
    }

    /** Sets what {@link #memoryUsage} reports for the cgroup at {@code path}. */
    public void memoryUsage(String path, long bytes) {
        lock.lock();
        try {
            memoryUsage.put(path, bytes);
        } finally {
            lock.unlock();
        }
    }

    /** Counts one OOM kill in the cgroup at {@code path} (a container's: {@code <pod cgroup>/<container id>}). */
    public void oomKill(String path) {
        lock.lock();
        try {
            oomKills.merge(path, 1L, Long::sum);
        } finally {
            lock.unlock();
        }
    }

    /** The current value of each file written to the cgroup at {@code path} (empty if none). */
    public Map<String, String> files(String path) {
        lock.lock();
        try {
            return Map.copyOf(files.getOrDefault(path, Map.of()));
        } finally {
            lock.unlock();
        }
    }

    /** Every write so far, as "path file=value", in order. */
    public List<String> writes() {
        lock.lock();
        try {
            return List.copyOf(writes);
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
