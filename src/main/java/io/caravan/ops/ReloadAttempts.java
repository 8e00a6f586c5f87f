package io.caravan.ops;

import io.caravan.audit.AuditTrail;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The record of every reload attempt, kept in {@code caravan.reload_attempt} (so it survives a restart
 * and is the same on every node) and audited as action {@code reload} with the actor (the admin who
 * asked, or {@code system:reload-watch}). One line per attempt is logged (INFO when applied, WARN
 * otherwise). Attempts name files, lines, JSON paths, route ids and reasons, never a value of data.
 * Thread-safe.
 */
final class ReloadAttempts {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadAttempts.class);
    /** The actor of a reload the file watcher started. */
    static final String WATCHER = "system:reload-watch";
    /** How many attempts {@code GET /api/reloads} lists. */
    static final int LISTED = 200;

    /**
     * One attempt.
     *
     * @param line    1-based line of the problem or route in the file, 0 where not known
     * @param path    JSON path of a descriptor or configuration problem ({@code $.fields.vin.type}), or null
     * @param version the version of the file running after the attempt (first 12 hex digits of the SHA-256
     *                of its content), or null when none of it runs
     */
    record Attempt(Instant at, String actor, String file, int line, String path, String route, String outcome,
                   String message, String version) {
    }

    private final JdbcTemplate jdbc;
    private final AuditTrail audit;
    /** Told of every attempt that failed (rejected, rolled back), after it is recorded. */
    private final List<java.util.function.Consumer<Attempt>> failureListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    ReloadAttempts(DataSource dataSource, AuditTrail audit) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.audit = audit;
    }

    Attempt record(String actor, String file, int line, String path, String route, String outcome, String message,
                   String version) {
        Attempt attempt = new Attempt(Instant.now(), actor, file, line, path, route, outcome, message, version);
        String where = file + (line > 0 ? ":" + line : "") + (path != null ? " " + path : "");
        if ("applied".equals(outcome)) {
            LOG.info("reload {}: {}", where, message);
        } else {
            LOG.warn("reload {} {}: {}", outcome, where, message);
        }
        jdbc.update("INSERT INTO caravan.reload_attempt (attempted_at, actor, file, line, path, route, outcome, message, version)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Timestamp.from(attempt.at()), actor, file,
                line > 0 ? line : null, path, route, outcome, message, version);
        Map<String, Object> detail = new LinkedHashMap<>(view(attempt));
        detail.remove("at");
        audit.record(actor, "reload", file, detail);
        if ("rejected".equals(outcome) || "rolled-back".equals(outcome)) {
            for (java.util.function.Consumer<Attempt> listener : failureListeners) {
                try {
                    listener.accept(attempt);
                } catch (RuntimeException e) {
                    LOG.warn("a reload failure listener failed ({})", e.getClass().getSimpleName());
                }
            }
        }
        return attempt;
    }

    /** Registers a listener told of every failed attempt (e.g. to notify operators); it must be quick and not throw. */
    void addFailureListener(java.util.function.Consumer<Attempt> listener) {
        failureListeners.add(listener);
    }

    /** The newest attempts first, at most {@value #LISTED}. */
    List<Attempt> recent() {
        return jdbc.query("SELECT * FROM caravan.reload_attempt ORDER BY attempt_id DESC LIMIT " + LISTED, (rs, n) ->
                new Attempt(rs.getTimestamp("attempted_at").toInstant(), rs.getString("actor"), rs.getString("file"),
                        rs.getInt("line"), rs.getString("path"), rs.getString("route"), rs.getString("outcome"),
                        rs.getString("message"), rs.getString("version")));
    }

    /** An attempt as JSON fields. */
    static Map<String, Object> view(Attempt a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", a.at().toString());
        m.put("actor", a.actor());
        m.put("file", a.file());
        if (a.line() > 0) {
            m.put("line", a.line());
        }
        if (a.path() != null) {
            m.put("path", a.path());
        }
        if (a.route() != null) {
            m.put("route", a.route());
        }
        m.put("outcome", a.outcome());
        m.put("message", a.message());
        m.put("version", a.version());
        return m;
    }

    /** The version of a file's content: the first 12 hex digits of its SHA-256. */
    static String version(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static String version(String content) {
        return version(content.getBytes(StandardCharsets.UTF_8));
    }
}
