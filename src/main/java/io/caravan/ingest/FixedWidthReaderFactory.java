package io.caravan.ingest;

import tools.jackson.databind.JsonNode;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.pipeline.Issue;
import org.apache.commons.io.input.BOMInputStream;
import org.springframework.stereotype.Component;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Streaming reader for fixed-width text files ({@code format.type: fixed-width}), one record per line.
 *
 * <p>Layout: {@code format.columns} maps each column name to {@code [start, end)} — <b>0-based character
 * positions, start inclusive, end exclusive</b> (as {@link String#substring(int, int)}; a field in
 * characters 1–10 of a partner's 1-based specification is {@code [0, 10]}). Positions count characters of the
 * declared {@code charset} (default UTF-8; a UTF-8 byte-order mark is skipped), not bytes. Columns may be
 * listed in any order and may leave gaps (filler); they must not overlap. Values are stripped of padding
 * spaces; an all-blank field is absent. {@code format.header: true} skips one header line (default false).
 *
 * <p>Rows: every non-blank line is a record, numbered 1, 2, 3… (blank lines and the header are not
 * counted), like the CSV reader's records. A line shorter than the layout's last end is yielded as an
 * unusable row ("ragged row: N characters where the layout needs M"); characters beyond the layout are
 * ignored (trailing filler). A line with bytes that are not valid in the charset is unusable, naming the column.
 *
 * <p>An invalid layout is a configuration error ({@link IllegalStateException} naming the descriptor and
 * {@code $.format.columns}); {@link FixedWidthLayouts} checks every descriptor at start-up so a route never
 * meets one. One line in memory at a time; never logs values. Stateless and thread-safe.
 */
@Component
class FixedWidthReaderFactory implements RecordReaderFactory {
    private static final char REPLACEMENT = '\uFFFD';

    @Override
    public String formatType() {
        return "fixed-width";
    }

    @Override
    public RecordReader open(InputStream in, ConnectorDescriptor descriptor, String source) {
        Layout layout;
        try {
            layout = Layout.of(descriptor.format().columns());
        } catch (IllegalArgumentException e) {
            closeQuietly(in);
            throw new IllegalStateException(descriptor.file() + ": $.format.columns: " + e.getMessage());
        }
        boolean header = descriptor.format().raw() != null && descriptor.format().raw().path("header").asBoolean(false);
        return new FixedWidthReader(in, descriptor.format().charset(), layout, header, descriptor.maxFieldChars());
    }

    /** A validated layout: column name → [start, end), in descriptor order. */
    record Layout(Map<String, int[]> columns, int width) {
        Layout {
            columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }

        /** Parses {@code format.columns}; {@link IllegalArgumentException} says what is wrong, naming the column. */
        static Layout of(JsonNode node) {
            if (node == null || !node.isObject() || node.isEmpty()) {
                throw new IllegalArgumentException("a fixed-width layout needs a map of column name -> [start, end)");
            }
            Map<String, int[]> columns = new LinkedHashMap<>();
            int width = 0;
            Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode range = field.getValue();
                if (!range.isArray() || range.size() != 2 || !range.get(0).isInt() || !range.get(1).isInt()) {
                    throw new IllegalArgumentException("column '" + field.getKey() + "': expected [start, end) as two whole numbers");
                }
                int start = range.get(0).intValue();
                int end = range.get(1).intValue();
                if (start < 0 || end <= start) {
                    throw new IllegalArgumentException("column '" + field.getKey() + "': need 0 <= start < end (0-based, end exclusive)");
                }
                for (Map.Entry<String, int[]> other : columns.entrySet()) {
                    int[] o = other.getValue();
                    if (start < o[1] && o[0] < end) {
                        throw new IllegalArgumentException("column '" + field.getKey() + "' overlaps column '" + other.getKey() + "'");
                    }
                }
                columns.put(field.getKey(), new int[] {start, end});
                width = Math.max(width, end);
            }
            return new Layout(columns, width);
        }
    }

    static final class FixedWidthReader implements RecordReader {
        private final BufferedReader reader;
        private final Layout layout;
        private final int maxFieldChars;
        private final String charset;
        private final Collection<String> columns;
        private String nextLine;
        private long number;

        FixedWidthReader(InputStream in, Charset charset, Layout layout, boolean header, int maxFieldChars) {
            this.layout = layout;
            this.maxFieldChars = maxFieldChars;
            this.charset = charset.name();
            this.columns = List.copyOf(layout.columns().keySet());
            try {
                InputStream unbommed = BOMInputStream.builder().setInputStream(in).get();
                this.reader = new BufferedReader(new InputStreamReader(unbommed, charset.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16);
                if (header) {
                    reader.readLine();
                }
            } catch (IOException e) {
                closeQuietly(in);
                throw new UncheckedIOException("cannot read the source", e);
            }
        }

        @Override
        public boolean hasNext() {
            while (nextLine == null) {
                String line;
                try {
                    line = reader.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the source", e);
                }
                if (line == null) {
                    return false;
                }
                if (!line.isBlank()) {
                    nextLine = line;
                }
            }
            return true;
        }

        @Override
        public SourceRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String line = nextLine;
            nextLine = null;
            number++;
            if (line.length() < layout.width()) {
                return new FixedWidthRow(number, Map.of(), columns,
                        Issue.rejection("row", "ragged row: " + line.length() + " characters where the layout needs " + layout.width()));
            }
            Map<String, String> values = new LinkedHashMap<>();
            Issue problem = null;
            for (Map.Entry<String, int[]> column : layout.columns().entrySet()) {
                String value = line.substring(column.getValue()[0], column.getValue()[1]).strip();
                if (problem == null && value.indexOf(REPLACEMENT) >= 0) {
                    problem = Issue.rejection(column.getKey(), "bytes that are not valid " + charset);
                } else if (problem == null && value.length() > maxFieldChars) {
                    problem = Issue.rejection(column.getKey(), "longer than " + maxFieldChars + " characters");
                }
                if (!value.isEmpty()) {
                    values.put(column.getKey(), value);
                }
            }
            return new FixedWidthRow(number, problem == null ? values : Map.of(), columns, problem);
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** One line; {@link #toString()} prints no values. */
    private record FixedWidthRow(long number, Map<String, String> values, Collection<String> columns, Issue problem)
            implements SourceRow {
        @Override
        public String get(String column) {
            return values.get(column);
        }

        @Override
        public String toString() {
            return "FixedWidthRow[" + number + "]";
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // failing anyway
        }
    }

    /** For {@link FixedWidthLayouts}: the problem with a descriptor's layout, or null when it is valid. */
    static String layoutProblem(JsonNode columns) {
        try {
            Layout.of(columns);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
