package io.rotquant.cli;

import java.util.List;

/** The markdown table lines of the commands whose tables have as many columns as their input asks for. */
final class MarkdownTable {
    private MarkdownTable() {
    }

    /** One row: the cells between pipes. */
    static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |";
    }

    /** The line under the header of a table of {@code columns} columns. */
    static String rule(int columns) {
        return "|" + "---|".repeat(columns);
    }
}
