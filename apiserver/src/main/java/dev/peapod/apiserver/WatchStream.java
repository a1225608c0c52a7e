package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.StoreException;
import dev.peapod.store.Watch;
import dev.peapod.store.WatchEvent;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
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
        if (resourceVersion == null || resourceVersion.isEmpty() || resourceVersion.equals("0")) {
            var listing = store.list(type.name(), namespace);
            for (var s : listing.items()) {
                if (filter.test(s.object())) sink.send(event("ADDED", render.apply(s.object())));
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
                // Filtered on the new state; an object that stops matching gets no DELETED (not done yet).
                if (!filter.test(e.object())) continue;
                sink.send(event(e.type().name(), render.apply(e.object())));
                lastSent = clock.millis();
            }
        }
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
