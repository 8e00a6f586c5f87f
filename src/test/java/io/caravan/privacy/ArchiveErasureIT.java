package io.caravan.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.api.ApiException;
import io.caravan.audit.AuditTrail;
import io.caravan.ledger.JdbcLedger;
import io.caravan.pseudonymise.Archive;
import io.caravan.pseudonymise.ArchiveException;
import io.caravan.pseudonymise.ArchiveRetention;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import io.caravan.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Erasure over the kept files on a real PostgreSQL: it finds the files of batches where the
 * subject's row left no warehouse row (filtered, suppressed, a duplicate) through the batches'
 * sightings, never by decrypting; a crash in the middle of a shred leaves either the key or nothing
 * and never blocks a later erasure; erasure and replay of the same batch are serialised.
 */
class ArchiveErasureIT {
    private static final String BATCH = "b-20261101-101500-0a1b2c3d";
    private static final String OTHER_BATCH = "b-20261102-101500-0a1b2c3e";
    private static final String SUBJECT = "filtered.subject@example.com";
    private static final String BYSTANDER = "bystander@example.com";
    private static final byte[] CONTENT = ("Kundennr;E-Mail\n1;" + SUBJECT + "\n").getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;

    private DataSource database;
    private JdbcTemplate jdbc;
    private KeyRing keys;
    private Path inbox;
    private Archive archive;
    private AuditTrail audit;
    private Erasure erasure;

    @BeforeEach
    void freshDatabaseAndInbox() throws IOException {
        database = TestDatabase.fresh("archive_erasure_it");
        jdbc = new JdbcTemplate(database);
        keys = GeneratedKeyRing.open(temp.resolve("keys"), List.of());
        inbox = Files.createDirectories(temp.resolve("sftp/dealer-nord/inbox"));
        archive = new Archive(database, keys, new ArchiveRetention(null, null), Clock.systemUTC());
        audit = new AuditTrail(database, new ObjectMapper());
        erasure = new Erasure(database, keys, audit, archive);
    }

