package dev.peapod.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Unpacks one layer tar (plain, gzip or zstd) into an empty directory as an overlayfs lower
 * layer, and measures its diff_id (the sha256 of the uncompressed tar, OCI image-spec config.md
 * {@code rootfs.diff_ids}).
 *
 * <p>Kept: regular files, directories, symlinks, hard links within the layer, FIFOs, with mode
 * (set-id and sticky bits too), numeric owner and mtime. Other device nodes are skipped: an image
 * has no business shipping them and a container gets its devices from the runtime.
 *
 * <p>Whiteouts (image-spec layer.md "Whiteouts"): {@code .wh.<name>} becomes the overlayfs
 * whiteout, a character device 0:0 named {@code <name>}; {@code .wh..wh..opq} marks its directory
 * opaque with {@code trusted.overlay.opaque=y} (kernel Documentation/filesystems/overlayfs.rst).
 * A 0:0 character device in the tar is already an overlay whiteout and is kept.
 *
 * <p>Nothing may land outside the directory: absolute names, {@code ..} elements, entries below
 * a symlink and hard links that leave the layer are refused with the entry named. The directory
 * is the caller's temp dir; on failure the caller deletes it.
 */
final class LayerUnpacker {
    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String WHITEOUT_META_PREFIX = ".wh..wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final int DEFAULT_DIR_MODE = 0755;

    private final Path root;
    private final String label;
    private final List<Deferred> directoryTimes = new ArrayList<>();
    private long size;

    /** What was unpacked: the measured diff_id and the bytes of regular-file content. */
    record Result(String diffId, long size) {}

    private record Deferred(Path dir, FileTime mtime) {}

    /**
     * @param root  an existing, empty directory
     * @param label how errors name the layer ({@code sha256:...})
     */
    LayerUnpacker(Path root, String label) {
        this.root = root;
        this.label = label;
    }

