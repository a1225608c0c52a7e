package dev.peapod.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes and counts every byte read through it. Unlike {@link java.security.DigestInputStream},
 * {@link #skip} reads (and so hashes) the skipped bytes: tar readers skip unread entry data, and a
 * skipped byte must still count towards a diff_id.
 */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest digest = Digests.sha256();
    private long count;

    HashingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            digest.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n > 0) {
            digest.update(buf, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return skipByReading(this, n);
    }

    /** Skips by reading through {@code in}, so that a wrapper's {@code read} sees (hashes, copies) every skipped byte. */
    static long skipByReading(InputStream in, long n) throws IOException {
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end (tar readers stop at the end-of-archive blocks; padding after them is hashed too). */
    void drain() throws IOException {
        byte[] buf = new byte[8192];
        while (read(buf, 0, buf.length) >= 0) {
            // hashing happens in read
        }
    }

    long count() {
        return count;
    }

    /** The digest of everything read so far; call once, at the end. */
    String digest() {
        return Digests.of(digest);
    }
}
