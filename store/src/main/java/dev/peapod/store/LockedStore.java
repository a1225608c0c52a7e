package dev.peapod.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The write rules both stores share: create refuses an existing key, update and delete need the key
 * to exist and the expected revision to match, an update may not change the uid; each under the one
 * lock, then {@link #write} of the backend. Subclasses take {@link #lock} for their reads too.
 */
abstract class LockedStore implements ObjectStore {
    protected final ReentrantLock lock = new ReentrantLock();

    /** The stored object at {@code key}, or null. Called under {@link #lock}. */
    protected abstract Stored find(Key key);

    /** Stores the change as the next revision and publishes it to watchers. Called under {@link #lock}. */
    protected abstract Stored write(WatchEvent.Type type, Key key, String uid, ObjectNode object);

    @Override
    public final Stored create(Key key, ObjectNode object) {
        String uid = Objects.uid(key, object);
        lock.lock();
        try {
            if (find(key) != null) throw new StoreException.AlreadyExists(key);
            return write(WatchEvent.Type.ADDED, key, uid, object);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final Stored update(Key key, ObjectNode object, long expectedRevision) {
        String uid = Objects.uid(key, object);
        lock.lock();
        try {
            Stored old = existing(key, expectedRevision);
            Objects.checkSameUid(key, old.uid(), uid);
            return write(WatchEvent.Type.MODIFIED, key, uid, object);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final Stored delete(Key key, long expectedRevision) {
        lock.lock();
        try {
            Stored old = existing(key, expectedRevision);
            return write(WatchEvent.Type.DELETED, key, old.uid(), old.object());
        } finally {
            lock.unlock();
        }
    }

    private Stored existing(Key key, long expectedRevision) {
        Stored old = find(key);
        if (old == null) throw new StoreException.NotFound(key);
        Objects.checkPrecondition(key, expectedRevision, old.revision());
        return old;
    }
}
