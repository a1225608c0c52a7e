package dev.peapod.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image archive ({@code docker save} or OCI image layout, tar, optionally compressed) read
 * once, entry by entry, into a private staging directory, never extracted blindly: only regular
 * files and directories are written, under names checked like layer entries (no absolute names,
 * no {@code ..}); symlinks and hard links become aliases resolved by name inside the archive
 * (docker save links duplicate {@code layer.tar}s), so nothing in staging can point elsewhere.
 * Callers then open entries by name.
 */
final class StagedArchive implements AutoCloseable {
    /** Symlink hops allowed when resolving an alias, as Linux's MAXSYMLINKS. */
    private static final int MAX_HOPS = 40;
    /** JSON documents (manifest.json, index.json, configs) are small; refuse to buffer a huge one. */
    static final int MAX_DOCUMENT = 16 << 20;

    private final Path archive;
    private final Path dir;
    private final Map<String, List<String>> aliases = new HashMap<>();

    private StagedArchive(Path archive, Path dir) {
        this.archive = archive;
        this.dir = dir;
    }

    /** Reads {@code archive} into the new directory {@code stagingDir}; deletes it again on failure. */
    static StagedArchive stage(Path archive, Path stagingDir) {
        StagedArchive staged = new StagedArchive(archive, stagingDir);
        try (InputStream raw = Files.newInputStream(archive)) {
            Files.createDirectory(stagingDir);
            staged.read(Compression.decompress(raw));
            return staged;
        } catch (IOException | IllegalArgumentException e) {
            staged.close();
            throw staged.error(e.getMessage(), e);
        } catch (RuntimeException e) {
            staged.close();
            throw e;
        }
    }

    private void read(InputStream in) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            List<String> elements = EntryNames.elements(e.getName());
            if (elements == null) {
                throw escapes(e.getName());
            }
            if (elements.isEmpty()) {
                continue;
            }
            if (e.isSymbolicLink()) {
                aliases.put(EntryNames.join(elements), symlinkTarget(e, elements));
            } else if (e.isLink()) {
                List<String> target = EntryNames.elements(e.getLinkName());
                if (target == null || target.isEmpty()) {
                    throw escapes(e.getName());
                }
                aliases.put(EntryNames.join(elements), target);
            } else if (e.isDirectory()) {
                mkdirs(elements, elements.size(), e.getName());
            } else if (LayerUnpacker.isRegular(e)) {
                Path target = mkdirs(elements, elements.size() - 1, e.getName()).resolve(elements.getLast());
                if (Files.isDirectory(target, NOFOLLOW_LINKS)) {
                    throw error("entry \"" + e.getName() + "\" replaces a directory", null);
                }
                aliases.remove(EntryNames.join(elements));
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** A symlink's target as archive-root elements, resolved lexically; refused if it leaves the archive. */
    private List<String> symlinkTarget(TarArchiveEntry e, List<String> elements) {
        String link = e.getLinkName();
        if (link.startsWith("/")) {
            throw escapes(e.getName());
        }
        List<String> out = new ArrayList<>(elements.subList(0, elements.size() - 1));
        for (String part : link.split("/")) {
            if (part.equals("..")) {
                if (out.isEmpty()) {
                    throw escapes(e.getName());
                }
                out.removeLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                out.add(part);
            }
        }
        if (out.isEmpty()) {
            throw escapes(e.getName());
        }
        return out;
    }

    private Path mkdirs(List<String> elements, int count, String name) throws IOException {
        Path p = dir;
        for (int i = 0; i < count; i++) {
            p = p.resolve(elements.get(i));
            if (!Files.isDirectory(p, NOFOLLOW_LINKS)) {
                if (Files.exists(p, NOFOLLOW_LINKS)) {
                    throw error("entry \"" + name + "\": parent \"" + EntryNames.join(elements.subList(0, i + 1))
                            + "\" is not a directory", null);
                }
                Files.createDirectory(p);
            }
        }
        return p;
    }

    /** Whether the archive has a regular file (directly or through links) named {@code name}. */
    boolean has(String name) {
        Path p = resolve(name);
        return p != null && Files.isRegularFile(p, NOFOLLOW_LINKS);
    }

    /** Opens the regular file {@code name}; throws naming the entry when the archive lacks it. */
    InputStream open(String name) throws IOException {
        if (!has(name)) {
            throw error("entry \"" + name + "\" is missing", null);
        }
        return Files.newInputStream(resolve(name));
    }

    /** Reads a small document, refusing anything over {@link #MAX_DOCUMENT} bytes. */
    byte[] readDocument(String name) throws IOException {
        try (InputStream in = open(name)) {
            byte[] content = in.readNBytes(MAX_DOCUMENT + 1);
            if (content.length > MAX_DOCUMENT) {
                throw error("entry \"" + name + "\" is larger than " + MAX_DOCUMENT + " bytes", null);
            }
            return content;
        }
    }

    private Path resolve(String name) {
        List<String> elements = EntryNames.elements(name);
        if (elements == null) {
            throw escapes(name);
        }
        for (int hops = 0; hops <= MAX_HOPS; hops++) {
            List<String> next = substitute(elements);
            if (next == null) {
                return dir.resolve(EntryNames.join(elements));
            }
            elements = next;
        }
        throw error("entry \"" + name + "\": too many levels of links", null);
    }

    /** Replaces the shortest aliased prefix of {@code elements}, or returns null when none is aliased. */
    private List<String> substitute(List<String> elements) {
        for (int i = 1; i <= elements.size(); i++) {
            List<String> target = aliases.get(EntryNames.join(elements.subList(0, i)));
            if (target != null) {
                List<String> out = new ArrayList<>(target);
                out.addAll(elements.subList(i, elements.size()));
                return out;
            }
        }
        return null;
    }

    String describe() {
        return archive.toString();
    }

    ImageException error(String detail, Throwable cause) {
        return new ImageException("failed to load image archive " + archive + ": " + detail, cause);
    }

    private ImageException escapes(String name) {
        return error("entry \"" + name + "\" escapes the archive", null);
    }

    /** Deletes the staging directory. */
    @Override
    public void close() {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            throw new ImageException("failed to delete staging directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
