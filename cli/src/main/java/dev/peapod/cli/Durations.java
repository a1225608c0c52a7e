package dev.peapod.cli;

import java.time.Duration;

/** Parses Go-style durations as kubectl accepts them: {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 500ms}; a bare number means seconds. */
final class Durations {
    private Durations() {}

    static Duration parse(String text) {
        String s = text.trim();
        if (s.matches("\\d+")) return Duration.ofSeconds(Long.parseLong(s));
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|h|m|s)").matcher(s);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) break;
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        if (end != s.length() || s.isEmpty()) throw new IllegalArgumentException("invalid duration \"" + text + "\" (examples: 90s, 5m, 1h30m)");
        return d;
    }
}
