package dev.peapod.network;

/**
 * CNI spec versions ("0.3.1", "0.4.0", "1.0.0"). Features depend on them: CHECK and a
 * {@code prevResult} on DEL exist from 0.4.0 (spec release notes of spec-v0.4.0).
 */
final class CniVersion {
    private CniVersion() {}

    /** Whether {@code version} is at least {@code minimum}; an unparsable version counts as lower. */
    static boolean atLeast(String version, String minimum) {
        int[] a = parse(version);
        int[] b = parse(minimum);
        if (a == null) return false;
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) return a[i] > b[i];
        }
        return true;
    }

    static boolean valid(String version) {
        return parse(version) != null;
    }

    private static int[] parse(String version) {
        if (version == null) return null;
        String[] parts = version.split("\\.", -1);
        if (parts.length < 1 || parts.length > 3) return null;
        int[] out = new int[3];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Integer.parseInt(parts[i]);
                if (out[i] < 0) return null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }
}
