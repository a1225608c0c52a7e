package dev.peapod.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Stored;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;

/**
 * Events expire, as kube-apiserver stores them in etcd with a lease of {@code --event-ttl} (default
 * one hour, renewed by each write of the event): an event whose last write is older than {@link #TTL}
 * is removed from the store, watchers see it DELETED. The last write is read from the event itself:
 * the latest of {@code lastTimestamp}, {@code eventTime}, {@code series.lastObservedTime} and
 * {@code metadata.creationTimestamp}.
 */
final class EventTtl implements AutoCloseable {
    static final Duration TTL = Duration.ofHours(1);
    /** How often expired events are looked for; an event lives at most this much past its TTL. */
    static final Duration PERIOD = Duration.ofMinutes(1);

    private final ObjectStore store;
    private final InstantSource clock;
    private Periodic loop;

    EventTtl(ObjectStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    void start() { loop = Periodic.every(PERIOD, "event-ttl", this::sweep); }

    /** Whether {@code event}, last written as it says, has outlived {@code ttl} at {@code now}. */
    static boolean expired(JsonNode event, Instant now, Duration ttl) {
        Instant last = null;
        for (String pointer : new String[] {"/lastTimestamp", "/eventTime", "/series/lastObservedTime", "/metadata/creationTimestamp"}) {
            Instant t = time(event.at(pointer));
            if (t != null && (last == null || t.isAfter(last))) last = t;
        }
        return last != null && !last.plus(ttl).isAfter(now);
    }

    private static Instant time(JsonNode n) {
        if (!n.isTextual()) return null;
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Removes the expired events; returns how many. */
    int sweep() {
        Instant now = clock.instant();
        int removed = 0;
        for (Stored e : store.list("events", null).items()) {
            if (!expired(e.object(), now, TTL)) continue;
            try {
                store.delete(e.key(), e.revision());
                removed++;
            } catch (StoreException.Conflict | StoreException.NotFound ex) {
                // written again meanwhile (its TTL starts over) or gone
            }
        }
        return removed;
    }

    @Override
    public void close() {
        if (loop != null) loop.close();
    }
}
