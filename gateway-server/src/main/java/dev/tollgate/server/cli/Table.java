package dev.tollgate.server.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Rows printed in aligned columns: text to the left, numbers to the right, two spaces between columns. */
final class Table {
    /** A column's header and alignment. */
    record Column(String header, boolean right) {
        static Column left(String header) {
            return new Column(header, false);
        }

        static Column right(String header) {
            return new Column(header, true);
        }
    }

    private final List<Column> columns;
    private final boolean header;
    private final List<String[]> rows = new ArrayList<>();

    private Table(List<Column> columns, boolean header) {
        this.columns = columns;
        this.header = header;
    }

    static Table of(Column... columns) {
        return new Table(List.of(columns), true);
    }

    /** Two columns without a header: a field's name and its value, as {@code keys show} prints a key. */
    static Table fields() {
        return new Table(List.of(Column.left(""), Column.left("")), false);
    }

    /** Adds a row; a null cell prints as {@code -}. */
    Table row(String... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + columns.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c).toArray(String[]::new));
        return this;
    }

    void print(PrintStream out) {
        var lines = new ArrayList<String[]>();
        if (header) {
            lines.add(columns.stream().map(Column::header).toArray(String[]::new));
        }
        lines.addAll(rows);
        int[] widths = new int[columns.size()];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : lines) {
            var text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                String gap = " ".repeat(widths[i] - line[i].length());
                text.append(i == 0 ? "" : "  ").append(columns.get(i).right() ? gap + line[i] : line[i] + gap);
            }
            out.println(text.toString().stripTrailing());
        }
    }
}
