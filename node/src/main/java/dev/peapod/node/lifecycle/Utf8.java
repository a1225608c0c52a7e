package dev.peapod.node.lifecycle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte limits on text. Kubernetes states its termination-message limits in bytes and Go cuts
 * strings by bytes, which can split a character (the API server then shows U+FFFD). These cut at
 * a character boundary instead, so a message may come out a few bytes under the limit, never
 * over it.
 */
final class Utf8 {
    private Utf8() {}

    /** The last at most {@code max} bytes, starting at the first whole character. */
    static byte[] lastBytes(byte[] b, int max) {
        if (b.length <= max) return b;
        return fromCharStart(Arrays.copyOfRange(b, b.length - max, b.length));
    }

    /** {@code b} without the continuation bytes of a character cut off at its start. */
    static byte[] fromCharStart(byte[] b) {
        int from = 0;
        while (from < b.length && from < 3 && isContinuation(b[from])) from++;
        return from == 0 ? b : Arrays.copyOfRange(b, from, b.length);
    }

    /** The longest prefix of {@code s} whose UTF-8 encoding is at most {@code max} bytes. */
    static String firstBytes(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) return s;
        int to = max;
        while (to > 0 && isContinuation(b[to])) to--;
        return new String(b, 0, to, StandardCharsets.UTF_8);
    }

    private static boolean isContinuation(byte x) {
        return (x & 0xC0) == 0x80;
    }
}
