package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.testing.ApiClient;
import io.caravan.testing.Inbox;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Messy partner files through the real application: each ends with exact ledger counts, and the
 * application is still up afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessyInputsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SUED_HEADER = "deal_id,delivery_date,brand,vin,gross_price,notes\n";
    private static final String ROUTE = "dealer-sued-deliveries";

    private Path data;
    private CaravanApp app;

    @BeforeAll
    void start() throws IOException {
        data = Files.createTempDirectory("caravan-messy");
        app = CaravanApp.start(data);
    }

    @AfterAll
    void stop() {
        app.close();
    }

    static Stream<Arguments> messyFiles() {
        String huge = "x".repeat(1024 * 1024);
        return Stream.of(
                Arguments.of("bom-and-newlines.csv", utf8Bom(SUED_HEADER
                        + "M1,2026-10-01,BMW,WBA12345678901201,100.00,\"zwei\nZeilen, mit Komma\"\n"
                        + "M2,2026-10-02,BMW,WBA12345678901202,200.00,\"sagt \"\"hallo\"\"\"\n"
                        + "M3,2026-10-03,BMW,WBA12345678901203,300.00,\r\n"), List.of(3L, 3L, 0L)),
                Arguments.of("empty.csv", new byte[0], List.of(0L, 0L, 0L)),
                Arguments.of("header-only.csv", utf8Bom(SUED_HEADER), List.of(0L, 0L, 0L)),
                Arguments.of("ragged.csv", utf8(SUED_HEADER
                        + "R1,2026-10-01,BMW,WBA12345678901211,100.00,ok\n"
                        + "R2,2026-10-01,BMW\n"
                        + "R3,2026-10-01,BMW,WBA12345678901213,100.00,ok,extra\n"
                        + "R4,2026-10-01,BMW,WBA12345678901214,100.00,ok\n"), List.of(4L, 2L, 2L)),
                Arguments.of("megabyte-field.csv", utf8(SUED_HEADER
                        + "H1,2026-10-01,BMW,WBA12345678901221,100.00,ok\n"
                        + "H2,2026-10-01,BMW,WBA12345678901222,100.00," + huge + "\n"
                        + "H3,2026-10-01,BMW,WBA12345678901223,100.00,ok\n"), List.of(3L, 2L, 1L)),
                Arguments.of("bad-bytes.csv", concat(utf8(SUED_HEADER + "B1,2026-10-01,BMW,WBA12345678901231,1.00,ok\nB2,2026-10-01,B"),
                        new byte[] {(byte) 0xff}, utf8("MW,WBA12345678901232,1.00,ok\n")), List.of(2L, 1L, 1L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messyFiles")
    void messyFileEndsWithExactLedgerCountsAndTheApplicationStaysUp(String name, byte[] content, List<Long> inDeliveredRejected)
            throws Exception {
        deliver("dealer-sued", name, content);
        Map<String, Object> batch = app.awaitBatchOf(ROUTE, name, WAIT);

        assertThat(batch.get("status")).isEqualTo("completed");
        assertThat(List.of(batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected")))
                .isEqualTo(inDeliveredRejected);
        assertThat(health()).isEqualTo(200);
    }

    @Test
    void germanLayoutWithDecimalCommaAndUmlautsIsStoredExactly() throws Exception {
        String csv = "Verkaufsnr;Verkaufsdatum;Marke;Modell;Kraftstoff;Preis;FIN\r\n"
                + "HH-2026-9001;03.10.2026;Volkswagen;Käfer Über;Elektro;41.234,50;WVWZZZ1KZ5W123456\r\n";
        deliver("dealer-nord", "umlauts.csv", csv.getBytes(Charset.forName("ISO-8859-1")));
        Map<String, Object> batch = app.awaitBatchOf("dealer-nord-sales", "umlauts.csv", WAIT);

        assertThat(batch.get("rows_delivered")).isEqualTo(1L);
        Map<String, Object> sale = app.jdbc().queryForMap("SELECT model, price_amount, fuel_type FROM caravan.sale WHERE sale_id = 'HH-2026-9001'");
        assertThat(sale).containsEntry("model", "Käfer Über").containsEntry("fuel_type", "bev");
        assertThat((BigDecimal) sale.get("price_amount")).isEqualByComparingTo("41234.50");
    }

    @Test
    void aQuoteLeftOpenFailsTheBatchWithTheRowMovesTheFileAsideAndKeepsTheApplicationUp() throws Exception {
        deliver("dealer-sued", "open-quote.csv", utf8(SUED_HEADER
                + "Q1,2026-10-01,BMW,WBA12345678901241,1.00,ok\n"
                + "Q2,2026-10-01,BMW,WBA12345678901242,1.00,\"never closed\n"));
        Map<String, Object> batch = app.awaitBatchOf(ROUTE, "open-quote.csv", WAIT);

        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat((String) batch.get("error")).isEqualTo("open-quote.csv: row 2: quoted field is not closed before the end of the file");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale WHERE sale_id LIKE 'Q%'", Long.class)).isZero();
        Path failed = data.resolve("sftp/dealer-sued/inbox/.failed");
        // kept encrypted (.tink) once the archiver has taken it from .failed/
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(failed).isDirectory();
            try (Stream<Path> files = Files.list(failed)) {
                assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith("-open-quote.csv.tink"));
            }
        });
        assertThat(health()).isEqualTo(200);
    }

    /** Issue #14: public ADF examples through the real marketplace route (sources in src/test/resources/adf-wild/README.md). */
    @Test
    void wildAdfExamplesAreLeadsWithEveryRepairAWarningByRowAndFieldAndAResendIsTheSameLead() throws Exception {
        Path wild = Path.of("src/test/resources/adf-wild");
        Map<String, List<String>> expected = Map.of(
                "adf-1.0-specification-example.xml", List.of(
                        "1:prospect.id:missing: lead id derived from provider, vendor, request date and vehicle",
                        "1:xml:XML declaration repaired (case, quotes or position)"),
                "wikipedia-example.xml", List.of(
                        "1:email:e-mail must have exactly one @ after a local part",
                        "1:lead_at:timestamp repaired: hour, minute, second or offset not in two digits",
                        "1:phone:phone number is not a valid number",
                        "1:prospect.id:missing: lead id derived from provider, vendor, request date and vehicle"),
                "launchlabs-example.xml", List.of(
                        "1:phone:phone number is not a valid number",
                        "1:vehicle:empty vehicle: kept as a lead without a vehicle"),
                "python-adf-template-filled.xml", List.of(
                        "1:lead_at:timestamp repaired: hour, minute, second or offset not in two digits",
                        "1:prospect.id:missing: lead id derived from provider, vendor, request date and vehicle",
                        "1:xml:XML declaration repaired (case, quotes or position)",
                        "1:xml:byte-order mark removed",
                        "1:xml:stray '&' escaped"));
        for (String name : expected.keySet()) {
            deliver("autoboerse", name, Files.readAllBytes(wild.resolve(name)));
        }
        for (Map.Entry<String, List<String>> example : expected.entrySet()) {
            Map<String, Object> batch = app.awaitBatchOf("autoboerse-leads-adf", example.getKey(), WAIT);
            assertThat(List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected")))
                    .as(example.getKey()).isEqualTo(List.of("completed", 1L, 1L, 0L));
            assertThat(app.jdbc().queryForList("SELECT row_number || ':' || field || ':' || reason FROM caravan.batch_warning"
                    + " WHERE batch_id = ? ORDER BY field, reason", String.class, batch.get("batch_id")))
                    .as(example.getKey()).containsExactlyElementsOf(example.getValue());
        }
        long leads = app.jdbc().queryForObject("SELECT count(*) FROM caravan.lead WHERE connector_id = 'autoboerse-leads-adf'", Long.class);
        assertThat(leads).isEqualTo(4L);

        deliver("autoboerse", "resent-specification-example.xml", Files.readAllBytes(wild.resolve("adf-1.0-specification-example.xml")));
        Map<String, Object> resent = app.awaitBatchOf("autoboerse-leads-adf", "resent-specification-example.xml", WAIT);

        assertThat(resent.get("status")).isEqualTo("completed");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.lead WHERE connector_id = 'autoboerse-leads-adf'", Long.class))
                .as("the same lead re-sent without an id keeps its derived key: no second lead").isEqualTo(4L);
        assertThat(health()).isEqualTo(200);
    }

    @Test
    void anHtmlErrorPageAndATruncatedAdfFileAreRefusedWithAReason() throws Exception {
        deliver("autoboerse", "error-page.xml", utf8("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"));
        deliver("autoboerse", "truncated.xml", utf8("<?xml version=\"1.0\"?>\n<adf>\n<prospect><requestdate>2026-11-02T08:00:00Z</requestdate>"
                + "<vehicle><make>Kia</make></vehicle></prospect>\n<prospect><requestdate>2026-11-0"));

        Map<String, Object> page = app.awaitBatchOf("autoboerse-leads-adf", "error-page.xml", WAIT);
        Map<String, Object> truncated = app.awaitBatchOf("autoboerse-leads-adf", "truncated.xml", WAIT);

        assertThat(page.get("status")).isEqualTo("failed");
        assertThat(page.get("error")).isEqualTo("error-page.xml: not an ADF document: the root element is not <adf>");
        assertThat(truncated.get("status")).isEqualTo("failed");
        assertThat((String) truncated.get("error")).startsWith("truncated.xml: malformed XML at line 4");
        assertThat(health()).isEqualTo(200);
    }

    private void deliver(String partner, String name, byte[] content) throws IOException {
        Inbox.deliver(data.resolve("sftp").resolve(partner).resolve("inbox"), name, content);
    }

    private int health() {
        return ApiClient.onLocalhost(app.port()).get("/actuator/health", null).statusCode();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf8Bom(String s) {
        return concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, utf8(s));
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
