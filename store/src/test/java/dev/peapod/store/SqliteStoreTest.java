package dev.peapod.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.peapod.store.ObjectStoreContractTest.obj;
import static org.assertj.core.api.Assertions.assertThat;

class SqliteStoreTest {
    static final Key A = new Key("pods", "default", "a");

    @Test
    void objectsRevisionAndLogSurviveAReopenAndAWatchResumes(@TempDir Path dir) throws Exception {
        try (var s = SqliteStore.open(dir)) {
            s.create(A, obj("u1", "x"));
            s.update(A, obj("u1", "y"), 1);
        }
        try (var s = SqliteStore.open(dir)) {
            assertThat(s.revision()).isEqualTo(2);
            assertThat(s.get(A).orElseThrow().object().get("value").textValue()).isEqualTo("y");
            try (Watch w = s.watch("pods", null, 1)) {
                var e = w.next(Duration.ofSeconds(1));
                assertThat(e.type()).isEqualTo(WatchEvent.Type.MODIFIED);
                assertThat(e.revision()).isEqualTo(2);
            }
            assertThat(s.create(new Key("pods", "default", "b"), obj("u2", "z")).revision()).isEqualTo(3);
        }
    }

    @Test
    void usesWalWithFullSync(@TempDir Path dir) throws Exception {
        try (var s = SqliteStore.open(dir)) {
            s.create(A, obj("u1", "x"));
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
             var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
    }
}
