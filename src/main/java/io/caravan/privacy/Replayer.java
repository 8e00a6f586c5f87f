package io.caravan.privacy;

import io.caravan.api.ApiException;
import io.caravan.audit.AuditTrail;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import io.caravan.pseudonymise.Archive;
import io.caravan.pseudonymise.ArchiveException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Replays a batch from its encrypted archive (issue 13) through today's connector, consent,
 * suppression, policies and keys, as a new batch linked to the original ({@code caravan.batch.replay_of}).
 *
 * <p>The kept file is decrypted in full under a hidden name in the route's inbox (which the file
 * route ignores) before anything is handed over: a truncated or altered archive fails its
 * authentication there, the partial plain text is deleted and nothing is replayed. Only then is it
 * moved atomically to its original name and its {@code .ready} marker created, and the route
 * ingests it as a new batch; the batch it opens is linked and audited ({@code batch_replay}).
 * A batch without a kept file is {@code 404}, one whose file was crypto-shredded {@code 409}. When
 * no batch opens within the timeout (the route is stopped, say), the replay is withdrawn: its
 * {@code .ready} marker and then its file are deleted, so no unlinked batch starts later, and the
 * answer is {@code 409}; if the route took the file in that very moment, the replay waits for
 * its batch to open as usual.
 * Replays are serialised. Messages name batches, archives and partners, never content.
 */
final class Replayer {
    private final JdbcTemplate jdbc;
    private final Archive archive;
    private final Ledger ledger;
    private final AuditTrail audit;
    private final Duration timeout;

    Replayer(DataSource dataSource, Archive archive, Ledger ledger, AuditTrail audit, Duration timeout) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.archive = Objects.requireNonNull(archive, "archive");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** The answer: the new batch and the one it replays. */
    record Result(String batchId, String replayOf, UUID archiveId) {
    }

    /**
     * Replays one batch, holding its {@linkplain Archive#underBatchLock lock} from the look-up of its
     * kept file until the new batch has opened: an erasure shredding the same file waits for that,
     * and a replay that comes after the shred is refused.
     */
    synchronized Result replay(String batchId, String actor) {
        return archive.underBatchLock(batchId, () -> replayLocked(batchId, actor));
    }

    private Result replayLocked(String batchId, String actor) {
        List<String> sources = jdbc.queryForList("SELECT coalesce(source, '') FROM caravan.batch WHERE batch_id = ?",
                String.class, batchId);
        if (sources.isEmpty()) {
            throw ApiException.notFound("batch " + batchId + " not found");
        }
        List<Archive.Entry> entries = archive.entries(batchId);
        if (entries.isEmpty()) {
            Integer shredded = jdbc.queryForObject(
                    "SELECT count(*) FROM caravan.archive WHERE batch_id = ? AND shredded_at IS NOT NULL",
                    Integer.class, batchId);
            if (shredded != null && shredded > 0) {
                throw ApiException.conflict("the kept file of batch " + batchId
                        + " was crypto-shredded (retention or erasure); it cannot be replayed");
            }
            throw ApiException.notFound("batch " + batchId + " has no kept file to replay");
        }
        Archive.Entry entry = entries.get(0);
        String name = Archive.originalName(entry, batchId, sources.get(0));
        if (name == null || entry.routeId() == null) {
            throw ApiException.conflict("the kept file of batch " + batchId + " (archive " + entry.archiveId()
                    + ") does not name its source file or route; it cannot be replayed");
        }
        Path inbox = entry.path().toAbsolutePath().getParent().getParent();
        Path target = inbox.resolve(name);
        Path marker = inbox.resolve(name + ".ready");
        if (Files.exists(target) || Files.exists(marker)) {
            throw ApiException.conflict("a file of the same name is waiting in the inbox of partner "
                    + entry.partner() + "; replay batch " + batchId + " once it is picked up");
        }
        Path part = inbox.resolve(".replay-" + UUID.randomUUID() + ".part");
        decrypt(batchId, entry, part);

        CompletableFuture<String> opened = new CompletableFuture<>();
        Ledger.BatchListener listener = new Ledger.BatchListener() {
            @Override
            public void opened(BatchContext batch) {
                if (entry.routeId().equals(batch.routeId()) && batch.source() != null
                        && (batch.source().equals(name) || batch.source().endsWith("/" + name))) {
                    opened.complete(batch.batchId());
                }
            }
        };
        ledger.addListener(listener);
        try {
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                Files.createFile(marker);
            } catch (IOException e) {
                deleteQuietly(part);
                throw new IllegalStateException("could not place the replay of batch " + batchId + " in the inbox of partner "
                        + entry.partner() + " (" + e.getClass().getSimpleName() + ")");
            }
            String newBatch;
            try {
                newBatch = opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                newBatch = withdraw(batchId, entry, target, marker, opened);
                if (newBatch == null) {
                    throw ApiException.conflict("the replay of batch " + batchId + " was withdrawn from the inbox of partner "
                            + entry.partner() + ": no batch opened within " + timeout.toSeconds() + " s (is route "
                            + entry.routeId() + " running?); nothing was replayed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the replay of batch " + batchId);
            } catch (ExecutionException e) {
                throw new IllegalStateException("the replay of batch " + batchId + " failed to open");
            }
            jdbc.update("UPDATE caravan.batch SET replay_of = ? WHERE batch_id = ?", batchId, newBatch);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("replay_of", batchId);
            detail.put("archive_id", entry.archiveId().toString());
            detail.put("partner", entry.partner());
            detail.put("route_id", entry.routeId());
            audit.record(actor, "batch_replay", newBatch, detail);
            return new Result(newBatch, batchId, entry.archiveId());
        } finally {
            ledger.removeListener(listener);
        }
    }

    /**
     * Withdraws a replay whose batch did not open in time: the marker first (the route takes no file
     * without it), then the file. Answers null when withdrawn, or the batch id when the route took
     * the file meanwhile (its marker was gone) and its batch opened after all.
     */
    private String withdraw(String batchId, Archive.Entry entry, Path target, Path marker,
                            CompletableFuture<String> opened) {
        boolean withdrawn;
        try {
            withdrawn = Files.deleteIfExists(marker);
            if (withdrawn) {
                Files.deleteIfExists(target);
            }
        } catch (IOException e) {
            withdrawn = false;
        }
        if (withdrawn && !opened.isDone()) {
            return null;
        }
        try {
            return opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw ApiException.conflict("the replay of batch " + batchId + " was taken by route " + entry.routeId()
                    + " of partner " + entry.partner() + " but its batch did not open in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the replay of batch " + batchId);
        }
    }

    /** Decrypts the whole kept file to {@code part} ({@link Archive#restore}); nothing is left behind when it does not authenticate. */
    private void decrypt(String batchId, Archive.Entry entry, Path part) {
        try {
            archive.restore(batchId, entry, part);
        } catch (ArchiveException e) {
            throw ApiException.conflict(e.getMessage() + "; nothing was replayed");
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a hidden part file the file route ignores
        }
    }
}
