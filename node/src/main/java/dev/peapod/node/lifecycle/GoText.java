package dev.peapod.node.lifecycle;

import java.time.Duration;
import java.util.List;

/**
 * Kubelet's messages are Go format strings; these render values the way Go's {@code fmt} does, so
 * that Peapod's messages read exactly like the kubelet's ({@code %q}, {@code %v} of a string
 * slice, {@code time.Duration}).
 */
final class GoText {
    private GoText() {}

    /** Go's {@code %q} of a string ({@code strconv.Quote}): escapes quotes, backslashes and unprintable runes. */
    static String quote(String s) {
        var out = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> appendQuoted(out, cp));
        return out.append('"').toString();
    }

    private static void appendQuoted(StringBuilder out, int cp) {
        switch (cp) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case 0x07 -> out.append("\\a");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case 0x0b -> out.append("\\v");
            default -> {
                if (printable(cp)) out.appendCodePoint(cp);
                else if (cp < 0x80) out.append(String.format("\\x%02x", cp));
                else if (cp < 0x10000) out.append(String.format("\\u%04x", cp));
                else out.append(String.format("\\U%08x", cp));
            }
        }
    }

    /**
     * Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII
     * space; other spaces, controls, format and private-use characters are escaped.
     */
    private static boolean printable(int cp) {
        if (cp == ' ') return true;
        return switch (Character.getType(cp)) {
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED -> false;
            default -> true;
        };
    }

    /** Go's {@code %v} of a {@code []string}: {@code [sh -c exit 3]}. */
    static String slice(List<String> items) {
        return "[" + String.join(" ", items) + "]";
    }

    /** Go's {@code time.Duration.String()} for the whole-millisecond durations hooks deal in: 30s, 1m30s, 500ms. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms < 1000) return ms + "ms";
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        String s = seconds(ms % 60_000);
        if (h > 0) return h + "h" + m + "m" + s;
        if (m > 0) return m + "m" + s;
        return s;
    }

    private static String seconds(long ms) {
        if (ms % 1000 == 0) return ms / 1000 + "s";
        String frac = String.format("%03d", ms % 1000).replaceAll("0+$", "");
        return ms / 1000 + "." + frac + "s";
    }
}
