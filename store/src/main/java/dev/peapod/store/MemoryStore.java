package dev.peapod.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fake: {@link ObjectStore}'s semantics in memory (same revisions, preconditions, log window
 * and Gone), for tests of everything above the store. Not durable.
 */
public final class MemoryStore extends LockedStore {
    private final TreeMap<String, Stored> objects = new TreeMap<>();
    private final Deque<WatchEvent> log = new ArrayDeque<>();
    private final WatchHub hub = new WatchHub();
    private final int window;
    private long revision;
    private long compacted;

    public MemoryStore() { this(SqliteStore.DEFAULT_WINDOW); }

    /** @param window how many revisions the log keeps for watches */
    public MemoryStore(int window) { this.window = window; }

    private static String path(Key k) { return k.resource() + "\0" + k.namespace() + "\0" + k.name(); }

    @Override
    protected Stored find(Key key) {
        return objects.get(path(key));
    }

    @Override
    protected Stored write(WatchEvent.Type type, Key key, String uid, ObjectNode object) {
        long rev = ++revision;
        var stored = new Stored(key, uid, rev, Objects.stamp(object, rev));
        if (type == WatchEvent.Type.DELETED) objects.remove(path(key));
        else objects.put(path(key), stored);
        var event = new WatchEvent(type, key, rev, stored.object());
        log.addLast(event);
        while (log.size() > window) compacted = log.removeFirst().revision();
        hub.publish(copy(event));
        return copy(stored);
    }

    @Override
    public Optional<Stored> get(Key key) {
        lock.lock();
        try {
            return Optional.ofNullable(objects.get(path(key))).map(MemoryStore::copy);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Listing list(String resource, String namespace) {
        lock.lock();
        try {
            List<Stored> items = new ArrayList<>();
            for (Stored s : objects.values()) {
                if (s.key().resource().equals(resource) && (namespace == null || s.key().namespace().equals(namespace))) {
                    items.add(copy(s));
                }
            }
            items.sort(Comparator.comparing((Stored s) -> s.key().namespace()).thenComparing(s -> s.key().name()));
            return new Listing(items, revision);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Watch watch(String resource, String namespace, long afterRevision) {
        lock.lock();
        try {
            if (afterRevision < compacted) throw new StoreException.Gone(afterRevision, compacted);
            var backlog = new ArrayList<WatchEvent>();
            for (WatchEvent e : log) {
                if (e.revision() > afterRevision && e.key().resource().equals(resource)
                        && (namespace == null || e.key().namespace().equals(namespace))) backlog.add(copy(e));
            }
            return hub.register(resource, namespace, backlog);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() { hub.closeAll(); }

    private static Stored copy(Stored s) { return new Stored(s.key(), s.uid(), s.revision(), s.object().deepCopy()); }

    private static WatchEvent copy(WatchEvent e) { return new WatchEvent(e.type(), e.key(), e.revision(), e.object().deepCopy()); }
}
