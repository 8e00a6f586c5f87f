package io.caravan.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.Archive;
import io.caravan.pseudonymise.ArchiveException;
import io.caravan.pseudonymise.ArchiveRetention;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The archive of kept partner files on a real PostgreSQL: archiving encrypts beside the file and
 * deletes the plain one, {@code open(batchId)} decrypts, a truncated or altered file is refused, and
 * the retention purge crypto-shreds what is older than the partner's retention and audits it.
 */
class ArchiveRetentionIT {
    private static final String BATCH = "b-20261101-101500-0a1b2c3d";
    private static final byte[] CONTENT = "Kundennr;E-Mail\n1;kept.subject@example.com\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;

    private DataSource database;
    private JdbcTemplate jdbc;
    private KeyRing keys;
    private Path inbox;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:15:00Z"));

    @BeforeEach
    void freshDatabaseAndInbox() throws IOException {
        database = TestDatabase.fresh("archive_retention_it");
        jdbc = new JdbcTemplate(database);
        keys = GeneratedKeyRing.open(temp.resolve("keys"), List.of());
        inbox = Files.createDirectories(temp.resolve("sftp/dealer-nord/inbox"));
    }

    @Test
    void aConsumedFileIsKeptOnlyEncryptedAndOpensByBatch() throws Exception {
        Archive archive = archive(new ArchiveRetention(null, null));
        Path done = consumed(".done", BATCH + "-verkaeufe.csv");

        assertThat(archive.sweep(inbox, "dealer-nord-sales", BATCH, "verkaeufe.csv")).isEqualTo(1);

        assertThat(done).doesNotExist();
        Path kept = done.resolveSibling(done.getFileName() + Archive.SUFFIX);
        assertThat(new String(Files.readAllBytes(kept), StandardCharsets.ISO_8859_1)).doesNotContain("kept.subject@example.com");
        try (InputStream plain = archive.open(BATCH)) {
            assertThat(plain.readAllBytes()).isEqualTo(CONTENT);
        }
        assertThat(jdbc.queryForMap("SELECT partner, route_id, outcome FROM caravan.archive WHERE batch_id = ?", BATCH))
                .containsEntry("partner", "dealer-nord").containsEntry("route_id", "dealer-nord-sales")
                .containsEntry("outcome", "done");
        assertThat(archive.sweep(inbox, null, null, null)).as("a second sweep").isZero();
    }

    @Test
    void aFailedFileGetsTheBatchIdOfItsExchange() throws Exception {
        Archive archive = archive(new ArchiveRetention(null, null));
        consumed(".failed", "20261101-101500-ID-1-open-quote.csv");

        archive.sweep(inbox, "dealer-nord-sales", BATCH, "open-quote.csv");

        assertThat(jdbc.queryForObject("SELECT outcome FROM caravan.archive WHERE batch_id = ?", String.class, BATCH))
                .isEqualTo("failed");
    }

    @Test
    void aTruncatedOrAlteredArchiveIsRefusedByAuthentication() throws Exception {
        Archive archive = archive(new ArchiveRetention(null, null));
        Path done = consumed(".done", BATCH + "-verkaeufe.csv");
        archive.sweep(inbox, null, null, null);
        Path kept = done.resolveSibling(done.getFileName() + Archive.SUFFIX);
        byte[] whole = Files.readAllBytes(kept);

        Files.write(kept, java.util.Arrays.copyOf(whole, whole.length - 1));
        assertThatThrownBy(() -> readAll(archive.open(BATCH))).isInstanceOf(IOException.class);

        byte[] altered = whole.clone();
        altered[altered.length / 2] ^= 0x01;
        Files.write(kept, altered);
        assertThatThrownBy(() -> readAll(archive.open(BATCH))).isInstanceOf(IOException.class);

        Files.write(kept, whole);
        jdbc.update("UPDATE caravan.archive SET wrapped_key = set_byte(wrapped_key, 30, get_byte(wrapped_key, 30) # 1)");
        assertThatThrownBy(() -> archive.open(BATCH)).isInstanceOf(ArchiveException.class)
                .hasMessageContaining(BATCH).hasMessageContaining("does not open");
    }

