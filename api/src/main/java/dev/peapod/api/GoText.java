package dev.peapod.api;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Go's value printing as used by {@code field.Error.ErrorBody}: numbers and booleans with {@code %v},
 * strings with {@code %q} ({@code strconv.Quote}), a nil value as the quoted string {@code "null"},
 * and string slices with {@code %#v} ({@code []string{"a", "b"}}).
 */
final class GoText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoText() { }

    static String value(Object value) {
        return switch (value) {
            case null -> "\"null\"";
            case String s -> quote(s);
            case Number n -> n.toString();
            case Boolean b -> b.toString();
            case Collection<?> c when c.stream().allMatch(String.class::isInstance) ->
                    c.stream().map(o -> quote((String) o)).collect(Collectors.joining(", ", "[]string{", "}"));
            default -> value.toString();
        };
    }

    /** {@code strconv.Quote}: printable runes stay as they are, the rest become Go escapes. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> appendRune(b, cp));
        return b.append('"').toString();
    }

    private static void appendRune(StringBuilder b, int cp) {
        switch (cp) {
            case '"' -> b.append("\\\"");
            case '\\' -> b.append("\\\\");
            case 0x07 -> b.append("\\a");
            case '\b' -> b.append("\\b");
            case '\f' -> b.append("\\f");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            case 0x0b -> b.append("\\v");
            default -> {
                if (isPrint(cp)) {
                    b.appendCodePoint(cp);
                } else if (cp < 0x80) {
                    b.append("\\x").append(HEX[cp >> 4]).append(HEX[cp & 0xf]);
                } else if (cp < 0x10000) {
                    b.append(String.format("\\u%04x", cp));
                } else {
                    b.append(String.format("\\U%08x", cp));
                }
            }
        }
    }

    /** Approximates Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
    private static boolean isPrint(int cp) {
        if (cp < 0x80) {
            return cp >= 0x20 && cp < 0x7f;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
