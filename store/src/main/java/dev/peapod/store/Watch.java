package dev.peapod.store;

import java.time.Duration;

/**
 * A stream of changes after a revision, in revision order, for one resource (and namespace).
 *
 * <p>Contract: one consumer thread calls {@link #next}; {@link #close} may be called from any
 * thread. The store never blocks on a slow watcher: a watcher that falls {@link ObjectStore#WATCH_BUFFER}
 * events behind is closed (its consumer re-watches from the last revision it saw, or re-lists on
 * Gone), as kube-apiserver ends a watch whose client cannot keep up.
 */
public interface Watch extends AutoCloseable {
    /** The next event, waiting at most {@code timeout}; null on timeout or when closed. */
    WatchEvent next(Duration timeout) throws InterruptedException;

    /** False once closed, by the consumer, by the store closing, or because it fell behind. */
    boolean isOpen();

    @Override
    void close();
}
