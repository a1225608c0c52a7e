package dev.peapod.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The object store in one SQLite database ({@code <dir>/store.db}).
 *
 * <p>Tables: {@code objects} (the current state, one row per key), {@code log} (one row per
 * revision: the event a watch replays) and {@code meta} (schema version, current and compacted
 * revision). Every write is one transaction touching all three, so after a crash the database
 * holds either all of a write or none of it.
 *
 * <p>Durability: WAL journal with {@code synchronous=FULL}, so a write that returned survives a
 * power loss, not only a process crash (NORMAL would be crash-safe for the process but may lose
 * the last commits on power loss; https://www.sqlite.org/pragma.html#pragma_synchronous). etcd
 * likewise fsyncs before acknowledging.
 *
 * <p>One connection, used under one lock: SQLite has a single writer anyway, and reads are
 * primary-key lookups or small scans on one host. The log keeps the last {@code window}
 * revisions (kube-apiserver's watch cache keeps a comparable window of events); compaction runs
 * in the write transaction that passes the window.
 */
public final class SqliteStore extends LockedStore {
    /** Revisions the log keeps for watches by default. */
    public static final int DEFAULT_WINDOW = 10_000;
    static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection db;
    private final WatchHub hub = new WatchHub();
    private final int window;
    private long revision;
    private long compacted;
    /**
     * The parsed tree of each object as last read or written, with its revision: a list (kubectl get
     * pods, every informer's relist) then copies trees instead of parsing every row's JSON again, which
     * was most of the server's time for a Table of 110 pods. A row whose revision differs is parsed
     * again, so the cache cannot serve a stale object; callers still get their own copy. Under
     * {@link #lock}, as the connection.
     */
    private final Map<Key, Stored> parsed = new HashMap<>();

    private SqliteStore(Connection db, int window) throws SQLException {
        this.db = db;
        this.window = window;
        this.revision = meta("revision");
        this.compacted = meta("compacted");
    }

    public static SqliteStore open(Path dir) { return open(dir, DEFAULT_WINDOW); }

    public static SqliteStore open(Path dir, int window) {
        try {
            Files.createDirectories(dir);
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
            try (Statement st = db.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("CREATE TABLE IF NOT EXISTS objects(resource TEXT NOT NULL, namespace TEXT NOT NULL,"
                        + " name TEXT NOT NULL, uid TEXT NOT NULL, revision INTEGER NOT NULL, data TEXT NOT NULL,"
                        + " PRIMARY KEY(resource, namespace, name)) WITHOUT ROWID");
                st.execute("CREATE TABLE IF NOT EXISTS log(revision INTEGER PRIMARY KEY, type TEXT NOT NULL,"
                        + " resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL, data TEXT NOT NULL)");
                st.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
                st.execute("INSERT OR IGNORE INTO meta VALUES('schema', " + SCHEMA_VERSION + "), ('revision', 0), ('compacted', 0)");
            }
            var store = new SqliteStore(db, window);
            long schema = store.meta("schema");
            if (schema != SCHEMA_VERSION) {
                db.close();
                throw new StoreException.Failed("store " + dir + " has schema version " + schema
                        + ", this peapod reads version " + SCHEMA_VERSION, null);
            }
            db.setAutoCommit(false);
            return store;
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException.Failed("failed to open store in " + dir + ": " + e.getMessage(), e);
        }
    }

    private long meta(String key) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    protected Stored find(Key key) {
        return row(key);
    }

    /** One transaction: the object row, the log row, the revision, and compaction when due. */
    @Override
    protected Stored write(WatchEvent.Type type, Key key, String uid, ObjectNode object) {
        long rev = revision + 1;
        ObjectNode stamped = Objects.stamp(object, rev);
        String data = text(stamped);
        try {
            if (type == WatchEvent.Type.DELETED) {
                exec("DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?", key.resource(), key.namespace(), key.name());
            } else {
                exec("INSERT OR REPLACE INTO objects VALUES(?, ?, ?, ?, ?, ?)", key.resource(), key.namespace(), key.name(), uid, rev, data);
            }
            exec("INSERT INTO log VALUES(?, ?, ?, ?, ?, ?, ?)", rev, type.name(), key.resource(), key.namespace(), key.name(), uid, data);
            exec("UPDATE meta SET value = ? WHERE key = 'revision'", rev);
            long newCompacted = compacted;
            if (rev - compacted > window) {
                newCompacted = rev - window;
                exec("DELETE FROM log WHERE revision <= ?", newCompacted);
                exec("UPDATE meta SET value = ? WHERE key = 'compacted'", newCompacted);
            }
            db.commit();
            revision = rev;
            compacted = newCompacted;
        } catch (SQLException e) {
            rollback();
            throw new StoreException.Failed("failed to write " + key + ": " + e.getMessage(), e);
        }
        hub.publish(new WatchEvent(type, key, rev, stamped));
        if (type == WatchEvent.Type.DELETED) parsed.remove(key);
        else parsed.put(key, new Stored(key, uid, rev, stamped.deepCopy()));
        return new Stored(key, uid, rev, stamped.deepCopy());
    }

    private void exec(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.executeUpdate();
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the next write reports it
        }
    }

    private Stored row(Key key) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT uid, revision, data FROM objects WHERE resource = ? AND namespace = ? AND name = ?")) {
            ps.setString(1, key.resource());
            ps.setString(2, key.namespace());
            ps.setString(3, key.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? cached(key, rs.getString(1), rs.getLong(2), rs.getString(3)) : null;
            }
        } catch (SQLException e) {
            throw new StoreException.Failed("failed to read " + key + ": " + e.getMessage(), e);
        } finally {
            endRead();
        }
    }

    /** A copy of the cached tree when it is at {@code rev}; else {@code data} parsed (and cached). */
    private Stored cached(Key key, String uid, long rev, String data) {
        Stored c = parsed.get(key);
        if (c == null || c.revision() != rev || !c.uid().equals(uid)) {
            c = new Stored(key, uid, rev, parse(data));
            parsed.put(key, c);
        }
        return new Stored(key, uid, rev, c.object().deepCopy());
    }

    /** Reads run in the connection's open transaction; ending it lets the WAL checkpoint proceed. */
    private void endRead() {
        try {
            db.commit();
        } catch (SQLException ignored) {
            // nothing was written; a broken connection is reported by the next statement
        }
    }

    @Override
    public Optional<Stored> get(Key key) {
        lock.lock();
        try {
            return Optional.ofNullable(row(key));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Listing list(String resource, String namespace) {
        lock.lock();
        // Keys and revisions first: the JSON is read (and parsed) only for rows not cached at their revision.
        try (PreparedStatement ps = db.prepareStatement("SELECT namespace, name, uid, revision FROM objects"
                + " WHERE resource = ?" + (namespace == null ? "" : " AND namespace = ?") + " ORDER BY namespace, name")) {
            ps.setString(1, resource);
            if (namespace != null) ps.setString(2, namespace);
            List<Stored> items = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Key key = new Key(resource, rs.getString(1), rs.getString(2));
                    String uid = rs.getString(3);
                    long rev = rs.getLong(4);
                    Stored c = parsed.get(key);
                    boolean hit = c != null && c.revision() == rev && c.uid().equals(uid);
                    items.add(new Stored(key, uid, rev, hit ? c.object().deepCopy() : null)); // null: read below
                }
            }
            for (int i = 0; i < items.size(); i++) {
                Stored s = items.get(i);
                if (s.object() == null) items.set(i, cached(s.key(), s.uid(), s.revision(), data(s.key(), s.revision())));
            }
            return new Listing(items, revision);
        } catch (SQLException e) {
            throw new StoreException.Failed("failed to list " + resource + ": " + e.getMessage(), e);
        } finally {
            endRead();
            lock.unlock();
        }
    }

    /** The JSON of the row {@code key} at {@code rev}, in the read transaction of a list. */
    private String data(Key key, long rev) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT data FROM objects WHERE resource = ? AND namespace = ? AND name = ? AND revision = ?")) {
            ps.setString(1, key.resource());
            ps.setString(2, key.namespace());
            ps.setString(3, key.name());
            ps.setLong(4, rev);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("row " + key + " changed within a read transaction");
                return rs.getString(1);
            }
        }
    }

    @Override
    public Watch watch(String resource, String namespace, long afterRevision) {
        lock.lock();
        try (PreparedStatement ps = db.prepareStatement("SELECT revision, type, namespace, name, data FROM log"
                + " WHERE revision > ? AND resource = ?" + (namespace == null ? "" : " AND namespace = ?") + " ORDER BY revision")) {
            if (afterRevision < compacted) throw new StoreException.Gone(afterRevision, compacted);
            ps.setLong(1, afterRevision);
            ps.setString(2, resource);
            if (namespace != null) ps.setString(3, namespace);
            List<WatchEvent> backlog = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    backlog.add(new WatchEvent(WatchEvent.Type.valueOf(rs.getString(2)),
                            new Key(resource, rs.getString(3), rs.getString(4)), rs.getLong(1), parse(rs.getString(5))));
                }
            }
            return hub.register(resource, namespace, backlog);
        } catch (SQLException e) {
            throw new StoreException.Failed("failed to watch " + resource + ": " + e.getMessage(), e);
        } finally {
            endRead();
            lock.unlock();
        }
    }

    @Override
    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            hub.closeAll();
            db.close();
        } catch (SQLException e) {
            throw new StoreException.Failed("failed to close store: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private static String text(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("object is not serializable: " + e.getMessage(), e);
        }
    }

    private static ObjectNode parse(String s) {
        try {
            return (ObjectNode) JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new StoreException.Failed("stored object is not JSON: " + e.getMessage(), e);
        }
    }
}
