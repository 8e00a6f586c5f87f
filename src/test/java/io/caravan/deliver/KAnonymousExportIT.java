package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.PolicyRegistry;
import io.caravan.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The k-anonymity gate of partner exports against the real warehouse schema: groups are counted
 * over the rows that pass consent, small groups are suppressed (or generalised one step first,
 * where the agreement allows it), and the manifest and {@code caravan.export} say how many.
 */
class KAnonymousExportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARTNER = "fahrbank-leasing";
    private static final int POSTCODE = 1;
    private static final int MODEL = 2;
    private static final int MODEL_YEAR = 3;
    private static final int FUEL = 4;

    private static DataSource database;
    private static JdbcTemplate jdbc;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @TempDir
    Path dir;

    private KeyRing keys;
    private Path outbox;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.fresh("k_anonymous_export_it");
        jdbc = new JdbcTemplate(database);
    }

    @BeforeEach
    void setUp() throws IOException {
        jdbc.update("TRUNCATE caravan.sale, caravan.consent_event, caravan.export_log, caravan.export");
        keys = GeneratedKeyRing.open(dir.resolve("keys"), List.of(KeyRing.WAREHOUSE));
        outbox = dir.resolve("sftp").resolve(PARTNER).resolve("outbox");
        Files.createDirectories(outbox);
        sales(6, "10", "Golf", 2021, "petrol", true);   // a group of 6: exported
        sales(3, "20", "Golf", 2021, "petrol", true);   // a group of 3: suppressed
        sales(4, "30", "ID.4", 2023, "bev", true);      // 4 consented ...
        sales(2, "30", "ID.4", 2023, "bev", false);     // ... and 2 without consent: still a group of 4 in the export
        sales(5, "40", "Passat", 2019, "diesel", true); // exactly k: exported
        sales(3, "51", "Polo", 2014, "petrol", true);   // 3 + 2 become one group of 5 when postcode and year are generalised
        sales(2, "52", "Polo", 2017, "petrol", true);
    }

    @Test
    void aK5ExportHasNoGroupSmallerThan5AndTheManifestCountsTheSuppressedRows() throws Exception {
        Exporter.Result result = exporter("[postcode_area, model, model_year, fuel_type]", "[]").run("k-share");

        assertThat(result.status()).isEqualTo("completed");
        List<List<String>> rows = dataRows(outbox.resolve(result.fileName()));
        assertThat(groupSizes(rows).values()).allSatisfy(size -> assertThat(size).isGreaterThanOrEqualTo(5));
        assertThat(groupSizes(rows)).containsOnlyKeys("10|Golf|2021|petrol", "40|Passat|2019|diesel");
        assertThat(rows).hasSize(11);

        JsonNode gate = JSON.readTree(outbox.resolve(result.fileName() + ".manifest.json").toFile()).path("k_anonymity");
        assertThat(gate.path("k").asInt()).isEqualTo(5);
        assertThat(gate.path("rows_suppressed").asLong()).isEqualTo(3 + 4 + 3 + 2);
        assertThat(gate.path("rows_generalised").asLong()).isZero();
        assertThat(gate.path("smallest_group").asLong()).isEqualTo(5);
        assertThat(gate.path("quasi_identifiers").toString()).isEqualTo("[\"postcode_area\",\"model\",\"model_year\",\"fuel_type\"]");

        Map<String, Object> run = jdbc.queryForMap("SELECT * FROM caravan.export WHERE export_id = ?", result.exportId());
        assertThat(run).containsEntry("rows_exported", 11L).containsEntry("rows_consent_filtered", 2L)
                .containsEntry("rows_k_suppressed", 12L).containsEntry("k_anonymity", 5)
                .containsEntry("k_smallest_group", 5L);
        long considered = jdbc.queryForObject("SELECT count(*) FROM caravan.sale", Long.class);
        assertThat(11L + 2L + 12L).isEqualTo(considered);
    }

    @Test
    void theExportLogListsOnlySubjectsWhoseRowsPassedTheGate() {
        Exporter.Result result = exporter("[postcode_area, model, model_year, fuel_type]", "[]").run("k-share");

        List<String> logged = jdbc.queryForList("SELECT subject_token FROM caravan.export_log WHERE export_id = ?",
                String.class, result.exportId());
        List<String> sent = jdbc.queryForList("SELECT subject_token FROM caravan.sale WHERE postcode_area IN ('10', '40')",
                String.class);
        assertThat(logged).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void smallGroupsAreGeneralisedOneStepBeforeTheyAreSuppressed() throws Exception {
        Exporter.Result result = exporter("[postcode_area, model, model_year, fuel_type]", "[postcode_area, model_year]")
                .run("k-share");

        List<List<String>> rows = dataRows(outbox.resolve(result.fileName()));
        Map<String, Integer> groups = groupSizes(rows);
        assertThat(groups.values()).allSatisfy(size -> assertThat(size).isGreaterThanOrEqualTo(5));
        assertThat(groups).containsEntry("5*|Polo|2010-2019|petrol", 5).containsEntry("10|Golf|2021|petrol", 6)
                .containsEntry("40|Passat|2019|diesel", 5);
        // the Golf group of 3 ("2*", 2020-2029) and the ID.4 group of 4 ("3*") are still too small
        assertThat(groups).hasSize(3);
        JsonNode gate = JSON.readTree(outbox.resolve(result.fileName() + ".manifest.json").toFile()).path("k_anonymity");
        assertThat(gate.path("rows_generalised").asLong()).isEqualTo(5);
        assertThat(gate.path("rows_suppressed").asLong()).isEqualTo(3 + 4);
        assertThat(gate.path("smallest_group").asLong()).isEqualTo(5);
    }

    // ---------------------------------------------------------------------------------------

    private Exporter exporter(String quasiIdentifiers, String generalise) {
        try {
            Path file = dir.resolve("agreements.yaml");
            Files.writeString(file, """
                    agreements:
                      - id: k-share
                        partner: fahrbank-leasing
                        dataset:
                          table: sale
                          columns: [sale_id, postcode_area, model, model_year, fuel_type, subject_token]
                        kAnonymity: { k: 5, quasiIdentifiers: %s, generalise: %s }
                        purpose: partner_sharing
                        policy: partner-fahrbank-leasing
                        validUntil: 2099-12-31
                        format: csv
                        transport: { type: outbox }
                    """.formatted(quasiIdentifiers, generalise));
            PolicyRegistry policies = PolicyRegistry.load(Path.of("config/policies.yaml"));
            PurposeRegistry purposes = PurposeRegistry.load(Path.of("config/purposes.yaml"));
            AgreementRegistry agreements = AgreementRegistry.load(file, policies, purposes, new WarehouseColumns(database),
                    s -> s);
            return new Exporter(agreements, policies, purposes, keys, database, new WarehouseColumns(database),
                    dir.resolve("sftp"), dir.resolve("staging"), null, Runnable::run, Clock.systemUTC(),
                    new io.caravan.audit.AuditTrail(database, new tools.jackson.databind.ObjectMapper()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sales(int count, String postcodeArea, String model, int modelYear, String fuel, boolean consented) {
        for (int i = 0; i < count; i++) {
            int n = SEQUENCE.incrementAndGet();
            String subject = String.format("%064x", n);
            jdbc.update("INSERT INTO caravan.sale (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, "
                    + "sale_id, sale_date, make, model, model_year, fuel_type, postcode_area, subject_token) VALUES "
                    + "(?, 'test', 'dealer-nord', 'first_party', 'b-test', now(), ?, DATE '2026-10-15', 'VW', ?, ?, ?, ?, ?)",
                    "rk-" + n, "S-" + n, model, modelYear, fuel, postcodeArea, subject);
            if (consented) {
                jdbc.update("INSERT INTO caravan.consent_event (event_id, subject_token, purpose, status, basis, captured_at, "
                        + "source) VALUES (?, ?, 'partner_sharing', 'granted', 'consent', now(), 'test')", "e-" + n, subject);
            }
        }
    }

    private static List<List<String>> dataRows(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("sale_id,postcode_area,model,model_year,fuel_type,subject_token");
        return lines.subList(1, lines.size()).stream().map(line -> List.of(line.split(",", -1))).toList();
    }

    /** Group sizes of the file's own rows, counted independently of the exporter. */
    private static Map<String, Integer> groupSizes(List<List<String>> rows) {
        Map<String, Integer> sizes = new HashMap<>();
        for (List<String> row : rows) {
            sizes.merge(String.join("|", row.get(POSTCODE), row.get(MODEL), row.get(MODEL_YEAR), row.get(FUEL)), 1,
                    Integer::sum);
        }
        return sizes;
    }
}
