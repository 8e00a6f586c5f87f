package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.FormatSpec;
import io.caravan.pipeline.Issue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FixedWidthReaderFactoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConnectorDescriptor KREDITWERK = new ConnectorRegistry(Path.of("connectors"), Path.of("config/vocabularies.yaml"),
            Set.of("csv", "fixed-width", "adf-xml", "json")).get("kreditwerk-contracts");

    private final FixedWidthReaderFactory factory = new FixedWidthReaderFactory();

    @Test
    void columnsAreZeroBasedEndExclusiveAndPaddingIsStripped() {
        ConnectorDescriptor d = layout("{\"id\": [0, 4], \"name\": [4, 12], \"amount\": [12, 18]}", false);
        List<SourceRow> rows = read(d, "0001Kia     000123\n0002        000000\n");

        assertThat(rows).extracting(r -> r.get("id") + "|" + r.get("name") + "|" + r.get("amount"))
                .containsExactly("0001|Kia|000123", "0002|null|000000");
        assertThat(rows.get(0).columns()).containsExactly("id", "name", "amount");
    }

    @Test
    void aLineShorterThanTheLayoutIsARaggedRowAndReadingGoesOn() {
        ConnectorDescriptor d = layout("{\"id\": [0, 4], \"name\": [4, 12]}", false);
        List<SourceRow> rows = read(d, "0001Kia     \r\n0002Ki\r\n0003Seat    \r\n");

        assertThat(rows).extracting(SourceRow::number).containsExactly(1L, 2L, 3L);
        assertThat(rows.get(1).problem()).isEqualTo(Issue.rejection("row", "ragged row: 6 characters where the layout needs 12"));
        assertThat(rows.get(1).get("id")).as("a ragged row exposes no values").isNull();
        assertThat(rows.get(2).get("name")).isEqualTo("Seat");
    }

    @Test
    void charactersBeyondTheLayoutAreIgnoredAndBlankLinesAreNotRecords() {
        ConnectorDescriptor d = layout("{\"id\": [0, 4]}", false);
        List<SourceRow> rows = read(d, "0001FILLER\n\n   \n0002\n");

        assertThat(rows).extracting(r -> r.number() + ":" + r.get("id")).containsExactly("1:0001", "2:0002");
    }

    @Test
    void headerLineIsSkippedWhenDeclared() {
        ConnectorDescriptor d = layout("{\"id\": [0, 4]}", true);

        assertThat(read(d, "ID  \n0001\n")).extracting(r -> r.number() + ":" + r.get("id")).containsExactly("1:0001");
    }

    @Test
    void positionsCountCharactersOfTheDeclaredCharsetNotBytes() {
        ConnectorDescriptor d = layout("{\"name\": [0, 6], \"city\": [6, 12]}", false);
        byte[] latin1 = "Müller Köln \n".getBytes(Charset.forName("ISO-8859-1"));

        SourceRow row = read(d, latin1, Charset.forName("ISO-8859-1")).get(0);
        assertThat(row.get("name")).isEqualTo("Müller");
        assertThat(row.get("city")).isEqualTo("Köln");
    }

    @Test
    void bytesInvalidInTheCharsetRejectTheRowNamingTheColumn() {
        ConnectorDescriptor d = layout("{\"id\": [0, 4], \"name\": [4, 8]}", false);
        byte[] bad = new byte[] {'0', '0', '0', '1', 'K', (byte) 0xFF, 'a', ' ', '\n'};

        assertThat(read(d, bad, StandardCharsets.UTF_8).get(0).problem()).isEqualTo(Issue.rejection("name", "bytes that are not valid UTF-8"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"a\": [0, 4], \"b\": [3, 6]}|column 'b' overlaps column 'a'",
            "{\"a\": [4, 4]}|column 'a': need 0 <= start < end (0-based, end exclusive)",
            "{\"a\": [-1, 4]}|column 'a': need 0 <= start < end (0-based, end exclusive)",
            "{\"a\": [0]}|column 'a': expected [start, end) as two whole numbers",
            "{\"a\": \"0-4\"}|column 'a': expected [start, end) as two whole numbers",
            "[\"a\", \"b\"]|a fixed-width layout needs a map of column name -> [start, end)"})
    void anInvalidLayoutIsAConfigurationErrorNamingTheColumn(String columns, String problem) throws IOException {
        assertThat(FixedWidthReaderFactory.layoutProblem(JSON.readTree(columns))).isEqualTo(problem);
        ConnectorDescriptor d = layout(columns, false);
        assertThatThrownBy(() -> factory.open(new ByteArrayInputStream(new byte[0]), d, "x.txt"))
                .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("$.format.columns: " + problem);
        assertThat(FixedWidthLayouts.problems(List.of(d))).singleElement().asString().endsWith("$.format.columns: " + problem);
    }

    @Test
    void theRepositoryLayoutsAreValid() {
        assertThat(FixedWidthLayouts.problems(List.of(KREDITWERK))).isEmpty();
    }

    @Test
    void readsLazilySoMemoryDoesNotGrowWithTheFile() throws IOException {
        byte[] line = "0001Kia     \n".getBytes(StandardCharsets.US_ASCII);
        InputStream endless = new InputStream() {
            private long position;

            @Override
            public int read() {
                return line[(int) (position++ % line.length)];
            }
        };
        try (RecordReader reader = factory.open(endless, layout("{\"id\": [0, 4], \"name\": [4, 12]}", false), "endless.txt")) {
            for (int i = 1; i <= 1000; i++) {
                assertThat(reader.next().number()).isEqualTo(i);
            }
        }
    }

    private List<SourceRow> read(ConnectorDescriptor d, String text) {
        return read(d, text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private List<SourceRow> read(ConnectorDescriptor d, byte[] bytes, Charset charset) {
        ConnectorDescriptor withCharset = withFormat(d, charset, d.format().columns(), d.format().raw());
        List<SourceRow> rows = new ArrayList<>();
        try (RecordReader reader = factory.open(new ByteArrayInputStream(bytes), withCharset, "contracts.txt")) {
            reader.forEachRemaining(rows::add);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    /** The Kreditwerk connector with another layout: a small fixture builder instead of a descriptor file per case. */
    private static ConnectorDescriptor layout(String columns, boolean header) {
        JsonNode node = JSON.readTree(columns);
        JsonNode raw = JSON.readTree("{\"type\": \"fixed-width\", \"header\": " + header + "}");
        return withFormat(KREDITWERK, StandardCharsets.UTF_8, node, raw);
    }

    private static ConnectorDescriptor withFormat(ConnectorDescriptor d, Charset charset, JsonNode columns, JsonNode raw) {
        FormatSpec f = d.format();
        FormatSpec format = new FormatSpec(f.type(), charset, f.delimiter(), f.quote(), f.header(), columns, f.decimalSeparator(),
                f.datePatterns(), f.timestampPatterns(), f.zone(), f.records(), raw);
        return new ConnectorDescriptor(d.id(), d.title(), d.description(), d.partner(), d.dataClass(), d.table(), format, d.phoneRegion(),
                d.vinCheckDigit(), d.subjectOrder(), d.naturalKey(), d.fields(), d.constants(), d.vocabularies(), d.maxFileBytes(),
                d.maxFieldChars(), d.schedule(), d.source(), d.file());
    }
}
