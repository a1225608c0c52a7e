package dev.peapod.cli;

import dev.peapod.image.Image;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Comparator;
import java.util.List;

/** Renders images the way {@code podman images} does: 12-hex IDs, SI sizes with 3 significant digits. */
final class ImageTable {
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

    private ImageTable() {}

    /** The whole output, one line per image, sorted by first name then ID; a header unless quiet. */
    static String render(List<Image> images, boolean quiet, boolean noTrunc) {
        var sorted = images.stream()
                .sorted(Comparator.comparing((Image i) -> i.names().isEmpty() ? "\uffff" : i.names().getFirst())
                        .thenComparing(Image::id))
                .toList();
        var sb = new StringBuilder();
        if (quiet) {
            sorted.forEach(i -> sb.append(id(i.id(), noTrunc)).append('\n'));
            return sb.toString();
        }
        var table = new Table("IMAGE ID", "NAMES", "SIZE");
        for (Image i : sorted) {
            table.row(id(i.id(), noTrunc), i.names().isEmpty() ? "<none>" : String.join(",", i.names()), humanSize(i.size()));
        }
        return table.render();
    }

    /** {@code sha256:1a2b…} → the first 12 hex digits, as Docker and podman print image IDs. */
    static String id(String id, boolean noTrunc) {
        if (noTrunc) return id;
        String hex = id.startsWith("sha256:") ? id.substring("sha256:".length()) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /**
     * Decimal units, three significant digits, trailing zeros dropped: 4_262_000 → "4.26 MB",
     * 1000 → "1 kB" (go-units' HumanSizeWithPrecision(size, 3), which podman uses).
     */
    static String humanSize(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        var rounded = new BigDecimal(value).round(new MathContext(3));
        if (rounded.compareTo(BigDecimal.valueOf(1000)) >= 0 && unit < UNITS.length - 1) {
            // 999_999 B rounds up to 1000 kB: print it as 1 MB instead
            rounded = rounded.divide(BigDecimal.valueOf(1000)).round(new MathContext(3));
            unit++;
        }
        return rounded.stripTrailingZeros().toPlainString() + " " + UNITS[unit];
    }
}
