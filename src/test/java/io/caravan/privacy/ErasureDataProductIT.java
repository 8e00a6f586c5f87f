package io.caravan.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.Archive;
import io.caravan.pseudonymise.ArchiveRetention;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.ObjectMapper;

/** Erasure queues an erasure event per deleted record for the data products, in its own transaction. */
class ErasureDataProductIT {
    @TempDir
    Path data;

    private DataSource database;
    private JdbcTemplate jdbc;
    private KeyRing keys;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.fresh("erasure_data_product_it");
        jdbc = new JdbcTemplate(database);
        Path dir = Files.createDirectory(data.resolve("keys"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        keys = GeneratedKeyRing.open(dir, List.of(KeyRing.WAREHOUSE, KeyRing.SUPPRESSION));
        String subject = keys.tokeniser(KeyRing.WAREHOUSE).token("jane@example.com");
        for (String key : List.of("k1", "k2")) {
            jdbc.update("""
                    INSERT INTO caravan.sale (record_key, connector_id, data_class, batch_id, ingested_at, email_token)
                    VALUES (?, 'c', 'first_party', 'b-1', now(), ?)""", key, subject);
        }
        jdbc.update("""
                INSERT INTO caravan.sale (record_key, connector_id, data_class, batch_id, ingested_at, email_token)
                VALUES ('k3', 'c', 'first_party', 'b-1', now(), ?)""", "f".repeat(64));
    }

    private Erasure erasure(boolean dataProducts) {
        return new Erasure(database, keys, new AuditTrail(database, new ObjectMapper()),
                new Archive(database, keys, new ArchiveRetention(null, null), Clock.systemUTC()), dataProducts);
    }

    @Test
    void erasureQueuesOneErasureEventPerDeletedRecordWhenDataProductsAreOn() {
        erasure(true).erase("jane@example.com", "email", "dpo");

        assertThat(jdbc.queryForList("SELECT kind || ':' || table_name || ':' || record_key"
                + " FROM caravan.data_product_outbox ORDER BY record_key", String.class))
                .containsExactly("erasure:sale:k1", "erasure:sale:k2");
        assertThat(jdbc.queryForList("SELECT record_key FROM caravan.sale", String.class)).containsExactly("k3");
    }

    @Test
    void erasureQueuesNothingWhenDataProductsAreOff() {
        erasure(false).erase("jane@example.com", "email", "dpo");

        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.data_product_outbox", Long.class)).isZero();
        assertThat(jdbc.queryForList("SELECT record_key FROM caravan.sale", String.class)).containsExactly("k3");
    }
}
