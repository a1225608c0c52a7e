package dev.peapod.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.peapod.store.Listing;
import dev.peapod.store.ObjectStore;
import dev.peapod.store.Stored;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Chunked lists ({@code ?limit=N&continue=TOKEN}), as kube-apiserver serves them
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks):
 * a list with a limit returns at most N items and, when more remain, {@code metadata.continue} and
 * {@code metadata.remainingItemCount} (the latter only without label/field selectors, as kube-apiserver).
 * Every chunk of one list is served at the resourceVersion of the first: the token carries that
 * revision and the last key returned, like the etcd3 store's token
 * ({@code base64url({"v":"meta.k8s.io/v1","rv":R,"start":"<key>\u0000"})}).
 *
 * <p>The store keeps no old versions of objects, so the list at R is the first chunk's listing, kept
 * here for {@link #RETENTION} (kube-apiserver's {@code --etcd-compaction-interval} default: after that
 * etcd has compacted R away). A token whose listing is gone — expired, evicted, or a restart — is
 * answered as etcd compaction is: 410 Expired with kube's message and, in the Status, a token that
 * continues from the same key at the latest revision (an inconsistent remainder, rv -1).
 */
final class Paging {
    /** How long the listing behind a continue token is kept (etcd's 5-minute compaction interval). */
    static final Duration RETENTION = Duration.ofMinutes(5);
    /** How many listings are kept at most; the oldest goes first. */
    static final int MAX_SNAPSHOTS = 32;
    static final String EXPIRED = "The provided continue parameter is too old to display a consistent list result. "
            + "You can start a new list without the continue parameter, or use the continue token in this response to "
            + "retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - "
            + "objects that were created, modified, or deleted between the time the first chunk was returned and now may "
            + "show up in the list.";

    /** One chunk: its items, the revision it is served at, the token for the next chunk (null: last) and how many items follow. */
    record Page(List<JsonNode> items, long revision, String continueToken, Long remainingItemCount) {}

    /** A decoded continue token: the revision (-1: the latest) and the last key returned (namespace, name). */
    record Token(long revision, String namespace, String name) {}

    private record Snapshot(String resource, String namespace, Listing listing, Instant taken) {}

    private final ObjectStore store;
    private final InstantSource clock;
    /** Listings by revision/resource/namespace, oldest first. */
    private final LinkedHashMap<String, Snapshot> snapshots = new LinkedHashMap<>();

    Paging(ObjectStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * The list (or chunk) for {@code limit} and {@code continue}, null when absent.
     *
     * @param selected whether a label or field selector is set (then remainingItemCount is not known, as in kube-apiserver)
     */
    Page list(String resource, String namespace, Predicate<JsonNode> filter, boolean selected, String limitParam, String continueParam) {
        int limit = limit(limitParam);
        Token token = continueParam == null || continueParam.isEmpty() ? null : decode(continueParam, namespace);
        Listing listing;
        if (token == null || token.revision() == -1) {
            listing = store.list(resource, namespace);
        } else {
            listing = snapshot(resource, namespace, token.revision());
            if (listing == null) throw expired(namespace, token);
        }
        Page page = page(listing, namespace, filter, selected, limit, token);
        if (page.continueToken() != null && (token == null || token.revision() == -1)) remember(resource, namespace, listing);
        return page;
    }

    /** The chunk of {@code listing} after {@code token}'s key (all of it without a token), at most {@code limit} (0: no limit) items. */
    static Page page(Listing listing, String namespace, Predicate<JsonNode> filter, boolean selected, int limit, Token token) {
        List<JsonNode> matching = new ArrayList<>();
        List<Stored> keys = new ArrayList<>();
        for (Stored s : listing.items()) {
            if (token != null && !after(s, token)) continue;
            if (filter.test(s.object())) {
                matching.add(s.object());
                keys.add(s);
            }
        }
        if (limit <= 0 || matching.size() <= limit) return new Page(matching, listing.revision(), null, null);
        Stored last = keys.get(limit - 1);
        long remaining = matching.size() - limit;
        return new Page(matching.subList(0, limit), listing.revision(),
                encode(new Token(listing.revision(), last.key().namespace(), last.key().name()), namespace),
                selected ? null : remaining);
    }

    /** Whether {@code s} comes after the token's key in the store's order (namespace, then name). */
    private static boolean after(Stored s, Token token) {
        int byNamespace = s.key().namespace().compareTo(token.namespace());
        return byNamespace > 0 || byNamespace == 0 && s.key().name().compareTo(token.name()) > 0;
    }

    private static int limit(String param) {
        if (param == null || param.isEmpty()) return 0;
        try {
            return Math.max(0, Integer.parseInt(param)); // kube-apiserver treats a negative limit as none
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid limit: " + param);
        }
    }

    /**
     * The token: the key is relative to the list's scope as in etcd ({@code name} within a namespace,
     * {@code namespace/name} across namespaces), followed by NUL so that the next list starts after it.
     */
    static String encode(Token t, String listNamespace) {
        String key = (listNamespace == null && !t.namespace().isEmpty() ? t.namespace() + "/" : "") + t.name() + "\u0000";
        var json = Json.object().put("v", "meta.k8s.io/v1").put("rv", t.revision()).put("start", key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a token; the list's namespace, when set, is the namespace of its keys. */
    static Token decode(String token, String listNamespace) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(token.replace("=", "")));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw invalidToken(e.getMessage());
        }
        if (json == null || !"meta.k8s.io/v1".equals(json.path("v").asText())) throw invalidToken("unexpected version");
        String start = json.path("start").asText("");
        if (start.endsWith("\u0000")) start = start.substring(0, start.length() - 1);
        if (start.isEmpty()) throw invalidToken("empty start key");
        long rv = json.path("rv").asLong(0);
        if (rv == 0 || rv < -1) throw invalidToken("incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        int slash = start.indexOf('/');
        if (listNamespace == null && slash > 0) return new Token(rv, start.substring(0, slash), start.substring(slash + 1));
        return new Token(rv, listNamespace == null ? "" : listNamespace, start);
    }

    private static ApiException invalidToken(String why) {
        return ApiException.badRequest("continue key is not valid: " + why);
    }

    private ApiException expired(String namespace, Token token) {
        return ApiException.expiredContinue(EXPIRED, encode(new Token(-1, token.namespace(), token.name()), namespace));
    }

    private static String id(String resource, String namespace, long revision) {
        return revision + "/" + resource + "/" + (namespace == null ? "*" : namespace);
    }

    private synchronized Listing snapshot(String resource, String namespace, long revision) {
        expire();
        Snapshot s = snapshots.get(id(resource, namespace, revision));
        if (s != null) return s.listing();
        // Nothing was written since: the current list is the list at that revision.
        var now = store.list(resource, namespace);
        return now.revision() == revision ? now : null;
    }

    private synchronized void remember(String resource, String namespace, Listing listing) {
        expire();
        snapshots.putIfAbsent(id(resource, namespace, listing.revision()), new Snapshot(resource, namespace, listing, clock.instant()));
        Iterator<Map.Entry<String, Snapshot>> it = snapshots.entrySet().iterator();
        while (snapshots.size() > MAX_SNAPSHOTS && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private void expire() {
        Instant oldest = clock.instant().minus(RETENTION);
        snapshots.values().removeIf(s -> s.taken().isBefore(oldest));
    }
}
