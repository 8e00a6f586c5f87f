package io.caravan.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.audit.AuditTrail;
import io.caravan.connector.DataClass;
import io.caravan.pseudonymise.Archive;
import io.caravan.pseudonymise.ArchiveRetention;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Retention per data class on a real PostgreSQL: a class with an age of its own is purged by it
 * instead of its table's (zero-party data kept longer, third-party data shorter), in every record
 * table, also in one without an age of its own; a class without one follows its table.
 */
class RetentionByClassIT {
    @TempDir
    Path temp;

    @Test
    void eachClassIsPurgedByItsOwnAgeOrElseItsTables() {
        DataSource database = TestDatabase.fresh("retention_by_class_it");
        JdbcTemplate jdbc = new JdbcTemplate(database);
        sale(jdbc, "first-200", "first_party", 200);     // table age 100 days: purged
        sale(jdbc, "first-50", "first_party", 50);       // kept
        sale(jdbc, "zero-200", "zero_party", 200);       // class age 1000 days: kept longer
        sale(jdbc, "zero-1200", "zero_party", 1200);     // purged
        sale(jdbc, "second-99", "second_party", 99);     // follows the table: kept
        sale(jdbc, "third-20", "third_party", 20);       // class age 10 days: purged sooner
        lead(jdbc, "lead-third-20", "third_party", 20);  // a table without an age: its third-party rows still go
        lead(jdbc, "lead-first-5000", "first_party", 5000); // and its other rows stay
        Archive archive = new Archive(database, GeneratedKeyRing.open(temp.resolve("keys"), List.of()),
                new ArchiveRetention(null, null), Clock.systemUTC());
        RetentionPurge purge = new RetentionPurge(database, new AuditTrail(database, new ObjectMapper()),
                Map.of("sale", Duration.ofDays(100)),
                Map.of(DataClass.ZERO_PARTY, Duration.ofDays(1000), DataClass.THIRD_PARTY, Duration.ofDays(10)),
                Clock.systemUTC(), archive);

        RetentionPurge.Run run = purge.run("system:retention");

        assertThat(jdbc.queryForList("SELECT record_key FROM caravan.sale ORDER BY record_key", String.class))
                .containsExactly("rk-first-50", "rk-second-99", "rk-zero-200");
        assertThat(jdbc.queryForList("SELECT record_key FROM caravan.lead", String.class)).containsExactly("rk-lead-first-5000");
        assertThat(run.rowsDeleted()).containsEntry("sale", 3L).containsEntry("lead", 1L);
        assertThat(jdbc.queryForObject("SELECT detail->'cutoffs'->'sale'->'classes' ?& array['zero_party', 'third_party']"
                + " FROM caravan.audit_event WHERE action = 'retention_purge'", Boolean.class)).isTrue();
    }

    @Test
    void anUnknownClassOrAgeNamesItsProperty() {
        assertThatThrownBy(() -> new RetentionProperties(Map.of(), Map.of("fourth_party", "P10D"), null).classMaxAges())
                .hasMessageContaining("caravan.retention.classes.fourth_party: unknown data class");
        assertThatThrownBy(() -> new RetentionProperties(Map.of(), Map.of("zero_party", "P1Y"), null).classMaxAges())
                .hasMessageContaining("caravan.retention.classes.zero_party: give the age in days");
    }

    private static void sale(JdbcTemplate jdbc, String id, String dataClass, int daysOld) {
        jdbc.update("INSERT INTO caravan.sale (record_key, connector_id, data_class, batch_id, ingested_at, sale_id)"
                + " VALUES (?, 'test', ?, 'b-test', now() - make_interval(days => ?), ?)", "rk-" + id, dataClass, daysOld, id);
    }

    private static void lead(JdbcTemplate jdbc, String id, String dataClass, int daysOld) {
        jdbc.update("INSERT INTO caravan.lead (record_key, connector_id, data_class, batch_id, ingested_at, lead_id)"
                + " VALUES (?, 'test', ?, 'b-test', now() - make_interval(days => ?), ?)", "rk-" + id, dataClass, daysOld, id);
    }
}