    /** Unpacks {@code blob}, reading it to the end. Throws {@link ImageException} naming the entry. */
    Result unpack(InputStream blob) {
        String current = null;
        try {
            HashingInputStream tarBytes = new HashingInputStream(Compression.decompress(blob));
            TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name());
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                current = entry.getName();
                write(entry, tar);
            }
            current = null;
            tarBytes.drain();
            for (int i = directoryTimes.size() - 1; i >= 0; i--) {
                setTimes(directoryTimes.get(i).dir(), directoryTimes.get(i).mtime());
            }
            return new Result(tarBytes.digest(), size);
        } catch (IOException | IllegalArgumentException e) {
            String where = current == null ? "" : "entry \"" + current + "\": ";
            throw fail(where + e.getMessage(), e);
        }
    }

    private void write(TarArchiveEntry e, InputStream data) throws IOException {
        List<String> elements = EntryNames.elements(e.getName());
        if (elements == null) {
            throw escapes(e.getName());
        }
        if (elements.isEmpty()) {
            if (e.isDirectory()) {
                applyOwnerAndMode(root, e);
                directoryTimes.add(new Deferred(root, e.getLastModifiedTime()));
            }
            return;
        }
        String base = elements.getLast();
        Path parent = parentDir(elements, e.getName());
        if (base.startsWith(WHITEOUT_PREFIX)) {
            whiteout(e, parent, base);
            return;
        }
        Path target = parent.resolve(base);
        if (e.isDirectory()) {
            directory(e, target);
        } else if (e.isSymbolicLink()) {
            replace(target);
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            LibC.lchown(target, (int) e.getLongUserId(), (int) e.getLongGroupId());
            setTimes(target, e.getLastModifiedTime());
        } else if (e.isLink()) {
            hardLink(e, target);
        } else if (e.isFIFO()) {
            replace(target);
            LibC.mknod(target, LibC.S_IFIFO | 0600, 0);
            applyAll(target, e);
        } else if (e.isCharacterDevice() && e.getDevMajor() == 0 && e.getDevMinor() == 0) {
            replace(target);
            LibC.mknod(target, LibC.S_IFCHR, 0);
            applyAll(target, e);
        } else if (isRegular(e)) {
            regular(e, target, data);
        }
        // Block and other character devices, and tar meta entries: skipped on purpose.
    }

    static boolean isRegular(TarArchiveEntry e) {
        byte flag = e.getLinkFlag();
        return flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM
                || flag == TarConstants.LF_CONTIG || flag == TarConstants.LF_GNUTYPE_SPARSE;
    }

    private void directory(TarArchiveEntry e, Path target) throws IOException {
        BasicFileAttributes existing = lstat(target);
        if (existing == null || !existing.isDirectory()) {
            replace(target);
            Files.createDirectory(target);
        }
        applyOwnerAndMode(target, e);
        directoryTimes.add(new Deferred(target, e.getLastModifiedTime()));
    }

    private void regular(TarArchiveEntry e, Path target, InputStream data) throws IOException {
        replace(target);
        try (FileChannel ch = FileChannel.open(target,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW_LINKS))) {
            data.transferTo(Channels.newOutputStream(ch));
        }
        size += e.getSize();
        applyAll(target, e);
    }

    private void hardLink(TarArchiveEntry e, Path target) throws IOException {
        List<String> to = EntryNames.elements(e.getLinkName());
        if (to == null || to.isEmpty()) {
            throw new ImageException(prefix() + "entry \"" + e.getName() + "\" links to \"" + e.getLinkName()
                    + "\" and escapes the layer directory");
        }
        Path existing = root;
        for (int i = 0; i < to.size(); i++) {
            existing = existing.resolve(to.get(i));
            BasicFileAttributes attrs = lstat(existing);
            boolean last = i == to.size() - 1;
            if (attrs == null || (!last && !attrs.isDirectory()) || (last && attrs.isDirectory())) {
                String why = attrs != null && attrs.isSymbolicLink()
                        ? "\" through a symlink and escapes the layer directory"
                        : "\", which is not a file earlier in this layer";
                throw new ImageException(prefix() + "entry \"" + e.getName() + "\" links to \""
                        + e.getLinkName() + why);
            }
        }
        replace(target);
        Files.createLink(target, existing);
    }

    private void whiteout(TarArchiveEntry e, Path parent, String base) throws IOException {
        if (base.equals(OPAQUE)) {
            LibC.lsetxattr(parent, OPAQUE_XATTR, new byte[] {'y'});
            return;
        }
        if (base.startsWith(WHITEOUT_META_PREFIX)) {
            return; // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): meaningless to overlayfs
        }
        String hidden = base.substring(WHITEOUT_PREFIX.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            throw escapes(e.getName());
        }
        Path target = parent.resolve(hidden);
        replace(target);
        LibC.mknod(target, LibC.S_IFCHR, LibC.makedev(0, 0));
        LibC.lchown(target, (int) e.getLongUserId(), (int) e.getLongGroupId());
    }

    /**
     * The directory that holds the entry, creating missing parents (0755, root) as Docker does;
     * refuses a parent that is a symlink, checked without following it.
     */
    private Path parentDir(List<String> elements, String name) throws IOException {
        Path dir = root;
        for (int i = 0; i < elements.size() - 1; i++) {
            dir = dir.resolve(elements.get(i));
            BasicFileAttributes attrs = lstat(dir);
            if (attrs == null) {
                Files.createDirectory(dir);
                LibC.chmod(dir, DEFAULT_DIR_MODE);
            } else if (attrs.isSymbolicLink()) {
                throw new ImageException(prefix() + "entry \"" + name + "\" escapes the layer directory through symlink \""
                        + EntryNames.join(elements.subList(0, i + 1)) + "\"");
            } else if (!attrs.isDirectory()) {
                throw new ImageException(prefix() + "entry \"" + name + "\": parent \""
                        + EntryNames.join(elements.subList(0, i + 1)) + "\" is not a directory");
            }
        }
        return dir;
    }

    /** Later entries replace earlier ones (a directory only makes way for a non-directory). */
    private static void replace(Path target) throws IOException {
        BasicFileAttributes attrs = lstat(target);
        if (attrs != null) {
            FileTrees.deleteRecursively(target);
        }
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    private void applyAll(Path target, TarArchiveEntry e) throws IOException {
        applyOwnerAndMode(target, e);
        setTimes(target, e.getLastModifiedTime());
    }

    /** Owner first: chown(2) clears the set-id bits that chmod then restores. */
    private static void applyOwnerAndMode(Path target, TarArchiveEntry e) throws IOException {
        LibC.lchown(target, (int) e.getLongUserId(), (int) e.getLongGroupId());
        LibC.chmod(target, e.getMode() & 07777);
    }

    private static void setTimes(Path target, FileTime mtime) throws IOException {
        LibC.lutimes(target, mtime);
    }

    private ImageException escapes(String name) {
        return new ImageException(prefix() + "entry \"" + name + "\" escapes the layer directory");
    }

    private String prefix() {
        return "failed to unpack layer " + label + ": ";
    }

    private ImageException fail(String detail, Exception cause) {
        return new ImageException(prefix() + detail, cause);
    }
}
