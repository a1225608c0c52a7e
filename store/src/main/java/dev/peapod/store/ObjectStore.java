package dev.peapod.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * Objects by {@link Key} with a global revision (kube-apiserver's resourceVersion over etcd): every
 * write gets the next revision, which is stamped into the stored JSON as
 * {@code metadata.resourceVersion}, and is appended to a log from which watches resume.
 *
 * <p>Contract: thread safe; writes are serialized and durable when they return; a watch sees
 * every write after its start revision exactly once and in order. The log keeps a window of recent
 * revisions; a watch from before the window fails with {@link StoreException.Gone}.
 * {@link SqliteStore} is the real one, {@link MemoryStore} the fake with the same semantics.
 */
public interface ObjectStore extends AutoCloseable {
    /** How many events a watcher may fall behind before it is closed. */
    int WATCH_BUFFER = 10_000;

    /** Stores a new object; {@code metadata.uid} must be set. */
    Stored create(Key key, ObjectNode object);

    /**
     * Replaces an object. {@code expectedRevision} 0 means unconditional; otherwise it must be the
     * stored revision, or {@link StoreException.Conflict}. The uid cannot change.
     */
    Stored update(Key key, ObjectNode object, long expectedRevision);

    /** Removes an object (same precondition as {@link #update}); returns its last state at the deletion's revision. */
    Stored delete(Key key, long expectedRevision);

    Optional<Stored> get(Key key);

    /** Every object of {@code resource}, in {@code namespace} or (null) in all, ordered by namespace and name. */
    Listing list(String resource, String namespace);

    /** Changes of {@code resource} (in {@code namespace}, or all when null) with revisions after {@code afterRevision}. */
    Watch watch(String resource, String namespace, long afterRevision);

    /** The revision of the last write (0 for an empty store). */
    long revision();

    @Override
    void close();
}
