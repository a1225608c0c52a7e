package dev.peapod.image;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Layer and archive compression, detected from the magic bytes rather than trusted from a media
 * type: docker-save archives carry no media types, and some registries label gzip layers as plain
 * tar (containerd's {@code compression.DecompressStream} sniffs for the same reason).
 */
enum Compression {
    NONE, GZIP, ZSTD;

    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    /** RFC 8878 section 3.1.1: 0xFD2FB528 little-endian. */
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    /** Peeks at the first bytes of {@code in} (which must support mark/reset). */
    static Compression detect(InputStream in) throws IOException {
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        if (startsWith(head, ZSTD_MAGIC)) {
            return ZSTD;
        }
        return startsWith(head, GZIP_MAGIC) ? GZIP : NONE;
    }

    /** Wraps {@code raw} in the decompressor its magic bytes call for. */
    static InputStream decompress(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16);
        return switch (detect(in)) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(in), 1 << 16);
        };
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