    @Test
    void erasureShredsTheKeptFileOfABatchThatOnlyFilteredTheSubject() throws Exception {
        Path kept = keptFile(BATCH);
        sighted(BATCH, SUBJECT);
        sighted(BATCH, BYSTANDER);
        keptFile(OTHER_BATCH);
        sighted(OTHER_BATCH, BYSTANDER);

        Erasure.Result erased = erasure.erase(SUBJECT, "email", "operator:test");

        assertThat(erased.rowsDeleted().values()).allMatch(n -> n == 0L); // no warehouse row carried the subject
        assertThat(erased.archivesShredded()).extracting(Archive.Shredded::batchId).containsExactly(BATCH);
        assertThat(kept).doesNotExist();
        assertThatThrownBy(() -> archive.open(BATCH)).isInstanceOf(ArchiveException.class).hasMessageContaining("shredded");
        archive.open(OTHER_BATCH).close();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'archive_shred'"
                + " AND detail->>'erasureId' = ?", Long.class, erased.erasureId())).isEqualTo(1L);
        // the subject's sightings went with the file; the bystander's of the live file stay
        assertThat(jdbc.queryForList("SELECT batch_id FROM caravan.batch_subject WHERE token = ?", String.class,
                suppressionToken(SUBJECT))).isEmpty();
        assertThat(jdbc.queryForList("SELECT batch_id FROM caravan.batch_subject WHERE token = ?", String.class,
                suppressionToken(BYSTANDER))).contains(OTHER_BATCH);
    }

    @Test
    void aCrashAfterTheKeyIsShreddedLeavesNoReadableRemnantAndALaterErasureCompletes() throws Exception {
        Path kept = keptFile(BATCH);
        sighted(BATCH, SUBJECT);
        // the state a crash between the key's deletion (committed) and the file's leaves
        jdbc.update("UPDATE caravan.archive SET wrapped_key = NULL, shredded_at = now(), shredded_by = 'erasure-crashed'");
        assertThat(kept).exists();
        assertThatThrownBy(() -> archive.open(BATCH)).isInstanceOf(ArchiveException.class).hasMessageContaining("shredded");

        assertThat(archive.sweepAll(temp.resolve("sftp"))).as("the sweep at the next start").isZero();

        assertThat(kept).doesNotExist();
        Erasure.Result again = erasure.erase(SUBJECT, "email", "operator:test");
        assertThat(again.archivesShredded()).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.batch_subject", Long.class)).isZero();
    }

    @Test
    void aCrashBeforeTheKeyIsShreddedLeavesKeyAndFileForTheNextErasure() throws Exception {
        Path kept = keptFile(BATCH);
        sighted(BATCH, SUBJECT);
        // an erasure committed (the subject is on the suppression list), then the node stopped before shredding
        Tokeniser suppression = keys.tokeniser(KeyRing.SUPPRESSION);
        jdbc.update("INSERT INTO caravan.suppression (token, key_id, erasure_id) VALUES (?, ?, 'erasure-crashed')",
                suppression.token(SUBJECT), suppression.keyId());
        archive.open(BATCH).close();

        Erasure.Result again = erasure.erase(SUBJECT, "email", "operator:test");

        assertThat(again.archivesShredded()).extracting(Archive.Shredded::batchId).containsExactly(BATCH);
        assertThat(kept).doesNotExist();
        // a file kept later that still carried the subject (suppressed there) is found by a repeat erasure
        Path later = keptFile(OTHER_BATCH);
        sighted(OTHER_BATCH, SUBJECT);
        assertThat(erasure.erase(SUBJECT, "email", "operator:test").archivesShredded())
                .extracting(Archive.Shredded::batchId).containsExactly(OTHER_BATCH);
        assertThat(later).doesNotExist();
    }

    @Test
    void anErasureWaitsForAReplayOfTheSameBatchToPlaceItsFile() throws Exception {
        Path kept = keptFile(BATCH);
        sighted(BATCH, SUBJECT);
        CountDownLatch replaying = new CountDownLatch(1);
        CountDownLatch placed = new CountDownLatch(1);
        CompletableFuture<String> replay = CompletableFuture.supplyAsync(() -> archive.underBatchLock(BATCH, () -> {
            replaying.countDown();
            try {
                assertThat(placed.await(30, TimeUnit.SECONDS)).isTrue();
                return Files.exists(kept) ? "read the kept file" : "file gone under the replay";
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(replaying.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Erasure.Result> erased = CompletableFuture.supplyAsync(
                () -> erasure.erase(SUBJECT, "email", "operator:test"));
        Thread.sleep(700);
        assertThat(erased).as("the erasure waits for the batch's lock").isNotDone();
        assertThat(kept).exists();

        placed.countDown();
        assertThat(replay.get(30, TimeUnit.SECONDS)).isEqualTo("read the kept file");
        assertThat(erased.get(30, TimeUnit.SECONDS).archivesShredded()).extracting(Archive.Shredded::batchId)
                .containsExactly(BATCH);
        assertThat(kept).doesNotExist();
    }

    @Test
    void aReplayWaitsForAnErasureShreddingTheSameBatchAndIsThenRefused() throws Exception {
        keptFile(BATCH);
        jdbc.update("INSERT INTO caravan.batch (batch_id, route_id, partner_id, source, started_at, status)"
                + " VALUES (?, 'dealer-nord-sales', 'dealer-nord', 'verkaeufe.csv', now(), 'completed')", BATCH);
        Replayer replayer = new Replayer(database, archive, new JdbcLedger(database), audit, Duration.ofSeconds(5));
        CountDownLatch shredding = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        CompletableFuture<Void> erasing = CompletableFuture.runAsync(() -> archive.underBatchLock(BATCH, () -> {
            shredding.countDown();
            try {
                assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            jdbc.update("UPDATE caravan.archive SET wrapped_key = NULL, shredded_at = now(), shredded_by = 'erasure-x'");
            return null;
        }));
        assertThat(shredding.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Replayer.Result> replay = CompletableFuture.supplyAsync(
                () -> replayer.replay(BATCH, "operator:test"));
        Thread.sleep(700);
        assertThat(replay).as("the replay waits for the batch's lock").isNotDone();

        done.countDown();
        erasing.get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> replay.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ApiException.class)
                .cause().hasMessageContaining("shredded");
        try (var left = Files.list(inbox)) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void aReplayThatNoRouteTakesInTimeIsWithdrawnAndLeavesNoBatch() throws Exception {
        keptFile(BATCH);
        jdbc.update("INSERT INTO caravan.batch (batch_id, route_id, partner_id, source, started_at, status)"
                + " VALUES (?, 'dealer-nord-sales', 'dealer-nord', 'verkaeufe.csv', now(), 'completed')", BATCH);
        Replayer replayer = new Replayer(database, archive, new JdbcLedger(database), audit, Duration.ofMillis(800));

        assertThatThrownBy(() -> replayer.replay(BATCH, "operator:test")).isInstanceOf(ApiException.class)
                .hasMessageContaining("withdrawn").hasMessageContaining("nothing was replayed");

        try (var left = Files.list(inbox)) {
            assertThat(left.filter(Files::isRegularFile)).as("neither the file nor its .ready marker").isEmpty();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.batch", Long.class)).isEqualTo(1L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'batch_replay'", Long.class))
                .isZero();
        archive.open(BATCH).close(); // the kept file is untouched: it can be replayed once the route runs
    }

    /** A consumed file of {@code batch}, archived as the notifier does. */
    private Path keptFile(String batch) throws IOException {
        Path dir = Files.createDirectories(inbox.resolve(".done"));
        Files.write(dir.resolve(batch + "-verkaeufe.csv"), CONTENT);
        archive.sweep(inbox, "dealer-nord-sales", null, null);
        return dir.resolve(batch + "-verkaeufe.csv" + Archive.SUFFIX);
    }

    /** A sighting as the consent step records it. */
    private void sighted(String batch, String email) {
        Tokeniser suppression = keys.tokeniser(KeyRing.SUPPRESSION);
        jdbc.update("INSERT INTO caravan.batch_subject (batch_id, token, key_id) VALUES (?, ?, ?)",
                batch, suppression.token(email), suppression.keyId());
    }

    private String suppressionToken(String email) {
        return keys.tokeniser(KeyRing.SUPPRESSION).token(email);
    }
}
