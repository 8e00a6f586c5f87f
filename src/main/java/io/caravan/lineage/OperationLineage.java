package io.caravan.lineage;

import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.PolicyRegistry;
import io.openlineage.client.OpenLineage.RunEvent;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The lineage of Caravan's other jobs, read from what they commit: finished export runs
 * ({@code caravan.export}) and the audit entries of the privacy jobs ({@code key_rekey},
 * {@code erasure}, {@code retention_purge}, {@code batch_replay} in {@code caravan.audit_event}).
 * Every {@code pollInterval}, each record not yet in {@code caravan.lineage_emitted} is claimed
 * there (the first node's insert wins, so a cluster emits once) and its START and end events are
 * queued. Reading what was committed means a job that rolled back never has lineage, and none of
 * those jobs waits for lineage. Thread-safe; one daemon thread.
 */
final class OperationLineage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationLineage.class);
    private static final int PAGE = 200;

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final OperationEvents events;
    private final LineageEmitter emitter;
    private final PolicyRegistry policies;
    private final PurposeRegistry purposes;
    private final ScheduledExecutorService scheduler;
    private final Duration keepFor;
    private volatile Instant lastPurge = Instant.EPOCH;

    OperationLineage(DataSource dataSource, ObjectMapper json, OperationEvents events, LineageEmitter emitter,
                     PolicyRegistry policies, PurposeRegistry purposes, Duration pollInterval, Duration keepFor) {
        this.keepFor = keepFor;
        this.jdbc = new JdbcTemplate(dataSource);
        this.json = json;
        this.events = events;
        this.emitter = emitter;
        this.policies = policies;
        this.purposes = purposes;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lineage-operations");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(100, pollInterval.toMillis());
        scheduler.scheduleWithFixedDelay(this::pollQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void pollQuietly() {
        try {
            poll();
            purgeOldEvents();
        } catch (RuntimeException e) {
            LOG.warn("lineage: could not read finished exports and privacy jobs ({}); will try again", e.getClass().getSimpleName());
        }
    }

    /** Deletes kept events older than {@code keepFor}, at most once an hour. */
    void purgeOldEvents() {
        Instant now = Instant.now();
        if (Duration.between(lastPurge, now).compareTo(Duration.ofHours(1)) < 0) {
            return;
        }
        lastPurge = now;
        int deleted = jdbc.update("DELETE FROM caravan.lineage_event WHERE stored_at < ?", Timestamp.from(now.minus(keepFor)));
        if (deleted > 0) {
            LOG.info("lineage: deleted {} kept event(s) older than {}", deleted, keepFor);
        }
    }

    /** One pass: emits the events of every finished export and audited privacy job not emitted yet. */
    void poll() {
        for (Map<String, Object> row : jdbc.queryForList("""
                SELECT * FROM caravan.export e WHERE e.status IN ('completed', 'failed')
                  AND NOT EXISTS (SELECT 1 FROM caravan.lineage_emitted l WHERE l.source = 'export' AND l.source_id = e.export_id)
                ORDER BY e.finished_at LIMIT ?""", PAGE)) {
            String exportId = (String) row.get("export_id");
            if (claim("export", exportId)) {
                String purposeId = (String) row.get("purpose");
                String policyId = (String) row.get("policy_id");
                OperationEvents.Export export = new OperationEvents.Export(exportId, (String) row.get("partner_id"),
                        (String) row.get("agreement_id"), (String) row.get("dataset"), purposeId,
                        purposeId == null ? null : purposes.find(purposeId).orElse(null),
                        policyId == null ? null : policies.find(policyId).orElse(null), (String) row.get("key_id"),
                        (String) row.get("transport"), (String) row.get("file_name"), number(row.get("rows_exported")),
                        number(row.get("rows_consent_filtered")), instant(row.get("started_at")), instant(row.get("finished_at")),
                        (String) row.get("status"), (String) row.get("error"));
                events.export(export).forEach(emitter::emit);
            }
        }
        for (Map<String, Object> row : jdbc.queryForList("""
                SELECT audit_id, occurred_at, action, subject, detail::text AS detail FROM caravan.audit_event a
                WHERE a.action IN ('key_rekey', 'erasure', 'retention_purge', 'batch_replay')
                  AND NOT EXISTS (SELECT 1 FROM caravan.lineage_emitted l WHERE l.source = 'audit' AND l.source_id = a.audit_id::text)
                ORDER BY a.audit_id LIMIT ?""", PAGE)) {
            String auditId = String.valueOf(row.get("audit_id"));
            if (claim("audit", auditId)) {
                auditEvents(auditId, row).forEach(emitter::emit);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private List<RunEvent> auditEvents(String auditId, Map<String, Object> row) {
        Map<String, Object> detail = row.get("detail") == null ? Map.of() : json.readValue((String) row.get("detail"), Map.class);
        Instant at = instant(row.get("occurred_at"));
        String subject = (String) row.get("subject");
        Map<String, Object> privacy = new LinkedHashMap<>();
        Map<String, Object> operation = new LinkedHashMap<>();
        return switch ((String) row.get("action")) {
            case "key_rekey" -> {
                privacy.put("keyDomain", detail.get("domain"));
                privacy.put("keyId", subject);
                yield events.privacyJob("rekey", auditId, at, counts(detail.get("moved")), privacy, operation,
                        "re-key: tokens of key domain " + detail.get("domain") + " moved to the active key");
            }
            case "erasure" -> {
                Map<String, Long> tables = counts(detail.get("rowsDeleted"));
                if (detail.get("consentEventsDeleted") instanceof Number consents) {
                    tables.put("consent_event", consents.longValue());
                }
                yield events.privacyJob("erasure", auditId, at, tables, privacy, operation,
                        "erasure of a data subject (GDPR Art. 17)");
            }
            case "retention_purge" -> events.privacyJob("retention", auditId, at, counts(detail.get("rowsDeleted")), privacy,
                    operation, "retention purge of rows older than each table's maximum age");
            default -> {
                operation.put("batchId", subject);
                putIfText(operation, "replayOf", detail.get("replay_of"));
                putIfText(operation, "partner", detail.get("partner"));
                yield events.privacyJob("replay", auditId, at, Map.of(), privacy, operation,
                        "replay of a kept partner file through today's route " + detail.get("route_id"));
            }
        };
    }

    private static void putIfText(Map<String, Object> map, String key, Object value) {
        if (value instanceof String text) {
            map.put(key, text);
        }
    }

    private static Map<String, Long> counts(Object value) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (v instanceof Number n) {
                    out.put(String.valueOf(k), n.longValue());
                }
            });
        }
        return out;
    }

    private boolean claim(String source, String id) {
        return jdbc.update("INSERT INTO caravan.lineage_emitted (source, source_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                source, id) == 1;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        return Instant.now();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
