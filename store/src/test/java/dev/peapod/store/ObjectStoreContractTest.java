package dev.peapod.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One contract, both stores: the fake must behave as the SQLite store does. */
class ObjectStoreContractTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Key A = new Key("pods", "default", "a"), B = new Key("pods", "default", "b"),
            OTHER_NS = new Key("pods", "kube-system", "c"), CM = new Key("configmaps", "default", "a");

    @TempDir static Path dir;
    static int n;

    /** Stores with a log window of 5 revisions, so compaction is reachable. */
    static Stream<Function<Integer, ObjectStore>> stores() {
        return Stream.of(MemoryStore::new, window -> SqliteStore.open(dir.resolve("db" + (n++)), window));
    }

    static ObjectNode obj(String uid, String value) {
        var o = JSON.createObjectNode();
        o.putObject("metadata").put("uid", uid);
        o.put("value", value);
        return o;
    }

    @ParameterizedTest
    @MethodSource("stores")
    void writesGetConsecutiveRevisionsStampedIntoTheObject(Function<Integer, ObjectStore> factory) {
        try (var s = factory.apply(5)) {
            assertThat(s.revision()).isZero();
            var a = s.create(A, obj("u1", "x"));
            var b = s.create(B, obj("u2", "y"));
            var a2 = s.update(A, obj("u1", "z"), a.revision());
            assertThat(List.of(a.revision(), b.revision(), a2.revision())).containsExactly(1L, 2L, 3L);
            assertThat(a2.object().at("/metadata/resourceVersion").textValue()).isEqualTo("3");
            assertThat(s.get(A)).get().satisfies(g -> {
                assertThat(g.revision()).isEqualTo(3);
                assertThat(g.uid()).isEqualTo("u1");
                assertThat(g.object().get("value").textValue()).isEqualTo("z");
            });
            assertThat(s.revision()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void refusals(Function<Integer, ObjectStore> factory) {
        try (var s = factory.apply(5)) {
            var a = s.create(A, obj("u1", "x"));
            s.update(A, obj("u1", "y"), a.revision());
            record Case(String name, Runnable op, Class<? extends Throwable> expected) {}
            var cases = List.of(
                    new Case("create of an existing key", () -> s.create(A, obj("u9", "x")), StoreException.AlreadyExists.class),
                    new Case("update with a stale revision", () -> s.update(A, obj("u1", "z"), a.revision()), StoreException.Conflict.class),
                    new Case("delete with a stale revision", () -> s.delete(A, a.revision()), StoreException.Conflict.class),
                    new Case("update of a missing key", () -> s.update(B, obj("u2", "z"), 0), StoreException.NotFound.class),
                    new Case("delete of a missing key", () -> s.delete(B, 0), StoreException.NotFound.class),
                    new Case("update changing the uid", () -> s.update(A, obj("u2", "z"), 0), IllegalArgumentException.class),
                    new Case("create without uid", () -> s.create(B, JSON.createObjectNode()), IllegalArgumentException.class));
            for (Case c : cases) assertThatThrownBy(c.op()::run).as(c.name()).isInstanceOf(c.expected());
            assertThat(s.revision()).as("refused writes take no revision").isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void deleteReturnsTheLastStateAtTheDeletionRevision(Function<Integer, ObjectStore> factory) {
        try (var s = factory.apply(5)) {
            var a = s.create(A, obj("u1", "x"));
            var d = s.delete(A, a.revision());
            assertThat(d.revision()).isEqualTo(2);
            assertThat(d.object().get("value").textValue()).isEqualTo("x");
            assertThat(s.get(A)).isEmpty();
            s.create(A, obj("u3", "again"));
            assertThat(s.get(A).orElseThrow().uid()).isEqualTo("u3");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void listFiltersByResourceAndNamespaceAndCarriesTheRevision(Function<Integer, ObjectStore> factory) {
        try (var s = factory.apply(5)) {
            s.create(B, obj("u2", "b"));
            s.create(A, obj("u1", "a"));
            s.create(OTHER_NS, obj("u3", "c"));
            s.create(CM, obj("u4", "cm"));
            assertThat(s.list("pods", "default").items()).extracting(Stored::key).containsExactly(A, B);
            assertThat(s.list("pods", null).items()).extracting(Stored::key).containsExactly(A, B, OTHER_NS);
            assertThat(s.list("pods", null).revision()).isEqualTo(4);
            assertThat(s.list("secrets", null).items()).isEmpty();
        }
    }

    /** The SQLite store caches parsed trees: what a reader changes must not reach the next reader, and writes must. */
    @ParameterizedTest
    @MethodSource("stores")
    void readsAreTheCallersCopiesAndSeeEveryWrite(Function<Integer, ObjectStore> factory) {
        try (var s = factory.apply(5)) {
            var a = s.create(A, obj("u1", "a"));
            s.create(B, obj("u2", "b"));
            s.list("pods", "default").items().getFirst().object().put("value", "changed by a reader");
            s.get(A).orElseThrow().object().put("value", "changed by a reader");
            assertThat(s.list("pods", "default").items()).extracting(i -> i.object().get("value").textValue()).containsExactly("a", "b");
            assertThat(s.get(A).orElseThrow().object().get("value").textValue()).isEqualTo("a");
            s.update(A, obj("u1", "a2"), a.revision());
            s.delete(B, 0);
            assertThat(s.list("pods", "default").items()).extracting(i -> i.object().get("value").textValue()).containsExactly("a2");
            s.create(B, obj("u5", "b again"));
            assertThat(s.list("pods", "default").items()).extracting(Stored::uid, i -> i.object().get("value").textValue())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("u1", "a2"), org.assertj.core.groups.Tuple.tuple("u5", "b again"));
            assertThat(s.get(B).orElseThrow().uid()).isEqualTo("u5");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void watchReplaysTheLogThenDeliversLiveEventsInOrder(Function<Integer, ObjectStore> factory) throws Exception {
        try (var s = factory.apply(5)) {
            var a = s.create(A, obj("u1", "x"));          // 1
            s.create(CM, obj("u4", "cm"));                   // 2 (other resource)
            s.update(A, obj("u1", "y"), a.revision());     // 3
            try (Watch w = s.watch("pods", "default", 1)) {
                s.create(OTHER_NS, obj("u3", "c"));          // 4 (other namespace)
                s.delete(A, 0);                              // 5
                var events = drain(w, 2);
                assertThat(events).extracting(e -> e.type() + "@" + e.revision()).containsExactly("MODIFIED@3", "DELETED@5");
                assertThat(w.next(Duration.ofMillis(50))).isNull();
            }
            try (Watch all = s.watch("pods", null, 3)) {
                assertThat(drain(all, 2)).extracting(WatchEvent::key).containsExactly(OTHER_NS, A);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aWatchFromBeforeTheWindowIsGone(Function<Integer, ObjectStore> factory) {
        try (var s = factory.apply(5)) {
            var a = s.create(A, obj("u1", "0"));
            for (int i = 1; i <= 7; i++) s.update(A, obj("u1", "" + i), 0); // revisions 2..8; window keeps 4..8
            assertThatThrownBy(() -> s.watch("pods", null, 2)).isInstanceOf(StoreException.Gone.class)
                    .hasMessage("too old resource version: 2 (3)");
            s.watch("pods", null, 3).close();
            assertThat(a.revision()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void closingTheStoreEndsItsWatches(Function<Integer, ObjectStore> factory) throws Exception {
        var s = factory.apply(5);
        Watch w = s.watch("pods", null, 0);
        s.close();
        assertThat(w.isOpen()).isFalse();
        assertThat(w.next(Duration.ofMillis(10))).isNull();
    }

    static List<WatchEvent> drain(Watch w, int count) throws InterruptedException {
        var out = new ArrayList<WatchEvent>();
        while (out.size() < count) {
            var e = w.next(Duration.ofSeconds(5));
            if (e == null) break;
            out.add(e);
        }
        return out;
    }
}
