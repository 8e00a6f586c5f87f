package io.caravan.deliver;

import tools.jackson.core.JsonEncoding;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Writes an export's rows to a stream, one at a time (nothing is buffered beyond the stream's own
 * buffer, so memory does not grow with the export): exactly the agreement's columns, in its order.
 * Values are JDBC objects; text ({@link String}) is treated as text, numbers, booleans, dates and
 * timestamps as such. Not thread-safe; one writer per export. Never logs.
 */
sealed interface ExportFileWriter extends AutoCloseable permits ExportFileWriter.Csv, ExportFileWriter.Json {

    static ExportFileWriter open(Agreement.Format format, OutputStream out, List<String> columns) throws IOException {
        return switch (format) {
            case CSV -> new Csv(out, columns);
            case JSON -> new Json(out, columns);
        };
    }

    void row(Object[] values) throws IOException;

    /** Ends the document and flushes; the underlying stream is left open. */
    @Override
    void close() throws IOException;

    /** UTF-8 CSV with a header line, CRLF line ends, formula-neutralised ({@link CsvCells}). */
    final class Csv implements ExportFileWriter {
        private final Writer out;

        Csv(OutputStream stream, List<String> columns) throws IOException {
            this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
            for (int i = 0; i < columns.size(); i++) {
                out.write(i == 0 ? "" : ",");
                out.write(CsvCells.text(columns.get(i)));
            }
            out.write("\r\n");
        }

        @Override
        public void row(Object[] values) throws IOException {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.write(',');
                }
                Object value = values[i];
                out.write(value instanceof String text ? CsvCells.text(text) : CsvCells.plain(render(value)));
            }
            out.write("\r\n");
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** A UTF-8 JSON array of objects, one per row, keys in column order; null values are written as null. */
    final class Json implements ExportFileWriter {
        private static final JsonFactory FACTORY = JsonFactory.builder()
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
        private final JsonGenerator json;
        private final List<String> columns;

        Json(OutputStream stream, List<String> columns) throws IOException {
            this.columns = List.copyOf(columns);
            this.json = FACTORY.createGenerator(stream, JsonEncoding.UTF8);
            json.writeStartArray();
        }

        @Override
        public void row(Object[] values) throws IOException {
            json.writeStartObject();
            for (int i = 0; i < values.length; i++) {
                json.writeName(columns.get(i));
                Object value = values[i];
                if (value == null) {
                    json.writeNull();
                } else if (value instanceof BigDecimal number) {
                    json.writeNumber(number);
                } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
                    json.writeNumber(((Number) value).longValue());
                } else if (value instanceof Double || value instanceof Float) {
                    json.writeNumber(((Number) value).doubleValue());
                } else if (value instanceof Boolean bool) {
                    json.writeBoolean(bool);
                } else {
                    json.writeString(render(value));
                }
            }
            json.writeEndObject();
        }

        @Override
        public void close() throws IOException {
            json.writeEndArray();
            json.close();
        }
    }

    private static String render(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal number) {
            return number.toPlainString();
        }
        if (value instanceof java.sql.Date date) {
            return date.toLocalDate().toString();
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant().toString();
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant().toString();
        }
        return value.toString();
    }
}
