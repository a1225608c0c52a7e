package dev.peapod.node.volume;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a volume's files so that a reader never sees half of an update, the way kubelet's
 * {@code AtomicWriter} (pkg/volume/util/atomic_writer.go) does for configMap, secret, downwardAPI
 * and projected volumes:
 *
 * <pre>
 *  target/
 *    ..2026_11_23_20_31_07.4711/   the payload, written in full into a new timestamped directory
 *    ..data -> ..2026_11_23_20_31_07.4711   swapped in one rename(2) of a fresh "..data_tmp" link
 *    key    -> ..data/key          user-visible entries: symlinks through ..data (made once)
 * </pre>
 *
 * A container that opens {@code key} resolves {@code ..data} at that moment and reads either the
 * old or the new payload, never a mix. After the swap, top-level entries gone from the payload
 * are removed and the previous timestamped directory is deleted.
 *
 * <p>Paths are checked before anything is written: relative, no {@code ..} element, not starting
 * with {@code ..} (which would collide with the writer's own entries). Only directories this
 * writer created are written into, so a symlink cannot redirect a write.
 *
 * <p>Contract: not thread safe for one target directory (each pod worker writes its own volumes
 * from its one thread); blocking file I/O.
 */
public final class AtomicWriter {
    static final String DATA = "..data";
    private static final String DATA_TMP = "..data_tmp";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss'.'")
            .withZone(ZoneOffset.UTC);
    private static final int MAX_PATH = 4096, MAX_ELEMENT = 255;

    private final Path target;

    public AtomicWriter(Path target) { this.target = target; }

    /**
     * Makes {@code target} hold exactly {@code payload} (relative path → file). Returns whether
     * anything was written: an unchanged payload leaves the volume as it is.
     *
     * @throws IllegalArgumentException for a path that is absolute, holds {@code ..}, or starts with {@code ..}
     */
    public boolean write(Map<String, FileProjection> payload) throws IOException {
        return write(payload, dir -> { });
    }

    /** Something done to the volume's directory once the new files exist, before they become visible. */
    public interface BeforeSwap { void run(Path target) throws IOException; }

    /**
     * {@link #write(Map)}, running {@code setPerms} on the target after the new timestamped
     * directory is written and before {@code ..data} points at it (kubelet's AtomicWriter
     * {@code setPerms}: the fsGroup ownership, so no reader sees the files without it).
     */
    public boolean write(Map<String, FileProjection> payload, BeforeSwap setPerms) throws IOException {
        var clean = validate(payload);
        Files.createDirectories(target);
        Path dataLink = target.resolve(DATA);
        Path old = Files.isSymbolicLink(dataLink) ? target.resolve(Files.readSymbolicLink(dataLink)) : null;
        if (old != null && Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS) && read(old).equals(clean)
                && visibleEntriesPresent(clean.keySet())) {
            return false;
        }
        Path fresh = Files.createTempDirectory(target, STAMP.format(Instant.now()));
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            for (var e : clean.entrySet()) writeFile(fresh, e.getKey(), e.getValue());
            setPerms.run(target);
            Path tmp = target.resolve(DATA_TMP);
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, fresh.getFileName());
            // rename(2) replaces ..data in one step: the moment of the update.
            Files.move(tmp, dataLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteTree(fresh);
            throw e;
        }
        Set<String> visible = topLevel(clean.keySet());
        for (String name : visible) {
            Path link = target.resolve(name);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of(DATA, name));
        }
        removeStale(visible, fresh.getFileName().toString());
        return true;
    }

    /** The validated payload, sorted, with paths normalised ({@code a//b} → {@code a/b}). */
    static Map<String, FileProjection> validate(Map<String, FileProjection> payload) {
        var clean = new TreeMap<String, FileProjection>();
        for (var e : payload.entrySet()) {
            String p = e.getKey();
            if (p == null || p.isEmpty()) throw new IllegalArgumentException("invalid path: must not be empty");
            if (p.length() > MAX_PATH) throw new IllegalArgumentException("invalid path: must be less than or equal to " + MAX_PATH + " characters");
            if (p.startsWith("/")) throw new IllegalArgumentException("invalid path \"" + p + "\": must be relative path");
            if (p.startsWith("..")) throw new IllegalArgumentException("invalid path \"" + p + "\": must not start with '..'");
            var parts = new StringBuilder();
            for (String element : p.split("/")) {
                if (element.isEmpty() || element.equals(".")) continue;
                if (element.equals("..")) throw new IllegalArgumentException("invalid path \"" + p + "\": must not contain '..'");
                if (element.length() > MAX_ELEMENT) throw new IllegalArgumentException("invalid path \"" + p + "\": element longer than " + MAX_ELEMENT);
                if (!parts.isEmpty()) parts.append('/');
                parts.append(element);
            }
            if (parts.isEmpty()) throw new IllegalArgumentException("invalid path \"" + p + "\": names no file");
            if (clean.put(parts.toString(), e.getValue()) != null) {
                throw new IllegalArgumentException("invalid path \"" + p + "\": given twice");
            }
        }
        return clean;
    }

    private static void writeFile(Path dir, String relative, FileProjection f) throws IOException {
        Path file = dir.resolve(relative);
        Path parent = file.getParent();
        if (!parent.equals(dir)) {
            // Directories of nested item paths (a/b/key): created inside the fresh directory only.
            Path p = dir;
            for (Path element : dir.relativize(parent)) {
                p = p.resolve(element);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
                try {
                    Files.createDirectory(p);
                } catch (FileAlreadyExistsException e) {
                    throw new IllegalArgumentException("invalid path \"" + relative + "\": " + dir.relativize(p) + " is a file of the payload");
                }
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Files.write(file, f.data(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        // Explicit chmod: the process umask must not decide a file's mode.
        Files.setPosixFilePermissions(file, permissions(f.mode()));
    }

    /** What a timestamped directory holds, as a payload. */
    private static Map<String, FileProjection> read(Path dir) throws IOException {
        var out = new TreeMap<String, FileProjection>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                int mode = mode(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                out.put(dir.relativize(p).toString(), new FileProjection(Files.readAllBytes(p), mode));
            }
        }
        return out;
    }

    private boolean visibleEntriesPresent(Set<String> paths) {
        for (String name : topLevel(paths)) {
            if (!Files.isSymbolicLink(target.resolve(name))) return false;
        }
        return true;
    }

    private static Set<String> topLevel(Set<String> paths) {
        var out = new LinkedHashSet<String>();
        for (String p : paths) out.add(p.contains("/") ? p.substring(0, p.indexOf('/')) : p);
        return out;
    }

    /** Removes user-visible entries no longer in the payload, and every timestamped directory but the current one. */
    private void removeStale(Set<String> visible, String current) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (name.equals(DATA) || name.equals(current) || visible.contains(name)) continue;
                if (name.startsWith("..") || Files.isSymbolicLink(e)) deleteTree(e);
            }
        }
    }

    /** Deletes a tree without following symlinks. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        var out = new java.util.HashSet<PosixFilePermission>();
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < 9; bit++) if ((mode & (1 << bit)) != 0) out.add(order[bit]);
        return out;
    }

    static int mode(Set<PosixFilePermission> perms) {
        var bits = new HashMap<PosixFilePermission, Integer>();
        bits.put(PosixFilePermission.OWNER_READ, 0400);
        bits.put(PosixFilePermission.OWNER_WRITE, 0200);
        bits.put(PosixFilePermission.OWNER_EXECUTE, 0100);
        bits.put(PosixFilePermission.GROUP_READ, 040);
        bits.put(PosixFilePermission.GROUP_WRITE, 020);
        bits.put(PosixFilePermission.GROUP_EXECUTE, 010);
        bits.put(PosixFilePermission.OTHERS_READ, 04);
        bits.put(PosixFilePermission.OTHERS_WRITE, 02);
        bits.put(PosixFilePermission.OTHERS_EXECUTE, 01);
        int m = 0;
        for (var p : perms) m |= bits.get(p);
        return m;
    }
}
