package io.caravan.ingest;

import io.caravan.error.DataException;
import tools.jackson.databind.JsonNode;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.FormatSpec;
import io.caravan.pipeline.Issue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;
import org.apache.commons.io.input.BOMInputStream;
import org.springframework.stereotype.Component;

/**
 * Streaming CSV reader (Apache Commons CSV): delimiter, quote, charset (a UTF-8 byte-order mark is
 * skipped whatever the declared charset), header row or declared column names, quoted fields with
 * embedded delimiters and newlines. One record in memory at a time.
 *
 * <p>A row whose number of values differs from the header is yielded as unusable ("ragged row");
 * so is a row with a value longer than the connector's maximum field length, or with bytes that are
 * not valid in the declared charset (named by column). A quoted field left open at the end of the
 * file refuses the whole source with {@link DataException} naming the row, since the rows
 * after it cannot be told apart.
 */
@Component
public class CsvReaderFactory implements RecordReaderFactory {

    @Override
    public String formatType() {
        return "csv";
    }

    @Override
    public RecordReader open(InputStream in, ConnectorDescriptor descriptor, String source) {
        return new CsvRecordReader(in, descriptor.format(), descriptor.maxFieldChars(), descriptor.file(), source);
    }

    @Override
    public RecordReader open(InputStream in, FormatSpec format, int maxFieldChars, String source) {
        return new CsvRecordReader(in, format, maxFieldChars, null, source);
    }

    /** What the decoder puts in place of bytes that are not valid in the declared charset. */
    private static final char REPLACEMENT = '\uFFFD';

    static final class CsvRecordReader implements RecordReader {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final Map<String, Integer> index;
        private final Collection<String> columns;
        private final String source;
        private final int maxFieldChars;
        private final String charset;
        private long number;

        CsvRecordReader(InputStream in, FormatSpec format, int maxFieldChars, Path file, String source) {
            this.source = source;
            this.maxFieldChars = maxFieldChars;
            this.charset = format.charset().name();
            try {
                BOMInputStream unbommed = BOMInputStream.builder().setInputStream(in).get();
                BufferedReader reader = new BufferedReader(new InputStreamReader(unbommed, format.charset().newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16);
                CSVFormat.Builder builder = CSVFormat.DEFAULT.builder()
                        .setDelimiter(format.delimiter())
                        .setQuote(format.quote())
                        .setIgnoreEmptyLines(true)
                        .setIgnoreSurroundingSpaces(false)
                        .setAllowMissingColumnNames(true)
                        .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW);
                if (format.header()) {
                    builder.setHeader().setSkipHeaderRecord(true);
                } else {
                    builder.setHeader(declaredColumns(format.columns(), file));
                }
                this.parser = CSVParser.builder().setReader(reader).setFormat(builder.get()).get();
            } catch (IllegalArgumentException e) {
                close(in);
                throw new DataException(source + ": header row: " + headerProblem(e));
            } catch (IOException | UncheckedIOException e) {
                close(in);
                throw new DataException(source + ": header row: unreadable (" + e.getClass().getSimpleName() + ")");
            }
            Map<String, Integer> map = parser.getHeaderMap();
            this.index = map == null ? Map.of() : new HashMap<>(map);
            List<String> names = parser.getHeaderNames() == null ? List.of() : new ArrayList<>(parser.getHeaderNames());
            this.columns = Collections.unmodifiableList(names);
            this.records = parser.iterator();
        }

        private static String[] declaredColumns(JsonNode columns, Path file) {
            if (columns == null || !columns.isArray() || columns.isEmpty()) {
                throw new IllegalStateException(file + ": $.format.columns: a CSV without header row needs its column names");
            }
            String[] names = new String[columns.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = columns.get(i).asString();
            }
            return names;
        }

        private String headerProblem(IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            // Commons CSV names the duplicate header, which is a column name, not data
            return message.contains("duplicate name") ? "duplicate column name in header" : "unusable header";
        }


        @Override
        public boolean hasNext() {
            try {
                return records.hasNext();
            } catch (UncheckedIOException e) {
                throw new DataException(source + ": row " + (number + 1) + ": " + rowProblem(e));
            }
        }

        private static String rowProblem(UncheckedIOException e) {
            String message = String.valueOf(e.getCause() == null ? "" : e.getCause().getMessage());
            if (message.contains("EOF reached before encapsulated token finished")) {
                return "quoted field is not closed before the end of the file";
            }
            if (message.contains("invalid char between encapsulated token and delimiter")) {
                return "text after a closing quote";
            }
            return "malformed CSV";
        }

        @Override
        public SourceRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            CSVRecord record;
            try {
                record = records.next();
            } catch (UncheckedIOException e) {
                throw new DataException(source + ": row " + (number + 1) + ": " + rowProblem(e));
            }
            number++;
            Issue problem = null;
            if (!index.isEmpty() && record.size() != index.size()) {
                problem = Issue.rejection("row", "ragged row: " + record.size() + " values where the header has " + index.size());
            } else {
                for (int i = 0; i < record.size(); i++) {
                    String value = record.get(i);
                    if (value.length() > maxFieldChars) {
                        problem = Issue.rejection(columnName(i), "longer than " + maxFieldChars + " characters");
                        break;
                    }
                    if (value.indexOf(REPLACEMENT) >= 0) {
                        problem = Issue.rejection(columnName(i), "bytes that are not valid " + charset);
                        break;
                    }
                }
            }
            return new CsvRow(number, record, problem);
        }

        private String columnName(int i) {
            return i < columns.size() ? ((List<String>) columns).get(i) : "column " + (i + 1);
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }

        private static void close(InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // already failing
            }
        }

        private final class CsvRow implements SourceRow {
            private final long number;
            private final CSVRecord record;
            private final Issue problem;

            CsvRow(long number, CSVRecord record, Issue problem) {
                this.number = number;
                this.record = record;
                this.problem = problem;
            }

            @Override public long number() { return number; }

            @Override public String get(String column) {
                Integer i = index.get(column);
                if (i == null || i >= record.size()) {
                    return null;
                }
                String value = record.get(i);
                return value.isEmpty() ? null : value;
            }

            @Override public Collection<String> columns() { return columns; }

            @Override public Issue problem() { return problem; }

            @Override public String toString() { return "CsvRow[" + number + "]"; }
        }
    }
}
