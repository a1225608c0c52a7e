package dev.peapod.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: left-aligned columns separated by at least two spaces, no trailing blanks. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
        this.columns = header.length;
        rows.add(header.clone());
    }

    Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns + " columns");
        }
        rows.add(cells.clone());
        return this;
    }

    String render() {
        int[] widths = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) widths[c] = Math.max(widths[c], r[c].length());
        }
        var sb = new StringBuilder();
        for (String[] r : rows) {
            var line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(r[c]);
                if (c < columns - 1) line.append(" ".repeat(widths[c] - r[c].length() + 2));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
