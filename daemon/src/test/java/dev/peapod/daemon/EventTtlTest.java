package dev.peapod.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.MemoryStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Events older than --event-ttl (1 h) since their last write leave the store. */
class EventTtlTest {
    static final Instant NOW = Instant.parse("2026-11-23T23:00:00Z");

    static ObjectNode event(String name, String created, String last) {
        var o = StoredObjects.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Event");
        o.putObject("metadata").put("name", name).put("namespace", "default").put("uid", "u-" + name).put("creationTimestamp", created);
        if (last != null) o.put("lastTimestamp", last);
        return o;
    }

    @Test
    void anEventExpiresAnHourAfterItsLastWrite() {
        assertThat(EventTtl.expired(event("a", "2026-11-23T22:00:00Z", null), NOW, Duration.ofHours(1))).isTrue();
        assertThat(EventTtl.expired(event("a", "2026-11-23T22:00:01Z", null), NOW, Duration.ofHours(1))).isFalse();
        // Repeated (count > 1, lastTimestamp moved): the TTL runs from the last occurrence.
        assertThat(EventTtl.expired(event("a", "2026-11-23T20:00:00Z", "2026-11-23T22:30:00Z"), NOW, Duration.ofHours(1))).isFalse();
        // events.k8s.io style: eventTime and series.
        var series = event("s", "2026-11-23T20:00:00Z", null);
        series.put("eventTime", "2026-11-23T20:00:00.000000Z");
        series.putObject("series").put("count", 2).put("lastObservedTime", "2026-11-23T22:59:00.123456Z");
        assertThat(EventTtl.expired(series, NOW, Duration.ofHours(1))).isFalse();
        // No time at all: never removed.
        var timeless = StoredObjects.JSON.createObjectNode();
        timeless.putObject("metadata");
        assertThat(EventTtl.expired(timeless, NOW, Duration.ofHours(1))).isFalse();
    }

    @Test
    void aSweepRemovesOnlyTheExpiredEvents() {
        var store = new MemoryStore();
        store.create(new Key("events", "default", "old"), event("old", "2026-11-23T21:00:00Z", "2026-11-23T21:10:00Z"));
        store.create(new Key("events", "default", "new"), event("new", "2026-11-23T22:30:00Z", "2026-11-23T22:30:00Z"));
        store.create(new Key("configmaps", "default", "old"), event("cm", "2026-11-23T21:00:00Z", null));
        assertThat(new EventTtl(store, () -> NOW).sweep()).isEqualTo(1);
        assertThat(store.get(new Key("events", "default", "old"))).isEmpty();
        assertThat(store.get(new Key("events", "default", "new"))).isPresent();
        assertThat(store.get(new Key("configmaps", "default", "old"))).isPresent();
    }
}
