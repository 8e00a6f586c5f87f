package io.caravan.harmonise;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.ConnectorDescriptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.ingest.CsvReaderFactory;
import io.caravan.error.DataException;
import io.caravan.ingest.RecordReader;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.Issue;
import io.caravan.pipeline.Row;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class HarmoniserCsvTest {
    private static final ConnectorRegistry REGISTRY =
            new ConnectorRegistry(Path.of("connectors"), Path.of("config/vocabularies.yaml"), Set.of("csv", "fixed-width", "adf-xml", "json"));

    private final BatchContext context = new BatchContext("b-test", "route", "dealer-nord-sales", "dealer-nord", "first_party", "test.csv", Instant.now());

    @Test
    void nordSampleRejectsItsFiveBadRowsByRowFieldAndRule() throws IOException {
        List<Row> rows = read("dealer-nord-sales", Files.readAllBytes(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv")));

        assertThat(rows).hasSize(40);
        assertThat(rows.stream().filter(r -> r.disposition() == Disposition.REJECTED).map(r -> r.number() + ":" + r.issues().get(0).field()))
                .containsExactly("6:vin", "12:sale_id", "18:sale_date", "24:row", "30:fuel_type");
        assertThat(rows.get(5).issues().get(0).reason()).isEqualTo("VIN must have 17 characters");
        assertThat(rows.get(23).issues().get(0).reason()).isEqualTo("ragged row: 9 values where the header has 22");
        assertThat(rows.get(29).issues().get(0).reason()).isEqualTo("unknown fuel_type spelling");
        assertThat(rows.get(33).disposition()).isEqualTo(Disposition.PENDING);
        assertThat(rows.get(33).issues()).containsExactly(Issue.warning("email", "e-mail must have exactly one @ after a local part"));
        assertThat(rows.get(33).get("email")).isNull();
        assertThat(context.unmappedColumns()).containsExactlyInAnyOrder("Filiale", "Ort", "Verkäufer");
    }

    @Test
    void germanLayoutParsesDecimalCommaDatesUmlautsAndVocabulary() {
        String csv = "Verkaufsnr;Verkaufsdatum;Marke;Kraftstoff;Zustand;Preis;Finanziert;FIN;Nachname;E-Mail;Telefon;Geburtsdatum\r\n"
                + "HH-2026-0001;03.10.2026;Volkswagen;Elektro;Neuwagen;41.234,50;ja;wvwzzz1kz5w123456;Müller; Jürgen.Müller@Example.COM ;030 23125123;24.12.1970\r\n";
        Row row = read("dealer-nord-sales", csv.getBytes(Charset.forName("ISO-8859-1"))).get(0);

        assertThat(row.isPending()).isTrue();
        assertThat(row.fields())
                .containsEntry("sale_date", LocalDate.of(2026, 10, 3))
                .containsEntry("fuel_type", "bev")
                .containsEntry("condition", "new")
                .containsEntry("price_amount", new BigDecimal("41234.50"))
                .containsEntry("financed", true)
                .containsEntry("vin", "WVWZZZ1KZ5W123456")
                .containsEntry("wmi", "WVW")
                .containsEntry("last_name", "Müller")
                .containsEntry("email", "jürgen.müller@example.com")
                .containsEntry("phone", "+493023125123")
                .containsEntry("birth_date", LocalDate.of(1970, 12, 24))
                .containsEntry("dealer_id", "dealer-nord")
                .containsEntry("_subject", "email");
    }

    @Test
    void recordKeyIsSha256OfConnectorAndNaturalKey() throws Exception {
        String csv = "Verkaufsnr;Verkaufsdatum;Marke;FIN\nHH-2026-0001;03.10.2026;VW;WVWZZZ1KZ5W123456\n";
        Row row = read("dealer-nord-sales", latin1(csv)).get(0);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("dealer-nord-sales|dealer-nord|HH-2026-0001".getBytes(StandardCharsets.UTF_8)));
        assertThat(row.recordKey()).isEqualTo(expected);
    }

    @Test
    void utf8WithBomAndQuotedNewlinesKeepsRecordNumbering() {
        String csv = "\uFEFFdeal_id,delivery_date,brand,vin,notes\n"
                + "S1,2026-10-01,BMW,WBA12345678901234,\"Zeile eins\nZeile zwei, mit Komma\"\n"
                + "S2,2026-10-02,BMW,WBA12345678901235,\"sagt \"\"hallo\"\"\"\n";
        List<Row> rows = read("dealer-sued-sales", csv.getBytes(StandardCharsets.UTF_8));

        assertThat(rows).extracting(Row::number).containsExactly(1L, 2L);
        assertThat(rows.get(0).fields()).containsEntry("sale_id", "S1").containsEntry("comment", "Zeile eins\nZeile zwei, mit Komma");
        assertThat(rows.get(1).fields()).containsEntry("comment", "sagt \"hallo\"");
    }

    @Test
    void emptyFileAndHeaderOnlyGiveNoRows() {
        assertThat(read("dealer-sued-sales", new byte[0])).isEmpty();
        assertThat(read("dealer-sued-sales", "\uFEFFdeal_id,delivery_date,brand,vin\r\n".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void megabyteFieldRejectsOnlyItsRow() {
        String huge = "x".repeat(1024 * 1024);
        String csv = "deal_id,delivery_date,brand,vin,notes\n"
                + "S1,2026-10-01,BMW,WBA12345678901234,ok\n"
                + "S2,2026-10-01,BMW,WBA12345678901234," + huge + "\n"
                + "S3,2026-10-01,BMW,WBA12345678901234,ok\n";
        List<Row> rows = read("dealer-sued-sales", csv.getBytes(StandardCharsets.UTF_8));

        assertThat(rows).extracting(Row::disposition).containsExactly(Disposition.PENDING, Disposition.REJECTED, Disposition.PENDING);
        assertThat(rows.get(1).issues()).containsExactly(Issue.rejection("notes", "longer than 65536 characters"));
    }

    @Test
    void windows1252IsDecodedWhenDeclared() throws IOException {
        Path dir = Files.createTempDirectory("connectors");
        Files.writeString(dir.resolve("c.yaml"), ConnectorRegistryTest.valid().replace("ISO-8859-1", "windows-1252").replace("  make: { column: Marke, type: text }\n", "  make: { column: Marke, type: text }\n  model: { column: Modell, type: text }\n"));
        ConnectorRegistry registry = new ConnectorRegistry(dir, Path.of("config/vocabularies.yaml"), Set.of("csv"));
        byte[] csv = "Nr;Datum;Marke;Modell\n1;01.10.2026;Škoda;Octavia – Kombi\n".getBytes(Charset.forName("windows-1252"));
        Row row = read(registry.get("test-sales"), csv).get(0);
        assertThat(row.fields()).containsEntry("make", "Škoda").containsEntry("model", "Octavia – Kombi");
    }

    @Test
    void invalidUtf8RejectsOnlyItsRowNamingTheColumn() {
        byte[] csv = "deal_id,delivery_date,brand,vin\nS1,2026-10-01,BMW,WBA12345678901234\nS2,2026-10-01,B\u00ffMW,WBA12345678901234\nS3,2026-10-01,BMW,WBA12345678901234\n"
                .getBytes(Charset.forName("ISO-8859-1"));
        List<Row> rows = read("dealer-sued-sales", csv);
        assertThat(rows).extracting(Row::disposition).containsExactly(Disposition.PENDING, Disposition.REJECTED, Disposition.PENDING);
        assertThat(rows.get(1).issues()).containsExactly(Issue.rejection("brand", "bytes that are not valid UTF-8"));
    }

    @Test
    void unclosedQuoteRefusesTheFileNamingTheRow() {
        byte[] csv = "deal_id,delivery_date,brand,vin\nS1,2026-10-01,BMW,WBA12345678901234\nS2,2026-10-01,\"BMW,WBA\n"
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> read("dealer-sued-sales", csv))
                .isInstanceOf(DataException.class)
                .hasMessage("test.csv: row 2: quoted field is not closed before the end of the file");
    }

    @Test
    void optionalInvalidPhoneIsAWarningButRequiredVinIsARejection() {
        String csv = "deal_id,delivery_date,brand,vin,customer_mobile\n"
                + "S1,2026-10-01,BMW,WBA12345678901234,12\n"
                + "S2,2026-10-01,BMW,WBA1234567890123Q,+49 89 99998201\n";
        List<Row> rows = read("dealer-sued-sales", csv.getBytes(StandardCharsets.UTF_8));
        assertThat(rows.get(0).disposition()).isEqualTo(Disposition.PENDING);
        assertThat(rows.get(0).issues()).extracting(Issue::field, Issue::fatal).containsExactly(org.assertj.core.groups.Tuple.tuple("phone", false));
        assertThat(rows.get(1).disposition()).isEqualTo(Disposition.REJECTED);
        assertThat(rows.get(1).issues()).containsExactly(Issue.rejection("vin", "VIN may only use A-H, J-N, P, R-Z and 0-9"));
    }

    @Test
    void issuesNeverCarryTheValue() throws IOException {
        List<Row> rows = read("dealer-nord-sales", Files.readAllBytes(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv")));
        String sample = new String(Files.readAllBytes(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv")), Charset.forName("ISO-8859-1"));
        for (Row row : rows) {
            for (Issue issue : row.issues()) {
                for (String cell : sample.split("[;\r\n]")) {
                    if (cell.length() > 4 && !cell.matches("[A-Za-zäöüÄÖÜß\\- ]+")) {
                        assertThat(issue.reason()).doesNotContain(cell);
                    }
                }
            }
        }
    }

    private List<Row> read(String connectorId, byte[] bytes) {
        return read(REGISTRY.get(connectorId), bytes);
    }

    private List<Row> read(ConnectorDescriptor connector, byte[] bytes) {
        InputStream in = new ByteArrayInputStream(bytes);
        Function<io.caravan.ingest.SourceRow, Row> harmonise = new Harmoniser(connector).forBatch(context);
        List<Row> rows = new ArrayList<>();
        try (RecordReader reader = new CsvReaderFactory().open(in, connector, "test.csv")) {
            reader.forEachRemaining(r -> rows.add(harmonise.apply(r)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(Charset.forName("ISO-8859-1"));
    }
}
