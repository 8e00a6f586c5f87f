package io.caravan.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pipeline.BatchContext;
import io.caravan.testing.TestDatabase;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

class JdbcLedgerIT {
    private static final Instant T0 = Instant.parse("2026-11-01T06:00:00Z");
    private static DataSource dataSource;
    private static JdbcTemplate sql;
    private JdbcLedger ledger;

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.fresh("jdbc_ledger_it");
        sql = new JdbcTemplate(dataSource);
    }

    @BeforeEach
    void emptyLedger() {
        sql.execute("TRUNCATE caravan.rejection, caravan.batch_warning, caravan.batch");
        ledger = new JdbcLedger(dataSource);
    }

    private static BatchContext batch(String id, String route, String partner, int minutesAfterT0) {
        return new BatchContext(id, route, "connector-of-" + route, partner, "first_party", id + ".csv",
                T0.plusSeconds(60L * minutesAfterT0));
    }

    private BatchSummary complete(BatchContext batch, BatchCounts counts) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            ledger.ensureRunning(c, batch);
            BatchSummary summary = ledger.complete(c, batch, counts, "sale", Instant.now());
            c.commit();
            return summary;
        }
    }

    @Test
    void openRecordsARunningBatchVisibleAtOnce() {
        BatchContext batch = batch("b-1", "dealer-nord-sales", "dealer-nord", 0);

        ledger.open(batch);

        BatchSummary found = ledger.find("b-1").orElseThrow();
        assertThat(found.status()).isEqualTo(BatchSummary.RUNNING);
        assertThat(found.routeId()).isEqualTo("dealer-nord-sales");
        assertThat(found.connectorId()).isEqualTo("connector-of-dealer-nord-sales");
        assertThat(found.partnerId()).isEqualTo("dealer-nord");
        assertThat(found.source()).isEqualTo("b-1.csv");
        assertThat(found.startedAt()).isEqualTo(T0);
        assertThat(found.finishedAt()).isNull();
        assertThat(found.rowsIn()).isZero();
        assertThat(found.error()).isNull();
    }

    @Test
    void openingTheSameBatchTwiceFails() {
        ledger.open(batch("b-1", "r", "p", 0));

        assertThatThrownBy(() -> ledger.open(batch("b-1", "r", "p", 1))).isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void findOfAnUnknownBatchIsEmpty() {
        assertThat(ledger.find("nope")).isEmpty();
    }

    @Test
    void failMarksARunningBatchFailedWithItsReason() {
        ledger.open(batch("b-1", "r", "p", 0));

        ledger.fail("b-1", "sales.csv: row 7, field vin: unreadable encoding");

        BatchSummary failed = ledger.find("b-1").orElseThrow();
        assertThat(failed.status()).isEqualTo(BatchSummary.FAILED);
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(failed.error()).isEqualTo("sales.csv: row 7, field vin: unreadable encoding");
    }

    @Test
    void failLeavesACompletedBatchCompleted() throws Exception {
        BatchContext batch = batch("b-1", "r", "p", 0);
        ledger.open(batch);
        BatchSummary completed = complete(batch, new BatchCounts(5, 1, 0, 0, 2, 3));

        ledger.fail("b-1", "too late");

        assertThat(ledger.find("b-1")).contains(completed);
        assertThat(completed.status()).isEqualTo(BatchSummary.COMPLETED);
        assertThat(completed.rowsIn()).isEqualTo(8);
        assertThat(completed.balanced()).isTrue();
        assertThat(completed.error()).isNull();
    }

    @Test
    void failRunningFailsEveryRunningBatchOldestFirstAndLeavesFinishedOnesAlone() throws Exception {
        ledger.open(batch("b-late", "r", "p", 5));
        ledger.open(batch("b-early", "r", "p", 1));
        ledger.open(batch("b-failed", "r", "p", 2));
        ledger.fail("b-failed", "sales.csv: row 3, field vin: required");
        BatchContext done = batch("b-done", "r", "p", 3);
        BatchSummary completed = complete(done, new BatchCounts(4, 0, 0, 0, 0, 0));
        List<BatchSummary> heard = new ArrayList<>();
        ledger.addListener(new Ledger.BatchListener() {
            @Override public void opened(BatchContext batch) {
            }

            @Override public void finished(BatchSummary summary) {
                heard.add(summary);
            }
        });

        List<BatchSummary> recovered = ledger.failRunning("interrupted: the node stopped before the batch completed");

        assertThat(recovered).extracting(BatchSummary::batchId).containsExactly("b-early", "b-late");
        assertThat(recovered).allSatisfy(b -> {
            assertThat(b.status()).isEqualTo(BatchSummary.FAILED);
            assertThat(b.error()).isEqualTo("interrupted: the node stopped before the batch completed");
            assertThat(b.finishedAt()).isNotNull();
        });
        assertThat(ledger.recent(null, null, BatchSummary.RUNNING, 10)).isEmpty();
        assertThat(ledger.find("b-failed").orElseThrow().error()).isEqualTo("sales.csv: row 3, field vin: required");
        assertThat(ledger.find("b-done")).contains(completed);
        assertThat(heard).isEmpty();
        assertThat(ledger.failRunning("again")).isEmpty();
    }

    @Test
    void failOfABatchNeverOpenedRecordsItWhenTheContextIsKnown() {
        ledger.fail("ghost", "no such batch");
        assertThat(ledger.find("ghost")).isEmpty();

        ledger.fail(batch("b-2", "r", "p", 0), "writer failed");

        assertThat(ledger.find("b-2").orElseThrow()).extracting(BatchSummary::status, BatchSummary::error,
                BatchSummary::routeId).containsExactly(BatchSummary.FAILED, "writer failed", "r");
    }

    @Test
    void completingStoresCountsTargetTableAndNamedCounters() throws Exception {
        BatchContext batch = batch("b-1", "r", "p", 0);
        batch.count("taxonomy_violations", 4);
        batch.count("taxonomy_violations", 1);

        complete(batch, new BatchCounts(10, 2, 3, 1, 4, 7));

        Map<String, Object> row = sql.queryForMap("SELECT status, rows_in, rows_delivered, rows_rejected, "
                + "rows_consent_filtered, rows_suppressed, rows_duplicate, warnings, target_table, "
                + "counters->>'taxonomy_violations' AS violations FROM caravan.batch WHERE batch_id = 'b-1'");
        assertThat(row).containsEntry("status", "completed").containsEntry("rows_in", 20L)
                .containsEntry("rows_delivered", 10L).containsEntry("rows_rejected", 2L)
                .containsEntry("rows_consent_filtered", 3L).containsEntry("rows_suppressed", 1L)
                .containsEntry("rows_duplicate", 4L).containsEntry("warnings", 7L)
                .containsEntry("target_table", "sale").containsEntry("violations", "5");
    }

    @Test
    void aFinishedBatchCannotBeRunAgain() throws Exception {
        BatchContext batch = batch("b-1", "r", "p", 0);
        complete(batch, new BatchCounts(1, 0, 0, 0, 0, 0));

        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> ledger.ensureRunning(c, batch)).isInstanceOf(BatchNotRunningException.class)
                    .hasMessageContaining("b-1").hasMessageContaining("completed");
            c.rollback();
        }
    }

    @Test
    void recentListsNewestFirstAndFiltersByRoutePartnerAndStatus() throws Exception {
        ledger.open(batch("b-1", "nord", "dealer-nord", 0));
        ledger.open(batch("b-2", "sued", "dealer-sued", 1));
        ledger.open(batch("b-3", "nord", "dealer-nord", 2));
        ledger.open(batch("b-4", "nord", "dealer-nord", 3));
        ledger.fail("b-3", "broken");
        complete(batch("b-4", "nord", "dealer-nord", 3), new BatchCounts(1, 0, 0, 0, 0, 0));

        assertThat(ids(ledger.recent(null, null, null, 10))).containsExactly("b-4", "b-3", "b-2", "b-1");
        assertThat(ids(ledger.recent(null, null, null, 2))).containsExactly("b-4", "b-3");
        assertThat(ids(ledger.recent("nord", null, null, 10))).containsExactly("b-4", "b-3", "b-1");
        assertThat(ids(ledger.recent(null, "dealer-sued", null, 10))).containsExactly("b-2");
        assertThat(ids(ledger.recent("nord", null, BatchSummary.RUNNING, 10))).containsExactly("b-1");
        assertThat(ids(ledger.recent(null, "dealer-nord", BatchSummary.FAILED, 10))).containsExactly("b-3");
        assertThat(ledger.recent("nord", "dealer-sued", null, 10)).isEmpty();
        assertThatThrownBy(() -> ledger.recent(null, null, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lastOfGivesTheNewestBatchOfARoute() {
        ledger.open(batch("b-1", "nord", "p", 5));
        ledger.open(batch("b-2", "nord", "p", 9));
        ledger.open(batch("b-3", "sued", "p", 12));

        assertThat(ledger.lastOf("nord")).get().extracting(BatchSummary::batchId).isEqualTo("b-2");
        assertThat(ledger.lastOf("west")).isEmpty();
    }

    @Test
    void rejectionsAndWarningsComeBackInRowOrderUpToTheLimit() throws Exception {
        BatchContext batch = batch("b-1", "r", "p", 0);
        ledger.open(batch);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            ledger.appendIssues(c,
                    List.of(new Rejection("b-1", 9, "vin", "invalid VIN"), new Rejection("b-1", 2, "email", "invalid"),
                            new Rejection("b-1", 5, "sale_date", "not a date")),
                    List.of(new Rejection("b-1", 4, "phone", "not a valid number")));
            c.commit();
        }

        assertThat(ledger.rejections("b-1", 10)).extracting(Rejection::rowNumber).containsExactly(2L, 5L, 9L);
        assertThat(ledger.rejections("b-1", 2)).extracting(Rejection::rowNumber).containsExactly(2L, 5L);
        assertThat(ledger.warnings("b-1", 10)).containsExactly(new Rejection("b-1", 4, "phone", "not a valid number"));
        assertThat(ledger.rejections("other", 10)).isEmpty();
    }

    @Test
    void listenersHearOpenedAndFinishedUntilRemoved() {
        List<String> heard = new ArrayList<>();
        Ledger.BatchListener listener = new Ledger.BatchListener() {
            @Override public void opened(BatchContext batch) {
                heard.add("opened " + batch.batchId());
            }

            @Override public void finished(BatchSummary summary) {
                heard.add("finished " + summary.batchId() + " " + summary.status());
            }
        };
        ledger.addListener(listener);

        ledger.open(batch("b-1", "r", "p", 0));
        ledger.fail("b-1", "broken");
        ledger.removeListener(listener);
        ledger.open(batch("b-2", "r", "p", 1));

        assertThat(heard).containsExactly("opened b-1", "finished b-1 failed");
    }

    @Test
    void aFailingListenerDisturbsNeitherTheLedgerNorOtherListeners() {
        List<String> heard = new ArrayList<>();
        ledger.addListener(batch -> {
            throw new IllegalStateException("listener bug");
        });
        ledger.addListener(batch -> heard.add(batch.batchId()));

        ledger.open(batch("b-1", "r", "p", 0));

        assertThat(heard).containsExactly("b-1");
        assertThat(ledger.find("b-1")).isPresent();
    }

    private static List<String> ids(List<BatchSummary> batches) {
        return batches.stream().map(BatchSummary::batchId).toList();
    }
}
