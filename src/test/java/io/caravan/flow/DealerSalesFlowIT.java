package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static io.caravan.testing.Inbox.deliver;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * README command 1, end to end: the sample dealer exports are placed in the partners' inboxes and
 * flow through harmonise, consent, pseudonymise and warehouse into the embedded PostgreSQL, with a
 * ledger that adds up to the row.
 */
@ExtendWith(OutputCaptureExtension.class)
class DealerSalesFlowIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path NORD_SAMPLE = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final Path SUED_SAMPLE = Path.of("samples/dealer-sued/deliveries_2026-10.csv");

    @TempDir
    Path data;

    @Test
    void samplesAreIngestedWithExactLedgerCountsAndRejectionsByRowAndField() throws Exception {
        try (CaravanApp app = CaravanApp.start(data, "caravan.samples.seed=true")) {
            Map<String, Object> nord = app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0);
            Map<String, Object> sued = app.awaitBatches("dealer-sued-deliveries", 1, WAIT).get(0);

            assertThat(counts(nord)).containsExactly("completed", 40L, 34L, 5L, 0L, 0L, 1L, 1L);
            assertThat(counts(sued)).containsExactly("completed", 30L, 26L, 4L, 0L, 0L, 0L, 1L);
            assertThat(app.jdbc().queryForList(
                    "SELECT row_number || ':' || field || ':' || reason FROM caravan.rejection WHERE batch_id = ? ORDER BY row_number",
                    String.class, nord.get("batch_id")))
                    .containsExactly(
                            "6:vin:VIN must have 17 characters",
                            "12:sale_id:required value missing",
                            "18:sale_date:not a date in the descriptor's date pattern",
                            "24:row:ragged row: 9 values where the header has 22",
                            "30:fuel_type:unknown fuel_type spelling");
            assertThat(app.jdbc().queryForList("SELECT field || ':' || reason FROM caravan.batch_warning WHERE batch_id = ?",
                    String.class, sued.get("batch_id"))).containsExactly("phone:phone number is not a valid number");

            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(60L);
            Map<String, Object> sale = app.jdbc().queryForMap("SELECT * FROM caravan.sale WHERE sale_id = 'HH-2026-4001'");
            assertThat(sale).containsEntry("connector_id", "dealer-nord-sales").containsEntry("partner_id", "dealer-nord")
                    .containsEntry("data_class", "first_party").containsEntry("policy_id", "warehouse")
                    .containsEntry("dealer_id", "dealer-nord").containsEntry("make", "Volkswagen")
                    .containsEntry("fuel_type", "petrol").containsEntry("condition", "new").containsEntry("wmi", "WVW")
                    .containsEntry("currency", "EUR").containsEntry("postcode_area", "20");
            // row 1 of the sample: sophie.vogt1@example.com, 030 23125101; tokens computed here, independently
            assertThat(sale.get("email_token")).isEqualTo(IndependentHmac.warehouseToken(data, "sophie.vogt1@example.com"));
            assertThat(sale.get("phone_token")).isEqualTo(IndependentHmac.warehouseToken(data, "+493023125101"));
            assertThat(sale.get("key_id")).isEqualTo(IndependentHmac.warehouseKeyId(data));
            assertThat(sale.get("subject_token")).isEqualTo(sale.get("email_token"));
            assertThat((String) sale.get("vin_token")).matches("[0-9a-f]{64}");
            assertThat(sale.get("key_id")).isNotNull();

            // kept encrypted under the same name plus .tink: no plain copy of the file is left after pickup
            await().atMost(WAIT).untilAsserted(() -> assertThat(listNames(data.resolve("sftp/dealer-nord/inbox/.done")))
                    .singleElement().asString().matches("b-\\d{8}-\\d{6}-[0-9a-f]{8}-verkaeufe_2026-10\\.csv\\.tink"));
            assertThat(listNames(data.resolve("sftp/dealer-nord/inbox"))).containsOnly(".done");
        }
    }

    @Test
    void theSameFileDeliveredAgainChangesNothingAndIsCountedDuplicate() throws Exception {
        try (CaravanApp app = CaravanApp.start(data)) {
            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            deliver(NORD_SAMPLE, inbox);
            app.awaitBatches("dealer-nord-sales", 1, WAIT);
            deliver(NORD_SAMPLE, inbox); // waits until the route has moved the first delivery away and removed its marker
            List<Map<String, Object>> batches = app.awaitBatches("dealer-nord-sales", 2, WAIT);

            assertThat(counts(batches.get(1))).containsExactly("completed", 40L, 0L, 5L, 0L, 0L, 35L, 1L);
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(34L);
            // the file moves to .done/ just after its batch commits
            await().atMost(WAIT).untilAsserted(() -> assertThat(listNames(inbox.resolve(".done"))).hasSize(2));
        }
    }

    @Test
    void aCrashBetweenCommitAndMoveFollowedByARestartLeavesNoDuplicate() throws Exception {
        Path inbox = data.resolve("sftp/dealer-sued/inbox");
        try (CaravanApp app = CaravanApp.start(data)) {
            deliver(SUED_SAMPLE, inbox);
            app.awaitBatches("dealer-sued-deliveries", 1, WAIT);
        }
        // The state a crash after the commit and before the move leaves behind: rows committed, file still in the
        // inbox, nothing archived. The kept file is encrypted, so the same bytes are put back from the sample.
        Path done;
        try (Stream<Path> files = Files.list(inbox.resolve(".done"))) {
            done = files.findFirst().orElseThrow();
        }
        Files.delete(done);
        Files.copy(SUED_SAMPLE, inbox.resolve(SUED_SAMPLE.getFileName()));
        Files.createFile(inbox.resolve(SUED_SAMPLE.getFileName() + ".ready"));

        try (CaravanApp restarted = CaravanApp.start(data)) {
            List<Map<String, Object>> batches = restarted.awaitBatches("dealer-sued-deliveries", 2, WAIT);
            assertThat(counts(batches.get(1))).containsExactly("completed", 30L, 0L, 4L, 0L, 0L, 26L, 1L);
            assertThat(restarted.jdbc().queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(26L);
            assertThat(restarted.jdbc().queryForObject("SELECT count(DISTINCT sale_id) FROM caravan.sale", Long.class)).isEqualTo(26L);
        }
    }

    @Test
    void noRawIdentifierFromTheSamplesReachesAnyTableOrTheLog(CapturedOutput output) throws Exception {
        try (CaravanApp app = CaravanApp.start(data, "caravan.samples.seed=true", "logging.level.io.caravan=DEBUG")) {
            app.awaitBatches("dealer-nord-sales", 1, WAIT);
            app.awaitBatches("dealer-sued-deliveries", 1, WAIT);

            StringBuilder dump = new StringBuilder();
            for (String table : app.jdbc().queryForList(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'caravan'", String.class)) {
                app.jdbc().queryForList("SELECT t::text FROM caravan." + table + " t", String.class).forEach(r -> dump.append(r).append('\n'));
            }
            List<String> identifiers = SampleIdentifiers.of(
                    List.of(NORD_SAMPLE, Charset.forName("ISO-8859-1")), List.of(SUED_SAMPLE, StandardCharsets.UTF_8));
            assertThat(identifiers).hasSizeGreaterThan(300);
            String tables = dump.toString();
            String log = output.getAll();
            assertThat(identifiers).allSatisfy(id -> {
                assertThat(SampleIdentifiers.occursIn(id, tables)).as("an identifier from the samples in a table").isFalse();
                assertThat(SampleIdentifiers.occursIn(id, log)).as("an identifier from the samples in the log").isFalse();
            });
        }
    }

    private static List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_consent_filtered"), batch.get("rows_suppressed"), batch.get("rows_duplicate"), batch.get("warnings"));
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