    @Test
    void retentionCryptoShredsWhatIsOlderThanThePartnersRetentionAndAuditsIt() throws Exception {
        Archive archive = archive(new ArchiveRetention("P30D", Map.of("dealer-sued", "P7D")));
        consumed(".done", BATCH + "-verkaeufe.csv");
        archive.sweep(inbox, "dealer-nord-sales", null, null);
        clock.advance(Duration.ofDays(29));
        String later = "b-20261130-101500-0a1b2c3e";
        consumed(".done", later + "-verkaeufe.csv");
        archive.sweep(inbox, "dealer-nord-sales", null, null);
        AuditTrail audit = new AuditTrail(database, new ObjectMapper());
        RetentionPurge purge = new RetentionPurge(database, audit, Map.of(), clock, archive);

        clock.advance(Duration.ofDays(1));
        RetentionPurge.Run run = purge.run("system:retention");

        assertThat(run.archivesShredded()).extracting(Archive.Shredded::batchId).containsExactly(BATCH);
        assertThat(inbox.resolve(".done/" + BATCH + "-verkaeufe.csv" + Archive.SUFFIX)).doesNotExist();
        assertThat(inbox.resolve(".done/" + later + "-verkaeufe.csv" + Archive.SUFFIX)).exists();
        assertThat(jdbc.queryForMap("SELECT wrapped_key, shredded_at IS NOT NULL AS shredded, shredded_by"
                + " FROM caravan.archive WHERE batch_id = ?", BATCH))
                .containsEntry("wrapped_key", null).containsEntry("shredded", true).containsEntry("shredded_by", "retention");
        assertThatThrownBy(() -> archive.open(BATCH)).isInstanceOf(ArchiveException.class).hasMessageContaining("shredded");
        try (InputStream plain = archive.open(later)) {
            assertThat(plain.readAllBytes()).isEqualTo(CONTENT);
        }
        Map<String, Object> shredAudit = jdbc.queryForMap("SELECT actor, subject, detail::text AS detail FROM caravan.audit_event"
                + " WHERE action = 'archive_shred'");
        assertThat(shredAudit.get("actor")).isEqualTo("system:retention");
        assertThat((String) shredAudit.get("detail")).contains(BATCH).contains("dealer-nord").contains("retention")
                .doesNotContain("example.com");
        assertThat(jdbc.queryForObject("SELECT detail::text FROM caravan.audit_event WHERE action = 'retention_purge'",
                String.class)).contains("\"archivesShredded\": 1");
        assertThat(purge.run("system:retention").archivesShredded()).as("a second run").isEmpty();
    }

    @Test
    void aBatchsSightingsLiveAsLongAsItsKeptFile() throws Exception {
        Archive archive = archive(new ArchiveRetention("P30D", null));
        consumed(".done", BATCH + "-verkaeufe.csv");
        archive.sweep(inbox, "dealer-nord-sales", null, null);
        clock.advance(Duration.ofDays(29));
        String live = "b-20261130-101500-0a1b2c3e";
        consumed(".done", live + "-verkaeufe.csv");
        archive.sweep(inbox, "dealer-nord-sales", null, null);
        String unkept = "b-20261129-101500-0a1b2c3f"; // its file never kept (a zero retention then, say)
        String fresh = "b-20261130-111500-0a1b2c40";  // its file not archived yet
        sighting(BATCH, clock.instant().minus(Duration.ofDays(29)));
        sighting(live, clock.instant());
        sighting(unkept, clock.instant().minus(Duration.ofDays(2)));
        sighting(fresh, clock.instant());
        clock.advance(Duration.ofDays(1));

        new RetentionPurge(database, new AuditTrail(database, new ObjectMapper()), Map.of(), clock, archive)
                .run("system:retention");

        assertThat(jdbc.queryForList("SELECT batch_id FROM caravan.batch_subject ORDER BY batch_id", String.class))
                .containsExactly(live, fresh);
        assertThat(jdbc.queryForObject("SELECT detail->>'batchSubjectsDeleted' FROM caravan.audit_event"
                + " WHERE action = 'retention_purge'", String.class)).isEqualTo("2");
    }

    private void sighting(String batch, Instant seenAt) {
        jdbc.update("INSERT INTO caravan.batch_subject (batch_id, token, key_id, seen_at) VALUES (?, ?, 'k', ?)",
                batch, "0".repeat(63) + batch.charAt(batch.length() - 1), java.sql.Timestamp.from(seenAt));
    }

    @Test
    void aZeroRetentionKeepsNothing() throws Exception {
        Archive archive = archive(new ArchiveRetention("P30D", Map.of("dealer-nord", "P0D")));
        Path done = consumed(".done", BATCH + "-verkaeufe.csv");

        archive.sweep(inbox, null, null, null);

        assertThat(done).doesNotExist();
        try (var left = Files.list(done.getParent())) {
            assertThat(left).isEmpty();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.archive", Long.class)).isZero();
    }

    private Archive archive(ArchiveRetention retention) {
        return new Archive(database, keys, retention, clock);
    }

    private Path consumed(String kept, String name) throws IOException {
        Path dir = Files.createDirectories(inbox.resolve(kept));
        return Files.write(dir.resolve(name), CONTENT);
    }

    private static void readAll(InputStream in) throws IOException {
        try (in) {
            in.readAllBytes();
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }
}
