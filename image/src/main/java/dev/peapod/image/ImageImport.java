package dev.peapod.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * One import of fetched content into a {@link LocalImageStore} (a registry pull): blobs and
 * unpacked layers are written to a private staging directory {@code tmp/import-<pid>-<start>-<uuid>},
 * each verified against its descriptor (size, digest) and the config's diff_id, and enter the store
 * only at {@link #commit}, under the store lock, by rename. Until then nothing of it is visible; a
 * failure or {@link #close} without commit deletes the staging directory, and a crashed process's
 * directory is removed by the next import (its owner, pid and start time, is gone).
 *
 * <p>Contract: {@link #putBlob} and {@link #putLayer} may run concurrently for different content
 * (layers are fetched in parallel); {@link #commit} and {@link #close} once, after them. Blocking.
 */
public final class ImageImport implements AutoCloseable {
    private static final String PREFIX = "import-";

    private final LocalImageStore store;
    private final Path dir;
    private final Map<String, Path> blobs = new ConcurrentHashMap<>();
    private final Map<String, Path> layers = new ConcurrentHashMap<>();
    private final Map<String, Long> layerSizes = new ConcurrentHashMap<>();

    private ImageImport(LocalImageStore store, Path dir) {
        this.store = store;
        this.dir = dir;
    }

    static ImageImport open(LocalImageStore store, Path tmpDir) {
        removeAbandoned(tmpDir);
        ProcessHandle self = ProcessHandle.current();
        Path dir = tmpDir.resolve(PREFIX + self.pid() + "-" + startMillis(self) + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir.resolve("blobs"));
            Files.createDirectories(dir.resolve("layers"));
        } catch (IOException e) {
            throw new ImageException("failed to create import directory " + dir + ": " + e.getMessage(), e);
        }
        return new ImageImport(store, dir);
    }

    /** Whether the store already holds the unpacked layer: a pull need not fetch its blob. */
    public boolean hasLayer(String diffId) {
        return store.hasLayer(diffId);
    }

    /** Whether the store or this import already holds the blob. */
    public boolean hasBlob(String digest) {
        return blobs.containsKey(digest) || store.hasBlob(digest);
    }

    /** Stages a small document (manifest, config) after checking it has {@code digest}. */
    public void putBlob(byte[] content, String digest) {
        String actual = Digests.of(content);
        if (!actual.equals(digest)) {
            throw new ContentMismatchException("failed to store blob " + digest + ": digest mismatch: content is " + actual);
        }
        Path file = dir.resolve("blobs").resolve(Digests.hex(digest));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        } catch (IOException e) {
            throw new ImageException("failed to store blob " + digest + ": " + e.getMessage(), e);
        }
        blobs.put(digest, file);
    }

    /**
     * Streams a layer blob (plain, gzip or zstd) into the staging directory and unpacks it in the
     * same pass. Refused, with nothing kept: more or fewer bytes than {@code size} (an endless
     * stream stops at {@code size + 1}), another digest, another diff_id, an entry escaping the
     * layer. {@code in} is read to its end but not closed.
     *
     * @throws IOException reading {@code in} or writing the staging directory failed
     *
     * @param progress told the count of compressed bytes read so far, as they arrive
     */
    public void putLayer(InputStream in, String digest, long size, String diffId, LongConsumer progress)
            throws IOException {
        Objects.requireNonNull(progress, "progress");
        String hex = Digests.hex(digest);
        Path blob = dir.resolve("blobs").resolve(hex);
        Path unpacked = dir.resolve("layers").resolve(Digests.hex(diffId));
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Bounded bounded = new Bounded(in, size, digest);
            HashingInputStream hashing = new HashingInputStream(bounded);
            Tee tee = new Tee(hashing, Channels.newOutputStream(ch), progress, hashing);
            LayerUnpacker.Result result = null;
            ImageException unpackError = null;
            try {
                result = LayerStore.unpackInto(tee, unpacked, digest);
            } catch (ImageException e) {
                // Corrupt bytes usually break the decompressor first: read on, so that a digest
                // mismatch is reported as what it is rather than as a gzip error.
                unpackError = e;
            }
            try {
                tee.transferTo(OutputStream.nullOutputStream()); // bytes after the tar's end still count
            } catch (IOException e) {
                if (bounded.overflowed) {
                    throw new ContentMismatchException("failed to fetch layer " + digest + ": " + e.getMessage());
                }
                throw e;
            }
            tee.flushProgress();
            if (hashing.count() != size) {
                throw new ContentMismatchException("failed to fetch layer " + digest + ": size mismatch: the manifest says "
                        + size + " bytes, the registry sent " + hashing.count());
            }
            String actual = hashing.digest();
            if (!actual.equals(digest)) {
                throw new ContentMismatchException("failed to fetch layer " + digest + ": digest mismatch: content is " + actual);
            }
            if (unpackError != null) {
                throw unpackError;
            }
            if (!result.diffId().equals(diffId)) {
                throw new ContentMismatchException("failed to unpack layer " + digest + ": diff_id mismatch: the config says "
                        + diffId + ", the content is " + result.diffId());
            }
            ch.force(true);
            blobs.put(digest, blob);
            layers.put(diffId, unpacked);
            layerSizes.put(diffId, result.size());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(blob);
            deleteQuietly(unpacked);
            throw e;
        }
    }

    /**
     * Moves the staged content into the store and records the image under {@code name}.
     *
     * @param name       normalised name without digest, or null for an image pulled by digest only
     * @param digests    the index and manifest digests, each staged with {@link #putBlob} or already stored
     * @param layerBlobs the manifest's layer digests, base first, matching {@code diffIds}
     */
    public Image commit(String name, List<String> digests, String config, List<String> diffIds, List<String> layerBlobs) {
        return store.commitImport(new ImportedImage(name, digests, config, diffIds, layerBlobs), blobs, layers,
                layerSizes);
    }

    /** A blob the store already holds (a config pulled before), or null. */
    public byte[] storedBlob(String digest) {
        try {
            return store.hasBlob(digest) ? Files.readAllBytes(store.blobPath(digest)) : null;
        } catch (IOException e) {
            return null; // removed meanwhile: fetch it
        }
    }

    /** The diff_ids an image config lists, base layer first; throws naming {@code digest} when it is not a config. */
    public static List<String> diffIds(byte[] config, String digest) {
        return ImageConfigs.parse(config, digest).diffIds();
    }

    @Override
    public void close() {
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path p) {
        try {
            FileTrees.deleteRecursively(p);
        } catch (IOException e) {
            // an abandoned import directory is removed by a later import (removeAbandoned)
        }
    }

    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** Deletes import directories whose process is gone (pid and start time no longer match). */
    private static void removeAbandoned(Path tmpDir) {
        try (var entries = Files.list(tmpDir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String[] parts = p.getFileName().toString().split("-", 4);
                if (parts.length == 4 && (parts[0] + "-").equals(PREFIX) && !alive(parts[1], parts[2])) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException e) {
            // best effort: nothing depends on old import directories being gone
        }
    }

    private static boolean alive(String pid, String start) {
        try {
            return ProcessHandle.of(Long.parseLong(pid))
                    .map(h -> Long.toString(startMillis(h)).equals(start))
                    .orElse(false);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /**
     * Refuses to read past {@code limit} bytes: a registry that keeps sending is cut off at the
     * size its descriptor promised (containerd's content writer does the same).
     */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private final String digest;
        private long count;
        boolean overflowed;

        Bounded(InputStream in, long limit, String digest) {
            super(in);
            this.limit = limit;
            this.digest = digest;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (overflowed) {
                throw new IOException("the registry sent more than the " + limit + " bytes the manifest gives for " + digest);
            }
            if (len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, limit - count + 1));
            if (n > 0) {
                count += n;
                if (count > limit) {
                    overflowed = true;
                    throw new IOException("the registry sent more than the " + limit
                            + " bytes the manifest gives for " + digest);
                }
            }
            return n;
        }
    }

    /** Copies what is read to {@code out} and reports progress every 256 KiB. */
    private static final class Tee extends FilterInputStream {
        private static final long STEP = 256 << 10;
        private final OutputStream out;
        private final LongConsumer progress;
        private final HashingInputStream counted;
        private long reported;

        Tee(InputStream in, OutputStream out, LongConsumer progress, HashingInputStream counted) {
            super(in);
            this.out = out;
            this.progress = progress;
            this.counted = counted;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                out.write(b, off, n);
                if (counted.count() - reported >= STEP) {
                    flushProgress();
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return HashingInputStream.skipByReading(this, n);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        void flushProgress() {
            reported = counted.count();
            progress.accept(reported);
        }

        @Override
        public void close() {
            // the caller owns the underlying stream and the file
        }
    }
}
