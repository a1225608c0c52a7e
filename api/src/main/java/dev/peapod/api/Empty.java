package dev.peapod.api;

import java.util.List;
import java.util.Map;

/**
 * Go's zero values for fabric8's nullable fields: a null list, map or string reads as empty, a null
 * number as zero, exactly as an omitted field decodes into a Go struct.
 */
final class Empty {
    private Empty() { }

    static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    static <K, V> Map<K, V> map(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    static String str(String s) {
        return s == null ? "" : s;
    }

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    static long num(Number n) {
        return n == null ? 0 : n.longValue();
    }

    static boolean bool(Boolean b) {
        return b != null && b;
    }
}
