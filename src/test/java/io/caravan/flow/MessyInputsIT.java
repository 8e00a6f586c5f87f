package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
        awaitFile(failed);
        try (Stream<Path> files = Files.list(failed)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith("-open-quote.csv.tink"));
        }
        assertThat(health()).isEqualTo(200);
    }

    private void deliver(String partner, String name, byte[] content) throws IOException {
        Path inbox = data.resolve("sftp").resolve(partner).resolve("inbox");
        Files.createDirectories(inbox);
        Path temporary = inbox.resolve("." + name + ".part");
        Files.write(temporary, content);
        Files.move(temporary, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Files.createFile(inbox.resolve(name + ".ready"));
    }

    private int health() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    /** Waits until the directory holds only archived (encrypted, {@code .tink}) files, at least one. */
    private static void awaitFile(Path dir) throws Exception {
        for (int i = 0; i < 100 && !archivedOnly(dir); i++) {
            Thread.sleep(100);
        }
    }

    private static boolean archivedOnly(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            return !names.isEmpty() && names.stream().allMatch(n -> n.endsWith(".tink"));
        }
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
