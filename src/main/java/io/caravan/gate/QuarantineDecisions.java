package io.caravan.gate;

import io.caravan.api.ApiException;
import io.caravan.audit.AuditTrail;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.Quarantine;
import io.caravan.ledger.QuarantineReason;
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
import java.util.Optional;
import java.util.UUID;

/**
 * What an operator decides about a quarantined batch.
 *
 * <p><b>Release</b>: the kept file (encrypted in the archive) is decrypted whole under a hidden name
 * in its route's inbox (a truncated or altered file fails to authenticate there and nothing is
 * released), the quarantine becomes {@code releasing}, and the file is moved to its original name
 * with its {@code .ready} marker. The route ingests it as a normal batch: the harmonise step claims
 * the release (the quarantined batch becomes {@code released}, naming the new batch), skips the
 * gates, and the new batch runs through consent, pseudonymisation and the warehouse with its own
 * exact ledger row and acknowledgement. <b>Reject</b>: the batch becomes {@code rejected} with the
 * operator's reason; the partner's acknowledgement is rewritten to say so. Both are audited
 * ({@code batch_release}, {@code batch_reject}). Decisions are serialised. Messages name batches,
 * archives, routes and partners, never content.
 */
public final class QuarantineDecisions {
    /** Longest reason an operator may give for a rejection (it reaches the partner's acknowledgement). */
    public static final int MAX_REASON = 500;

    private final Ledger ledger;
    private final Archive archive;
    private final AuditTrail audit;
    private final Duration timeout;

    QuarantineDecisions(Ledger ledger, Archive archive, AuditTrail audit, Duration timeout) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.archive = Objects.requireNonNull(archive, "archive");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The answer to a release: the quarantined batch, the state of its quarantine and the batch its
     * file runs as (null when the route has not opened it within the timeout; it will).
     */
    public record Released(String batchId, String state, String releasedAs) {
    }

    public synchronized Released release(String batchId, String actor) {
        BatchSummary batch = ledger.find(batchId).orElseThrow(() -> ApiException.notFound("batch " + batchId + " not found"));
        Quarantine quarantine = quarantineOf(batch);
        if (!Quarantine.HELD.equals(quarantine.state()) && !Quarantine.RELEASING.equals(quarantine.state())) {
            throw ApiException.conflict("batch " + batchId + " is " + quarantine.state() + ", not held in quarantine");
        }
        List<Archive.Entry> entries = archive.entries(batchId);
        if (entries.isEmpty()) {
            throw ApiException.conflict("the kept file of batch " + batchId
                    + " is gone (crypto-shredded, or its partner keeps no files); it cannot be released");
        }
        Archive.Entry entry = entries.get(0);
        String name = Archive.originalName(entry, batchId, batch.source());
        if (name == null || entry.routeId() == null) {
            throw ApiException.conflict("the kept file of batch " + batchId + " (archive " + entry.archiveId()
                    + ") does not name its source file or route; it cannot be released");
        }
        Path inbox = entry.path().toAbsolutePath().getParent().getParent();
        Path target = inbox.resolve(name);
        Path marker = inbox.resolve(name + ".ready");
        if (Files.exists(target) || Files.exists(marker)) {
            throw ApiException.conflict("a file of the same name is waiting in the inbox of partner "
                    + entry.partner() + "; release batch " + batchId + " once it is picked up");
        }
        Path part = inbox.resolve(".release-" + UUID.randomUUID() + ".part");
        decrypt(batchId, entry, part);
        if (!ledger.startRelease(batchId, actor)) {
            deleteQuietly(part);
            throw ApiException.conflict("batch " + batchId + " is no longer held in quarantine");
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            Files.createFile(marker);
        } catch (IOException e) {
            deleteQuietly(part);
            deleteQuietly(target);
            ledger.abortRelease(batchId);
            throw new IllegalStateException("could not place the released file of batch " + batchId
                    + " in the inbox of partner " + entry.partner() + " (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("partner", entry.partner());
        detail.put("route_id", entry.routeId());
        detail.put("archive_id", entry.archiveId().toString());
        detail.put("gates", quarantine.reasons().stream().map(QuarantineReason::gate).distinct().toList());
        audit.record(actor, "batch_release", batchId, detail);
        long deadline = System.nanoTime() + timeout.toNanos();
        Quarantine now = quarantine;
        while (System.nanoTime() < deadline) {
            now = ledger.quarantineOf(batchId).orElse(now);
            if (now.releasedAs() != null) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Released(batchId, now.state(), now.releasedAs());
    }

    public synchronized BatchSummary reject(String batchId, String actor, String reason) {
        if (reason == null || reason.isBlank()) {
            throw ApiException.badRequest("a rejection needs a reason (it is sent to the partner)", "reason");
        }
        String text = reason.strip();
        if (text.length() > MAX_REASON || text.chars().anyMatch(c -> Character.isISOControl(c))) {
            throw ApiException.badRequest("reason must be one line of at most " + MAX_REASON + " characters", "reason");
        }
        BatchSummary batch = ledger.find(batchId).orElseThrow(() -> ApiException.notFound("batch " + batchId + " not found"));
        Quarantine quarantine = quarantineOf(batch);
        BatchSummary rejected = ledger.rejectQuarantined(batchId, actor, text).orElseThrow(() -> ApiException.conflict(
                "batch " + batchId + " is " + quarantine.state() + ", not held in quarantine"));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("partner", batch.partnerId());
        detail.put("route_id", batch.routeId());
        detail.put("rows", batch.rowsIn());
        detail.put("gates", quarantine.reasons().stream().map(QuarantineReason::gate).distinct().toList());
        audit.record(actor, "batch_reject", batchId, detail);
        return rejected;
    }

    private Quarantine quarantineOf(BatchSummary batch) {
        Optional<Quarantine> quarantine = ledger.quarantineOf(batch.batchId());
        return quarantine.orElseThrow(() -> ApiException.conflict("batch " + batch.batchId() + " is " + batch.status()
                + "; it was never quarantined"));
    }

    /** Decrypts the whole kept file to {@code part} ({@link Archive#restore}); nothing is left behind when it does not authenticate. */
    private void decrypt(String batchId, Archive.Entry entry, Path part) {
        try {
            archive.restore(batchId, entry, part);
        } catch (ArchiveException e) {
            throw ApiException.conflict(e.getMessage() + "; nothing was released");
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
