package io.caravan.deliver;

import io.caravan.connector.WarehouseTable;
import static io.caravan.deliver.Batches.batch;
import static io.caravan.deliver.Batches.context;
import static io.caravan.deliver.Batches.row;
import static io.caravan.deliver.Batches.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.JdbcLedger;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.Rejection;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import io.caravan.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

class WarehouseWriterIT {
    private static DataSource dataSource;
    private static JdbcTemplate sql;
    private JdbcLedger ledger;
    private WarehouseWriter writer;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.fresh("warehouse_writer_it");
        sql = new JdbcTemplate(dataSource);
    }

    @BeforeEach
    void emptyWarehouse() {
        sql.execute("TRUNCATE caravan.sale, caravan.lead, caravan.campaign_performance, caravan.rejection, "
                + "caravan.batch_warning, caravan.batch");
        ledger = new JdbcLedger(dataSource);
        writer = new WarehouseWriter(dataSource, ledger, WarehouseProperties.defaults().withChunkRows(3),
                Clock.systemUTC());
    }

    @Test
    void countsEveryOutcomeAndStoresRejectionsAndWarnings() {
        var batch = batch("b-outcomes",
                sale(1, "k1", "Golf").warned("email", "invalid e-mail address"),
                sale(2, "k2", "Polo"),
                row(3, "k3").rejected("vin", "invalid VIN check digit").rejected("sale_date", "not a date"),
                sale(4, "k4", "ID.3").disposed(Disposition.CONSENT_FILTERED),
                sale(5, "k5", "ID.4").disposed(Disposition.SUPPRESSED),
                sale(6, "k6", "Tiguan").warned("phone", "not a valid number").warned("vin", "invalid VIN"),
                row(7, "k7").warned("postcode", "unknown format").rejected("sale_id", "required field missing"));
        batch.batch().context().count("taxonomy_violations", 2);

        BatchSummary summary = writer.write(batch.batch(), WarehouseTable.SALE);

        assertThat(summary.status()).isEqualTo(BatchSummary.COMPLETED);
        assertThat(summary.rowsIn()).isEqualTo(7);
        assertThat(summary.rowsDelivered()).isEqualTo(3);
        assertThat(summary.rowsRejected()).isEqualTo(2);
        assertThat(summary.rowsConsentFiltered()).isEqualTo(1);
        assertThat(summary.rowsSuppressed()).isEqualTo(1);
        assertThat(summary.rowsDuplicate()).isZero();
        assertThat(summary.warnings()).isEqualTo(4);
        assertThat(summary.balanced()).isTrue();
        assertThat(summary.finishedAt()).isNotNull();
        assertThat(ledger.find("b-outcomes")).contains(summary);
        assertThat(batch.closed()).isTrue();

        assertThat(sql.queryForList("SELECT record_key FROM caravan.sale ORDER BY record_key", String.class))
                .containsExactly("k1", "k2", "k6");
        assertThat(ledger.rejections("b-outcomes", 10)).containsExactly(
                new Rejection("b-outcomes", 3, "sale_date", "not a date"),
                new Rejection("b-outcomes", 3, "vin", "invalid VIN check digit"),
                new Rejection("b-outcomes", 7, "sale_id", "required field missing"));
        assertThat(ledger.warnings("b-outcomes", 10)).extracting(Rejection::rowNumber, Rejection::field)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "email"),
                        org.assertj.core.groups.Tuple.tuple(6L, "phone"),
                        org.assertj.core.groups.Tuple.tuple(6L, "vin"),
                        org.assertj.core.groups.Tuple.tuple(7L, "postcode"));
        Map<String, Object> ledgerRow = sql.queryForMap(
                "SELECT target_table, counters::text AS counters FROM caravan.batch WHERE batch_id = 'b-outcomes'");
        assertThat(ledgerRow).containsEntry("target_table", "sale")
                .containsEntry("counters", "{\"taxonomy_violations\": 2}");
    }

    @Test
    void fillsTheEnvelopeFromTheBatchAndTheRow() {
        BatchContext context = context("b-envelope");
        Row row = sale(1, "k1", "Golf").keyId("wh-7").build();
        Instant before = Instant.now();

        writer.write(new RecordBatch(context, List.of(row).iterator(), null), WarehouseTable.SALE);

        Map<String, Object> stored = sql.queryForMap("SELECT connector_id, partner_id, data_class, batch_id, "
                + "policy_id, key_id, ingested_at FROM caravan.sale WHERE record_key = 'k1'");
        assertThat(stored).containsEntry("connector_id", "dealer-dms-sales").containsEntry("partner_id", "dealer-nord")
                .containsEntry("data_class", "first_party").containsEntry("batch_id", "b-envelope")
                .containsEntry("policy_id", "warehouse-default").containsEntry("key_id", "wh-7");
        assertThat(((java.sql.Timestamp) stored.get("ingested_at")).toInstant())
                .isAfterOrEqualTo(before.minusSeconds(1)).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void writingTheSameRowsAgainCountsThemAllDuplicateAndAddsNothing() {
        writer.write(batch("b-first", sale(1, "k1", "Golf"), sale(2, "k2", "Polo"), sale(3, "k3", "Up")).batch(),
                WarehouseTable.SALE);

        BatchSummary again = writer.write(batch("b-again", sale(1, "k1", "Golf"), sale(2, "k2", "Polo"),
                sale(3, "k3", "Up")).batch(), WarehouseTable.SALE);

        assertThat(again.rowsIn()).isEqualTo(3);
        assertThat(again.rowsDelivered()).isZero();
        assertThat(again.rowsDuplicate()).isEqualTo(3);
        assertThat(again.balanced()).isTrue();
        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(3);
        assertThat(sql.queryForList("SELECT DISTINCT batch_id FROM caravan.sale", String.class))
                .as("a duplicate changes nothing, not even the batch that last wrote the record")
                .containsExactly("b-first");
    }

    @Test
    void anUnchangedFirstOccurrenceStillWinsOverALaterChangedOneInAnotherChunk() {
        writer.write(batch("b-old", sale(1, "k1", "Golf"), sale(2, "k2", "Polo")).batch(), WarehouseTable.SALE);

        // chunks of 3: k1 unchanged in the first chunk, then changed in the second and the third
        BatchSummary summary = writer.write(batch("b-new", sale(1, "k1", "Golf"), sale(2, "k3", "Up"),
                sale(3, "k4", "Fox"), sale(4, "k1", "Passat"), sale(5, "k3", "Lupo"), sale(6, "k5", "Polo"),
                sale(7, "k1", "Arteon")).batch(), WarehouseTable.SALE);

        assertThat(summary.rowsDelivered()).isEqualTo(3);
        assertThat(summary.rowsDuplicate()).isEqualTo(4);
        assertThat(sql.queryForMap("SELECT model, batch_id FROM caravan.sale WHERE record_key = 'k1'"))
                .containsEntry("model", "Golf").containsEntry("batch_id", "b-old");
        assertThat(sql.queryForObject("SELECT model FROM caravan.sale WHERE record_key = 'k3'", String.class))
                .isEqualTo("Up");
    }

    @Test
    void theMergeProbesTheStoredRecordsByPrimaryKeyHoweverLargeTheTable() throws Exception {
        sql.execute("INSERT INTO caravan.sale (record_key, connector_id, partner_id, data_class, batch_id, ingested_at,"
                + " policy_id) SELECT md5(i::text) || md5(i::text), 'c', 'p', 'first_party', 'b-old', now(), 'pol'"
                + " FROM generate_series(1, 50000) i");
        sql.execute("ANALYZE caravan.sale");
        MergeSql merge = new MergeSql(WarehouseTable.SALE);
        List<String> plan = new ArrayList<>();
        try (java.sql.Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute(merge.createStage());
                statement.execute(merge.createSeen());
                statement.execute("INSERT INTO " + MergeSql.STAGE + " (ordinal, record_key) SELECT i, md5(i::text) || md5(i::text)"
                        + " FROM generate_series(1, 20000) i");
                statement.execute("ANALYZE " + MergeSql.STAGE);
            }
            try (java.sql.PreparedStatement explain = connection.prepareStatement("EXPLAIN " + merge.merge())) {
                for (int i = 1; i <= 6; i++) {
                    if (i == 5) {
                        explain.setObject(i, OffsetDateTime.now(ZoneOffset.UTC));
                    } else {
                        explain.setString(i, "x");
                    }
                }
                try (java.sql.ResultSet rows = explain.executeQuery()) {
                    while (rows.next()) {
                        plan.add(rows.getString(1));
                    }
                }
            }
            connection.rollback();
        }
        assertThat(plan).as(String.join("\n", plan)).noneMatch(line -> line.contains("Seq Scan on sale"))
                .anyMatch(line -> line.contains("Index") && line.contains("sale_pkey"));
    }

    @Test
    void anUnchangedRowCostsNoWriteNotEvenARowLock() {
        writer.write(batch("b-first", sale(1, "k1", "Golf").with("price_amount", new BigDecimal("41234.5")),
                sale(2, "k2", "Polo"), sale(3, "k3", "Up")).batch(), WarehouseTable.SALE);
        List<Map<String, Object>> before = sql.queryForList(
                "SELECT record_key, ctid::text AS ctid, xmin::text AS xmin, xmax::text AS xmax FROM caravan.sale ORDER BY record_key");

        BatchSummary again = writer.write(batch("b-again", sale(1, "k1", "Golf").with("price_amount", new BigDecimal("41234.50")),
                sale(2, "k2", "Polo"), sale(3, "k3", "Up"), sale(4, "k1", "Passat")).batch(), WarehouseTable.SALE);

        assertThat(again.rowsDuplicate()).isEqualTo(4);
        assertThat(again.rowsDelivered()).isZero();
        assertThat(sql.queryForList(
                "SELECT record_key, ctid::text AS ctid, xmin::text AS xmin, xmax::text AS xmax FROM caravan.sale ORDER BY record_key"))
                .as("no new row version and no lock left on the stored rows")
                .isEqualTo(before)
                .allSatisfy(r -> assertThat(r.get("xmax")).isEqualTo("0"));
    }

    @Test
    void firstOccurrenceOfARecordKeyInABatchWinsAndLaterOnesAreDuplicates() {
        BatchSummary summary = writer.write(batch("b-dup",
                sale(1, "k1", "Golf"), sale(2, "k2", "Polo"), sale(3, "k3", "Up"),
                sale(4, "k1", "Passat"), sale(5, "k1", "Arteon")).batch(), WarehouseTable.SALE);

        assertThat(summary.rowsDelivered()).isEqualTo(3);
        assertThat(summary.rowsDuplicate()).isEqualTo(2);
        assertThat(sql.queryForObject("SELECT model FROM caravan.sale WHERE record_key = 'k1'", String.class))
                .isEqualTo("Golf");
    }

    @Test
    void aRowThatChangesAStoredRecordIsDeliveredAndUpdatesIt() {
        writer.write(batch("b-old", sale(1, "k1", "Golf"), sale(2, "k2", "Polo").with("financed", true)).batch(),
                WarehouseTable.SALE);

        BatchSummary summary = writer.write(batch("b-new", sale(1, "k1", "Golf"),
                sale(2, "k2", "Polo").with("financed", false), sale(3, "k3", "Up")).batch(), WarehouseTable.SALE);

        assertThat(summary.rowsDelivered()).isEqualTo(2);
        assertThat(summary.rowsDuplicate()).isEqualTo(1);
        assertThat(sql.queryForMap("SELECT financed, batch_id FROM caravan.sale WHERE record_key = 'k2'"))
                .containsEntry("financed", false).containsEntry("batch_id", "b-new");
        assertThat(sql.queryForObject("SELECT batch_id FROM caravan.sale WHERE record_key = 'k1'", String.class))
                .isEqualTo("b-old");
    }

    @Test
    void aFieldThatLeftTheRowClearsTheStoredColumnAndCountsAsDelivered() {
        writer.write(batch("b-full", sale(1, "k1", "Golf").with("dealer_id", "D-1")).batch(), WarehouseTable.SALE);

        BatchSummary summary = writer.write(batch("b-less", sale(1, "k1", "Golf")).batch(), WarehouseTable.SALE);

        assertThat(summary.rowsDelivered()).isEqualTo(1);
        assertThat(sql.queryForObject("SELECT dealer_id FROM caravan.sale WHERE record_key = 'k1'", String.class))
                .isNull();
    }

    @Test
    void aFieldThatIsNoColumnOfTheTableFailsTheWholeBatchAndKeepsNothing() {
        ledger.open(context("b-bad"));
        // six rows over chunks of three: the first chunk (with a rejection) is staged before the bad row
        var batch = batch("b-bad", sale(1, "k1", "Golf"), row(2, "k2").rejected("vin", "invalid VIN"),
                sale(3, "k3", "Up"), sale(4, "k4", "Polo"), sale(5, "k5", "Polo").with("colour", "blue"),
                sale(6, "k6", "Polo"));

        assertThatThrownBy(() -> writer.write(batch.batch(), WarehouseTable.SALE))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("b-bad").hasMessageContaining("caravan.sale")
                .hasMessageContaining("row 5").hasMessageContaining("'colour'")
                .hasMessageNotContaining("blue");

        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isZero();
        assertThat(ledger.rejections("b-bad", 10)).isEmpty();
        BatchSummary failed = ledger.find("b-bad").orElseThrow();
        assertThat(failed.status()).isEqualTo(BatchSummary.FAILED);
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(failed.error()).contains("'colour'").doesNotContain("blue");
        assertThat(batch.closed()).isTrue();
    }

    @Test
    void aFailedBatchThatWasNeverOpenedIsStillRecordedAsFailed() {
        var batch = batch("b-never-opened", sale(1, "k1", "Golf").with("price_amount", 12.5d));

        assertThatThrownBy(() -> writer.write(batch.batch(), WarehouseTable.SALE))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("'price_amount'").hasMessageContaining("java.lang.Double")
                .hasMessageContaining("java.math.BigDecimal");

        assertThat(ledger.find("b-never-opened")).get().extracting(BatchSummary::status)
                .isEqualTo(BatchSummary.FAILED);
    }

    @Test
    void aConstraintViolationFailsTheBatchWithoutQuotingTheValue() {
        var batch = batch("b-check", sale(1, "k1", "Golf"),
                sale(2, "k2", "Polo").with("condition", "gebraucht-secret"));

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> writer.write(batch.batch(), WarehouseTable.SALE));

        assertThat(thrown).isInstanceOf(DeliveryException.class)
                .hasMessageContaining("SQLState 23514").hasMessageContaining("sale_condition_check");
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain("gebraucht-secret").doesNotContain("Golf");
        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isZero();
        assertThat(ledger.find("b-check").orElseThrow().error()).contains("sale_condition_check")
                .doesNotContain("gebraucht-secret");
    }

    @Test
    void aCrashMidBatchLeavesNothingAndTheRerunCountsEveryRow() {
        List<Row> rows = IntStream.rangeClosed(1, 10).mapToObj(i -> sale(i, "k" + i, "Golf").build()).toList();
        Iterator<Row> crashing = new Iterator<>() {
            private int next;

            @Override public boolean hasNext() {
                return true;
            }

            @Override public Row next() {
                if (next == 7) {
                    throw new IllegalStateException("source went away");
                }
                return rows.get(next++);
            }
        };

        assertThatThrownBy(() -> writer.write(new RecordBatch(context("b-crash"), crashing, null),
                WarehouseTable.SALE)).isInstanceOf(DeliveryException.class)
                .hasMessageContaining("java.lang.IllegalStateException");
        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isZero();

        List<Row> fresh = IntStream.rangeClosed(1, 10).mapToObj(i -> sale(i, "k" + i, "Golf").build()).toList();
        BatchSummary rerun = writer.write(batch(context("b-rerun"), fresh).batch(), WarehouseTable.SALE);
        List<Row> again = IntStream.rangeClosed(1, 10).mapToObj(i -> sale(i, "k" + i, "Golf").build()).toList();
        BatchSummary third = writer.write(batch(context("b-rerun-2"), again).batch(), WarehouseTable.SALE);

        assertThat(rerun.rowsDelivered()).isEqualTo(10);
        assertThat(third.rowsDuplicate()).isEqualTo(10);
        assertThat(third.rowsDelivered()).isZero();
        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(10);
    }

    @Test
    void textWithControlCharactersQuotesAndUnicodeRoundTripsExactly() {
        List<String> values = List.of("tab\there", "line\nbreak", "carriage\rreturn", "back\\slash", "\\N",
                "\\.", "it's \"quoted\"", "Ärger ß 東京 🚗", "", " padded ", "end with backslash\\",
                "comma, semicolon; pipe |");
        List<Batches.RowBuilder> rows = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            rows.add(row(i + 1, "k" + i).with("model", values.get(i)));
        }

        writer.write(batch("b-text", rows.toArray(Batches.RowBuilder[]::new)).batch(), WarehouseTable.SALE);

        for (int i = 0; i < values.size(); i++) {
            assertThat(sql.queryForObject("SELECT model FROM caravan.sale WHERE record_key = ?", String.class,
                    "k" + i)).as("value %d", i).isEqualTo(values.get(i));
        }
    }

    @Test
    void everyColumnTypeRoundTripsAndMissingFieldsAreNull() {
        OffsetDateTime leadAt = OffsetDateTime.parse("2026-11-03T10:15:30.123456+01:00");
        writer.write(batch("b-types",
                row(1, "sale-1").with("sale_date", LocalDate.of(2026, 2, 28)).with("price_amount",
                        new BigDecimal("34990.50")).with("financed", true).with("model_year", 2025L)
                        .with("birth_year", null).keyId(null)).batch(), WarehouseTable.SALE);
        writer.write(batch("b-lead",
                row(1, "lead-1").with("lead_at", leadAt).with("model_year", 2026),
                row(2, "lead-2").with("lead_at", Instant.parse("2026-01-01T00:00:00Z"))).batch(), WarehouseTable.LEAD);
        writer.write(batch("b-perf",
                row(1, "perf-1").with("impressions", 12_000_000_000L).with("clicks", 42)
                        .with("spend_amount", new BigDecimal("1E+2")).with("conversions", new BigDecimal("0.0001"))
                        .with("taxonomy_valid", false)).batch(), WarehouseTable.CAMPAIGN_PERFORMANCE);

        Map<String, Object> sale = sql.queryForMap("SELECT sale_date::text AS sale_date, price_amount, financed, "
                + "model_year, birth_year, make, key_id FROM caravan.sale WHERE record_key = 'sale-1'");
        assertThat(sale).containsEntry("sale_date", "2026-02-28").containsEntry("financed", true)
                .containsEntry("model_year", 2025).containsEntry("birth_year", null)
                .containsEntry("make", null).containsEntry("key_id", null);
        assertThat((BigDecimal) sale.get("price_amount")).isEqualByComparingTo("34990.50");
        assertThat(sql.queryForObject("SELECT lead_at FROM caravan.lead WHERE record_key = 'lead-1'",
                OffsetDateTime.class).toInstant()).isEqualTo(leadAt.toInstant());
        assertThat(sql.queryForObject("SELECT lead_at FROM caravan.lead WHERE record_key = 'lead-2'",
                OffsetDateTime.class).toInstant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        Map<String, Object> perf = sql.queryForMap("SELECT impressions, clicks, spend_amount, conversions, "
                + "taxonomy_valid FROM caravan.campaign_performance");
        assertThat(perf).containsEntry("impressions", 12_000_000_000L).containsEntry("clicks", 42L)
                .containsEntry("taxonomy_valid", false);
        assertThat((BigDecimal) perf.get("spend_amount")).isEqualByComparingTo("100");
        assertThat((BigDecimal) perf.get("conversions")).isEqualByComparingTo("0.0001");
    }

    @Test
    void aValueTheWarehouseCannotStoreRejectsOnlyItsRow() {
        BatchSummary summary = writer.write(batch("b-unstorable", sale(1, "k1", "Golf"),
                sale(2, "k2", "Go\u0000lf"), sale(3, "k3", "Polo").with("model_year", 3_000_000_000L),
                sale(4, "k4", "Up").with("sale_date", LocalDate.of(10_000, 1, 1))).batch(), WarehouseTable.SALE);

        assertThat(summary.rowsDelivered()).isEqualTo(1);
        assertThat(summary.rowsRejected()).isEqualTo(3);
        assertThat(summary.balanced()).isTrue();
        assertThat(ledger.rejections("b-unstorable", 10)).extracting(Rejection::rowNumber, Rejection::field)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, "model"),
                        org.assertj.core.groups.Tuple.tuple(3L, "model_year"),
                        org.assertj.core.groups.Tuple.tuple(4L, "sale_date"));
        assertThat(sql.queryForList("SELECT record_key FROM caravan.sale", String.class)).containsExactly("k1");
    }

    @Test
    void rowsOverManyChunksAreEachCountedOnce() {
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            Batches.RowBuilder builder = sale(i, "k" + (i % 35), "M" + i);
            if (i % 7 == 0) {
                builder.rejected("vin", "invalid VIN");
            } else if (i % 11 == 0) {
                builder.disposed(Disposition.CONSENT_FILTERED);
            }
            if (i % 5 == 0) {
                builder.warned("email", "invalid e-mail address");
            }
            rows.add(builder.build());
        }

        BatchSummary summary = writer.write(batch(context("b-chunks"), rows).batch(), WarehouseTable.SALE);

        // rejected: 7,14,21,28,35 ; consent-filtered: 11,22,33 ; keys repeat for 36..40 (k1..k5; all pending)
        assertThat(summary.rowsIn()).isEqualTo(40);
        assertThat(summary.rowsRejected()).isEqualTo(5);
        assertThat(summary.rowsConsentFiltered()).isEqualTo(3);
        assertThat(summary.rowsDuplicate()).isEqualTo(5);
        assertThat(summary.rowsDelivered()).isEqualTo(27);
        assertThat(summary.warnings()).isEqualTo(8);
        assertThat(ledger.rejections("b-chunks", 100)).extracting(Rejection::rowNumber)
                .containsExactly(7L, 14L, 21L, 28L, 35L);
        assertThat(ledger.warnings("b-chunks", 100)).hasSize(8);
        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(27);
    }

    @Test
    void anEmptyBatchCompletesWithZeroCounts() {
        BatchSummary summary = writer.write(batch("b-empty").batch(), WarehouseTable.SALE);

        assertThat(summary.status()).isEqualTo(BatchSummary.COMPLETED);
        assertThat(summary.rowsIn()).isZero();
    }

    @Test
    void aCompletedBatchIsNotWrittenTwice() {
        writer.write(batch("b-once", sale(1, "k1", "Golf")).batch(), WarehouseTable.SALE);
        var second = batch("b-once", sale(1, "k1", "Polo"), sale(2, "k2", "Up"));

        assertThatThrownBy(() -> writer.write(second.batch(), WarehouseTable.SALE))
                .isInstanceOf(DeliveryException.class).hasMessageContaining("completed");

        assertThat(ledger.find("b-once").orElseThrow().status()).isEqualTo(BatchSummary.COMPLETED);
        assertThat(sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(1);
        assertThat(second.closed()).isTrue();
    }

    @Test
    void listenersHearOfTheFinishedBatchAfterItCommitted() {
        List<String> heard = new ArrayList<>();
        ledger.addListener(new Ledger.BatchListener() {
            @Override public void opened(BatchContext batch) {
            }

            @Override public void finished(BatchSummary summary) {
                Long stored = sql.queryForObject("SELECT count(*) FROM caravan.sale", Long.class);
                heard.add(summary.batchId() + " " + summary.status() + " " + stored);
            }
        });

        writer.write(batch("b-heard", sale(1, "k1", "Golf"), sale(2, "k2", "Polo")).batch(), WarehouseTable.SALE);
        assertThatThrownBy(() -> writer.write(batch("b-heard-bad", row(1, "k9").with("nope", 1)).batch(),
                WarehouseTable.SALE)).isInstanceOf(DeliveryException.class);

        assertThat(heard).containsExactly("b-heard completed 2", "b-heard-bad failed 2");
    }

    @Test
    void aPendingRowWithoutARecordKeyIsAProgrammingError() {
        Row keyless = new Row(1, new java.util.HashMap<>(Map.of("model", "Golf")));

        assertThatThrownBy(() -> writer.write(new RecordBatch(context("b-keyless"), List.of(keyless).iterator(),
                null), WarehouseTable.SALE)).isInstanceOf(DeliveryException.class)
                .hasMessageContaining("row 1").hasMessageContaining("record key");
    }
}
