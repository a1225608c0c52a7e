package dev.peapod.store;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * In-process fan-out of committed writes to watchers. The store calls {@link #register} and
 * {@link #publish} while holding its write lock, so a new watcher's backlog (read from the log)
 * and the live events that follow it have no gap and no duplicate. Publishing never blocks: each
 * watcher has its own bounded queue, and one that is full is closed.
 */
final class WatchHub {
    private final List<QueueWatch> watchers = new CopyOnWriteArrayList<>();

    /** A watcher that already holds {@code backlog} (events after its start revision, oldest first). */
    Watch register(String resource, String namespace, List<WatchEvent> backlog) {
        var w = new QueueWatch(resource, namespace, ObjectStore.WATCH_BUFFER + backlog.size());
        backlog.forEach(w::offer);
        watchers.add(w);
        return w;
    }

    void publish(WatchEvent event) {
        for (QueueWatch w : watchers) {
            if (!w.isOpen()) watchers.remove(w);
            else if (w.matches(event)) w.offer(event);
        }
    }

    void closeAll() {
        watchers.forEach(QueueWatch::close);
        watchers.clear();
    }

    private static final class QueueWatch implements Watch {
        private final String resource, namespace;
        private final LinkedBlockingQueue<WatchEvent> queue;
        private volatile boolean open = true;

        QueueWatch(String resource, String namespace, int capacity) {
            this.resource = resource;
            this.namespace = namespace;
            this.queue = new LinkedBlockingQueue<>(capacity);
        }

        boolean matches(WatchEvent e) {
            return e.key().resource().equals(resource) && (namespace == null || e.key().namespace().equals(namespace));
        }

        void offer(WatchEvent e) {
            if (!queue.offer(e)) open = false; // fell behind: the consumer sees the end and re-watches
        }

        @Override
        public WatchEvent next(Duration timeout) throws InterruptedException {
            // Events already queued are still delivered after an overflow; the stream ends after them.
            WatchEvent e = queue.poll();
            if (e != null || !open) return e;
            return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public boolean isOpen() { return open || !queue.isEmpty(); }

        @Override
        public void close() {
            open = false;
            queue.clear();
        }
    }
}
