package dev.peapod.store;

/**
 * Why a store operation was refused. The API server maps each to a {@code metav1.Status}:
 * NotFound 404, AlreadyExists 409, Conflict 409, Gone 410 (reason Expired).
 */
public abstract sealed class StoreException extends RuntimeException
        permits StoreException.NotFound, StoreException.AlreadyExists, StoreException.Conflict,
                StoreException.Gone, StoreException.Failed {
    private final Key key;

    StoreException(Key key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The object concerned, or null for a watch or list. */
    public Key key() { return key; }

    public static final class NotFound extends StoreException {
        public NotFound(Key key) { super(key, key + " not found", null); }
    }

    public static final class AlreadyExists extends StoreException {
        public AlreadyExists(Key key) { super(key, key + " already exists", null); }
    }

    /** The caller's resourceVersion is not the stored one (optimistic concurrency). */
    public static final class Conflict extends StoreException {
        private final long expected, actual;

        public Conflict(Key key, long expected, long actual) {
            super(key, key + ": resourceVersion " + expected + " is stale (stored: " + actual + ")", null);
            this.expected = expected;
            this.actual = actual;
        }

        public long expected() { return expected; }
        public long actual() { return actual; }
    }

    /** A watch asked for a revision older than the log still holds. */
    public static final class Gone extends StoreException {
        private final long requested, compacted;

        public Gone(long requested, long compacted) {
            super(null, "too old resource version: " + requested + " (" + compacted + ")", null);
            this.requested = requested;
            this.compacted = compacted;
        }

        public long requested() { return requested; }
        public long compacted() { return compacted; }
    }

    /** The database failed (I/O, corruption); the operation may or may not have happened. */
    public static final class Failed extends StoreException {
        public Failed(String message, Throwable cause) { super(null, message, cause); }
    }
}
