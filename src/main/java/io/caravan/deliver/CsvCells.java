package io.caravan.deliver;

/**
 * One CSV cell as Caravan's exports write it (RFC 4180, comma-separated): a text cell that a
 * spreadsheet would run as a formula, i.e. one starting with {@code =}, {@code +}, {@code -},
 * {@code @}, tab or carriage return, is prefixed with {@code '}; a cell holding a comma, a double
 * quote, CR or LF is quoted, with inner quotes doubled. Numbers, dates and booleans are not text
 * and are written as they are (a negative amount stays {@code -12.50}). Stateless.
 */
final class CsvCells {
    private CsvCells() {
    }

    /** A text cell, formula-neutralised and quoted as needed; null is the empty cell. */
    static String text(String value) {
        if (value == null) {
            return "";
        }
        String cell = isFormula(value) ? "'" + value : value;
        return quoted(cell);
    }

    /** A non-text cell (number, date, boolean) rendered by {@code toString}, quoted if needed. */
    static String plain(String value) {
        return value == null ? "" : quoted(value);
    }

    static boolean isFormula(String value) {
        if (value.isEmpty()) {
            return false;
        }
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    }

    private static String quoted(String cell) {
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n') {
                return '"' + cell.replace("\"", "\"\"") + '"';
            }
        }
        return cell;
    }
}
