package io.caravan.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.pipeline.BatchContext;
import io.caravan.testing.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The ledger's quarantine: held, released once into the next batch of the same route and source, or rejected. */
class QuarantineLedgerIT {
    private static final Instant T0 = Instant.parse("2026-11-01T06:00:00Z");
    private static final List<QuarantineReason> REASONS = List.of(new QuarantineReason("columns",
            "column renamed: Modell → Modellbezeichnung (position 5) against the previous accepted delivery", null, null,
            List.of("Modell", "Modellbezeichnung")), new QuarantineReason("volume", "3 rows, 90% below …", -90.0, 50.0, List.of()));
    private static DataSource dataSource;
    private static JdbcTemplate sql;
    private JdbcLedger ledger;
    private final List<BatchSummary> told = new ArrayList<>();

    @BeforeAll
    static void database() {
        dataSource = TestDatabase.fresh("quarantine_ledger_it");
        sql = new JdbcTemplate(dataSource);
    }

    @BeforeEach
    void emptyLedger() {
        sql.execute("TRUNCATE caravan.quarantine, caravan.rejection, caravan.batch_warning, caravan.batch");
        ledger = new JdbcLedger(dataSource);
        ledger.addListener(new Ledger.BatchListener() {
            @Override public void opened(BatchContext batch) { }
            @Override public void finished(BatchSummary summary) { told.add(summary); }
        });
    }

    private static BatchContext batch(String id, int minutes) {
        return new BatchContext(id, "dealer-nord-sales", "dealer-nord-sales", "dealer-nord", "first_party", "renamed.csv",
                T0.plusSeconds(60L * minutes));
    }

    @Test
    void aQuarantinedBatchKeepsItsReasonsAndTellsTheListenersOnce() {
        ledger.open(batch("b-1", 0));
        BatchSummary held = ledger.quarantine(batch("b-1", 0), 40, REASONS).orElseThrow();

        assertThat(held.status()).isEqualTo(BatchSummary.QUARANTINED);
        assertThat(held.rowsIn()).isEqualTo(40);
        assertThat(held.rowsDelivered()).isZero();
        assertThat(held.error()).startsWith("quarantined by the gates: column renamed: Modell → Modellbezeichnung");
        Quarantine quarantine = ledger.quarantineOf("b-1").orElseThrow();
        assertThat(quarantine.state()).isEqualTo(Quarantine.HELD);
        assertThat(quarantine.reasons()).isEqualTo(REASONS);
        assertThat(told).extracting(BatchSummary::status).containsExactly(BatchSummary.QUARANTINED);
        assertThat(ledger.quarantine(batch("b-1", 0), 40, REASONS)).as("no longer running").isEmpty();
        assertThat(told).hasSize(1);
    }

    @Test
    void aReleaseIsClaimedOnceByTheNextBatchOfTheSameRouteAndSource() {
        ledger.open(batch("b-1", 0));
        ledger.quarantine(batch("b-1", 0), 40, REASONS);
        BatchContext other = new BatchContext("b-2", "dealer-nord-sales", "dealer-nord-sales", "dealer-nord", "first_party",
                "other.csv", T0.plusSeconds(60));
        assertThat(ledger.claimRelease(batch("b-3", 2))).as("nothing is releasing yet").isEmpty();

        assertThat(ledger.startRelease("b-1", "otto")).isTrue();
        assertThat(ledger.startRelease("b-1", "rita")).as("a release begun again (its file never reached the route)").isTrue();
        assertThat(ledger.claimRelease(other)).as("another source").isEmpty();
        assertThat(ledger.claimRelease(batch("b-3", 2))).contains("b-1");
        assertThat(ledger.claimRelease(batch("b-4", 3))).as("claimed once").isEmpty();

        Quarantine released = ledger.quarantineOf("b-1").orElseThrow();
        assertThat(released.state()).isEqualTo(Quarantine.RELEASED);
        assertThat(released.releasedAs()).isEqualTo("b-3");
        assertThat(released.decidedBy()).isEqualTo("rita");
        assertThat(ledger.find("b-1").orElseThrow().status()).isEqualTo(BatchSummary.RELEASED);
        assertThat(ledger.rejectQuarantined("b-1", "otto", "too late")).isEmpty();
        assertThat(ledger.startRelease("b-1", "otto")).as("released already").isFalse();
    }

    @Test
    void anAbortedReleaseIsHeldAgain() {
        ledger.open(batch("b-1", 0));
        ledger.quarantine(batch("b-1", 0), 40, REASONS);
        ledger.startRelease("b-1", "otto");
        ledger.abortRelease("b-1");
        assertThat(ledger.quarantineOf("b-1").orElseThrow().state()).isEqualTo(Quarantine.HELD);
        assertThat(ledger.claimRelease(batch("b-3", 2))).isEmpty();
    }

    @Test
    void aRejectedBatchCountsEveryRowRejectedAndKeepsTheOperatorsReason() {
        ledger.open(batch("b-1", 0));
        ledger.quarantine(batch("b-1", 0), 40, REASONS);
        told.clear();

        BatchSummary rejected = ledger.rejectQuarantined("b-1", "otto", "partial export, please resend").orElseThrow();

        assertThat(rejected.status()).isEqualTo(BatchSummary.REJECTED);
        assertThat(List.of(rejected.rowsIn(), rejected.rowsRejected(), rejected.rowsDelivered())).containsExactly(40L, 40L, 0L);
        assertThat(rejected.balanced()).isTrue();
        assertThat(rejected.error()).startsWith("rejected by an operator: partial export, please resend (quarantined by the gates:");
        assertThat(ledger.quarantineOf("b-1").orElseThrow().decisionReason()).isEqualTo("partial export, please resend");
        assertThat(told).extracting(BatchSummary::status).containsExactly(BatchSummary.REJECTED);
        assertThat(ledger.rejectQuarantined("b-1", "otto", "again")).isEmpty();
        assertThat(ledger.startRelease("b-1", "otto")).isFalse();
    }

    @Test
    void theLedgerRefusesAStatusOutsideTheContract() {
        ledger.open(batch("b-1", 0));
        assertThat(sql.queryForList("SELECT DISTINCT status FROM caravan.batch", String.class)).containsExactly("running");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sql.update("UPDATE caravan.batch SET status = 'held'"))
                .hasMessageContaining("batch_status_check");
    }
}
