package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.Key;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Watch;
import dev.peapod.store.WatchEvent;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A watch as kube-apiserver serves it: {@code {"type":…,"object":…}} lines. {@code resourceVersion}
 * unset or "0" first sends every current object as ADDED; a given one resumes after it, and one
 * older than the store's log gets an ERROR event with a 410 Expired status (the client re-lists).
 * With {@code allowWatchBookmarks} an idle watch gets a BOOKMARK carrying the current revision.
 * The stream ends after {@code timeoutSeconds} (default 30 min), when the store ends the watch,
 * or when the client disconnects.
 */
final class WatchStream implements Reply.Writer {
    static final Duration BOOKMARK_EVERY = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final ObjectStore store;
    private final ResourceType type;
    private final String namespace;
    private final String resourceVersion;
    private final Predicate<JsonNode> filter;
    private final Function<JsonNode, JsonNode> render;
    private final boolean bookmarks;
    private final Duration timeout;
    private final InstantSource clock;

    WatchStream(ObjectStore store, ResourceType type, String namespace, ApiRequest req, Predicate<JsonNode> filter,
                Function<JsonNode, JsonNode> render, InstantSource clock) {
        this.store = store;
        this.type = type;
        this.namespace = namespace;
        this.resourceVersion = req.param("resourceVersion");
        this.filter = filter;
        this.render = render;
        this.bookmarks = req.flag("allowWatchBookmarks");
        String t = req.param("timeoutSeconds");
        this.timeout = t == null ? Duration.ofMinutes(30) : Duration.ofSeconds(Long.parseLong(t));
        this.clock = clock;
    }

    @Override
    public void write(Reply.Sink sink) throws IOException, InterruptedException {
        long after;
        // What the client knows: an object that stops matching the selector is sent as DELETED, one
        // that starts matching as ADDED (kube-apiserver's watch cache compares with the previous
        // state). After the initial list every object's state is known; resuming from a
        // resourceVersion an object becomes known with its first event (see transition).
        Set<Key> known = new HashSet<>(), matching = new HashSet<>();
        if (resourceVersion == null || resourceVersion.isEmpty() || resourceVersion.equals("0")) {
            var listing = store.list(type.name(), namespace);
            for (var s : listing.items()) {
                known.add(s.key());
                if (!filter.test(s.object())) continue;
                matching.add(s.key());
                sink.send(event("ADDED", render.apply(s.object())));
            }
            after = listing.revision();
        } else {
            after = Rest.revision(resourceVersion);
        }
        Watch watch;
        try {
            watch = store.watch(type.name(), namespace, after);
        } catch (StoreException.Gone e) {
            sink.send(event("ERROR", ApiException.gone(e.getMessage()).status()));
            return;
        }
        try (watch) {
            long deadline = clock.millis() + timeout.toMillis();
            long lastSent = clock.millis();
            long revision = after;
            while (clock.millis() < deadline && watch.isOpen()) {
                WatchEvent e = watch.next(POLL);
                if (e == null) {
                    if (bookmarks && clock.millis() - lastSent >= BOOKMARK_EVERY.toMillis()) {
                        sink.send(event("BOOKMARK", bookmark(revision)));
                        lastSent = clock.millis();
                    }
                    continue;
                }
                revision = e.revision();
                String kind = transition(e, known, matching);
                if (kind == null) continue;
                sink.send(event(kind, render.apply(e.object())));
                lastSent = clock.millis();
            }
        }
    }

    /** The event type the client gets for {@code e} under the selector, or null when it concerns no object it watches. */
    private String transition(WatchEvent e, Set<Key> known, Set<Key> matching) {
        boolean now = e.type() != WatchEvent.Type.DELETED && filter.test(e.object());
        if (known.add(e.key())) {
            // First event of an object whose earlier state this stream does not know: its own type, if it matches.
            if (now) matching.add(e.key());
            return now || e.type() == WatchEvent.Type.DELETED && filter.test(e.object()) ? e.type().name() : null;
        }
        boolean before = matching.contains(e.key());
        if (e.type() == WatchEvent.Type.DELETED) {
            matching.remove(e.key());
            return before || filter.test(e.object()) ? "DELETED" : null;
        }
        if (now) {
            matching.add(e.key());
            return before ? "MODIFIED" : "ADDED";
        }
        matching.remove(e.key());
        return before ? "DELETED" : null;
    }

    private ObjectNode bookmark(long revision) {
        var o = Json.object().put("kind", type.kind()).put("apiVersion", "v1");
        o.putObject("metadata").put("resourceVersion", Long.toString(revision));
        return o;
    }

    static ObjectNode event(String type, JsonNode object) {
        var e = Json.object().put("type", type);
        e.set("object", object);
        return e;
    }
}
