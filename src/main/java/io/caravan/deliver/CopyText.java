package io.caravan.deliver;

import io.caravan.connector.ColumnType;
import io.caravan.pipeline.Issue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes values in PostgreSQL's COPY text format: columns separated by a tab, rows ended by a
 * newline, {@code \N} for NULL, and backslash, tab, newline and carriage return escaped so that
 * any text round-trips exactly.
 *
 * <p>Each {@code append} method either appends one value and returns null, or appends nothing
 * and returns the {@link Issue} that rejects the row (a value PostgreSQL cannot store: a NUL
 * character, an {@code int} out of range, a year outside 1..9999). A Java type that does not fit
 * the column is a programming error ({@link WriterDefect}), not a data error. Messages name the
 * column and the rule, never the value. Stateless and thread-safe.
 */
final class CopyText {
    static final String NULL = "\\N";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private CopyText() {
    }

    /** Appends {@code value} for a column of {@code type}; null is SQL NULL. */
    static Issue append(StringBuilder out, String column, ColumnType type, Object value) {
        if (value == null) {
            out.append(NULL);
            return null;
        }
        switch (type) {
            case TEXT:
                if (value instanceof String s) {
                    return text(out, column, s);
                }
                break;
            case INT:
                if (value instanceof Integer i) {
                    out.append(i.intValue());
                    return null;
                }
                if (value instanceof Long l) {
                    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                        return Issue.rejection(column, "number out of range for an int column");
                    }
                    out.append(l.longValue());
                    return null;
                }
                break;
            case BIGINT:
                if (value instanceof Integer || value instanceof Long) {
                    out.append(((Number) value).longValue());
                    return null;
                }
                break;
            case NUMERIC:
                if (value instanceof BigDecimal d) {
                    out.append(d.toPlainString());
                    return null;
                }
                if (value instanceof Integer || value instanceof Long) {
                    out.append(((Number) value).longValue());
                    return null;
                }
                break;
            case DATE:
                if (value instanceof LocalDate d) {
                    if (outOfRange(d.getYear())) {
                        return Issue.rejection(column, "date outside the years 1 to 9999");
                    }
                    out.append(d);
                    return null;
                }
                break;
            case TIMESTAMPTZ:
                OffsetDateTime t = timestamp(value);
                if (t != null) {
                    if (outOfRange(t.getYear())) {
                        return Issue.rejection(column, "timestamp outside the years 1 to 9999");
                    }
                    TIMESTAMP.formatTo(t, out);
                    return null;
                }
                break;
            case BOOLEAN:
                if (value instanceof Boolean b) {
                    out.append(b ? 't' : 'f');
                    return null;
                }
                break;
            default:
                throw new IllegalStateException("no COPY encoding for column type " + type);
        }
        throw new WriterDefect("field '" + column + "' holds a " + value.getClass().getName() + ", but a "
                + type.name().toLowerCase(java.util.Locale.ROOT) + " column takes a " + type.javaType().getName());
    }

    /** Appends a text value, escaped; a NUL character rejects the row (PostgreSQL text cannot hold it). */
    private static boolean special(char c) {
        return c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
    }

    static Issue text(StringBuilder out, String column, String value) {
        if (value == null) {
            out.append(NULL);
            return null;
        }
        int plain = 0;
        int n = value.length();
        while (plain < n && !special(value.charAt(plain))) {
            plain++;
        }
        if (plain == n) {
            out.append(value); // the usual case: nothing to escape, one bulk copy
            return null;
        }
        int mark = out.length();
        out.append(value, 0, plain);
        for (int i = plain; i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\0' -> {
                    out.setLength(mark);
                    return Issue.rejection(column, "contains a NUL character, which the warehouse cannot store");
                }
                default -> out.append(c);
            }
        }
        return null;
    }

    private static OffsetDateTime timestamp(Object value) {
        if (value instanceof OffsetDateTime t) {
            return t;
        }
        if (value instanceof Instant i) {
            return i.atOffset(ZoneOffset.UTC);
        }
        if (value instanceof ZonedDateTime z) {
            return z.toOffsetDateTime();
        }
        return null;
    }

    private static boolean outOfRange(int year) {
        return year < 1 || year > 9999;
    }
}
