package io.caravan.notify;

import io.caravan.audit.AuditTrail;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The {@link Notifier}: queues each notification per subscribed channel in
 * {@code caravan.notification} and sends the due ones on a background thread (at once, and every
 * {@code poll} for retries). A failed attempt is retried after {@code initialBackoff}, doubling up
 * to {@code maxBackoff}, until {@code maxAttempts}; then the notification is {@code failed}. Every
 * attempt is logged in {@code caravan.notification_attempt}; {@code GET /api/notifications} shows
 * them. Erasure notifications (GDPR Art. 19) leave a receipt in the audit when queued, sent or
 * given up ({@code erasure_notification}), and {@code erasure_notification_unrouted} when no channel
 * of the partner subscribes. Logs ids, channels and error types only. Thread-safe: sending is
 * serialised.
 */
public final class NotificationDispatcher implements Notifier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationDispatcher.class);
    private static final int BATCH = 50;
    private static final TypeReference<Map<String, Object>> FACTS = new TypeReference<>() {
    };

    /** How often and how patiently to retry. */
    public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        public Retry {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("back-off must be positive and maxBackoff at least initialBackoff");
            }
        }

        Duration after(int attempt) {
            Duration wait = initialBackoff;
            for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
    }

    private final NotificationRules rules;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;
    private final Retry retry;
    private final Map<String, ChannelSender> senders;
    private final AuditTrail audit;
    private final ScheduledExecutorService worker;

    NotificationDispatcher(NotificationRules rules, DataSource dataSource, ObjectMapper json, Clock clock, Retry retry,
                           Map<String, ChannelSender> senders, AuditTrail audit, Duration poll) {
        this.rules = rules;
        this.jdbc = new JdbcTemplate(dataSource);
        this.json = json;
        this.clock = clock;
        this.retry = retry;
        this.senders = Map.copyOf(senders);
        this.audit = audit;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-notifications");
            t.setDaemon(true);
            return t;
        });
        if (!poll.isZero()) {
            worker.scheduleWithFixedDelay(this::dispatchQuietly, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public List<String> send(NotificationKind kind, String partnerId, Map<String, ?> facts, String dedupeKey) {
        Map<String, Object> checked = Facts.checked(facts);
        String factsJson = json.writeValueAsString(checked);
        Instant now = clock.instant();
        List<String> ids = new ArrayList<>();
        List<NotificationRules.Channel> channels = rules.channelsFor(kind, partnerId);
        for (NotificationRules.Channel channel : channels) {
            String id = "n-" + UUID.randomUUID();
            int inserted = jdbc.update("""
                    INSERT INTO caravan.notification (notification_id, kind, partner_id, channel, channel_type, dedupe_key, facts,
                                                      status, attempts, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, 'pending', 0, ?, ?)
                    ON CONFLICT DO NOTHING""",
                    id, kind.label(), partnerId, channel.id(), channel.type(), dedupeKey, factsJson, Timestamp.from(now), Timestamp.from(now));
            if (inserted == 1) {
                ids.add(id);
                if (kind == NotificationKind.ERASURE) {
                    receipt("erasure_notification", id, partnerId, channel, "queued", 0, checked);
                }
            }
        }
        if (channels.isEmpty()) {
            if (kind == NotificationKind.ERASURE) {
                LOG.warn("erasure notification to partner {}: no channel of notifications.yaml subscribes", partnerId);
                audit.record("caravan", "erasure_notification_unrouted", String.valueOf(checked.get("erasureId")),
                        Map.of("partner", String.valueOf(partnerId), "reason", "no channel of notifications.yaml subscribes to erasure for this partner"));
            }
        }
        if (!ids.isEmpty()) {
            kick();
        }
        return ids;
    }

    /** Sends what is due now on the background thread. */
    public void kick() {
        try {
            worker.execute(this::dispatchQuietly);
        } catch (RejectedExecutionException e) {
            // closing: the next start sends what is pending
        }
    }

    private void dispatchQuietly() {
        try {
            dispatchDue();
        } catch (RuntimeException e) {
            LOG.warn("sending notifications failed ({}); they stay pending", e.getClass().getSimpleName());
        }
    }

    /** Makes one attempt for every pending notification due by the clock's now; answers how many were attempted. */
    public synchronized int dispatchDue() {
        Instant now = clock.instant();
        List<Notification> due = jdbc.query("""
                SELECT * FROM caravan.notification WHERE status = 'pending' AND next_attempt_at <= ?
                 ORDER BY next_attempt_at, created_at LIMIT ?""", this::row, Timestamp.from(now), BATCH);
        for (Notification n : due) {
            attempt(n, now);
        }
        return due.size();
    }

    private void attempt(Notification n, Instant now) {
        int attempt = n.attempts() + 1;
        NotificationRules.Channel channel = rules.channel(n.channel());
        String error = null;
        if (channel == null) {
            error = "channel no longer configured";
        } else {
            try {
                senders.get(channel.type()).send(channel, n, attempt);
            } catch (ChannelSender.Failure e) {
                error = e.getMessage();
            }
        }
        Instant done = clock.instant();
        if (error == null) {
            jdbc.update("UPDATE caravan.notification SET status = 'sent', attempts = ?, sent_at = ?, next_attempt_at = NULL, last_error = NULL WHERE notification_id = ?",
                    attempt, Timestamp.from(done), n.notificationId());
            logAttempt(n, attempt, done, "sent", null);
            LOG.info("notification {} ({}, partner {}) sent to {} at attempt {}", n.notificationId(), n.kind().label(),
                    n.partnerId(), n.channel(), attempt);
        } else {
            boolean last = attempt >= retry.maxAttempts() || channel == null;
            Instant next = last ? null : now.plus(retry.after(attempt));
            jdbc.update("UPDATE caravan.notification SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE notification_id = ?",
                    last ? "failed" : "pending", attempt, next == null ? null : Timestamp.from(next), error, n.notificationId());
            logAttempt(n, attempt, done, "failed", error);
            LOG.warn("notification {} ({}, partner {}) to {}: attempt {} of {} failed ({}){}", n.notificationId(), n.kind().label(),
                    n.partnerId(), n.channel(), attempt, retry.maxAttempts(), error, last ? "; given up" : "; next at " + next);
        }
        if (n.kind() == NotificationKind.ERASURE && (error == null || attempt >= retry.maxAttempts())) {
            receipt("erasure_notification", n.notificationId(), n.partnerId(), channel, error == null ? "sent" : "failed", attempt, n.facts());
        }
    }

    private void receipt(String action, String id, String partnerId, NotificationRules.Channel channel, String status, int attempts,
                         Map<String, Object> facts) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("notificationId", id);
        detail.put("partner", partnerId);
        detail.put("channel", channel == null ? null : channel.id());
        detail.put("channelType", channel == null ? null : channel.type());
        detail.put("status", status);
        detail.put("attempts", attempts);
        audit.record("caravan", action, String.valueOf(facts.get("erasureId")), detail);
    }

    private void logAttempt(Notification n, int attempt, Instant at, String outcome, String detail) {
        jdbc.update("INSERT INTO caravan.notification_attempt (notification_id, attempt, attempted_at, outcome, detail) VALUES (?, ?, ?, ?, ?)",
                n.notificationId(), attempt, Timestamp.from(at), outcome, detail);
    }

    /** Newest first, at most {@code limit}; a null filter matches everything. */
    public List<Notification> recent(String partnerId, String kind, String status, int limit) {
        return jdbc.query("""
                SELECT * FROM caravan.notification
                 WHERE (?::text IS NULL OR partner_id = ?) AND (?::text IS NULL OR kind = ?) AND (?::text IS NULL OR status = ?)
                 ORDER BY created_at DESC, notification_id LIMIT ?""", this::row,
                partnerId, partnerId, kind, kind, status, status, limit);
    }

    /** The attempts of one notification in order: attempt, attemptedAt, outcome, detail. */
    public List<Map<String, Object>> attempts(String notificationId) {
        return jdbc.query("SELECT attempt, attempted_at, outcome, detail FROM caravan.notification_attempt WHERE notification_id = ? ORDER BY attempt",
                (rs, i) -> {
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("attempt", rs.getInt(1));
                    a.put("attemptedAt", rs.getTimestamp(2).toInstant());
                    a.put("outcome", rs.getString(3));
                    a.put("detail", rs.getString(4));
                    return a;
                }, notificationId);
    }

    private Notification row(ResultSet rs, int n) throws SQLException {
        Timestamp next = rs.getTimestamp("next_attempt_at");
        Timestamp sent = rs.getTimestamp("sent_at");
        return new Notification(rs.getString("notification_id"), NotificationKind.of(rs.getString("kind")).orElseThrow(),
                rs.getString("partner_id"), rs.getString("channel"), rs.getString("channel_type"),
                json.readValue(rs.getString("facts"), FACTS), rs.getString("status"), rs.getInt("attempts"),
                next == null ? null : next.toInstant(), rs.getString("last_error"), rs.getTimestamp("created_at").toInstant(),
                sent == null ? null : sent.toInstant());
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
