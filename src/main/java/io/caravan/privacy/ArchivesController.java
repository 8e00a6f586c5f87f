package io.caravan.privacy;

import io.caravan.api.ApiException;
import io.caravan.pseudonymise.ArchiveRetention;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/archives?limit=100} (viewer): the kept partner files, newest first, each with its
 * batch, partner, route and outcome, when it was archived and either when retention will shred it
 * ({@code shredAt}) or when and by what it was shredded ({@code shreddedAt}, {@code shreddedBy}:
 * {@code retention} or the erasure id). Names, ids and times only: never a path, content or key.
 */
@RestController
class ArchivesController {
    private static final int MAX_LIMIT = 1000;

    private final JdbcTemplate jdbc;
    private final ArchiveRetention retention;

    ArchivesController(DataSource dataSource, ArchiveRetention retention) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.retention = retention;
    }

    /** One kept file. {@code shredAt} is set while it is readable, {@code shreddedAt} once it is not. */
    record KeptFile(UUID archiveId, String batchId, String partner, String routeId, String outcome, Instant archivedAt,
                    Instant shredAt, Instant shreddedAt, String shreddedBy) {
    }

    @GetMapping("/api/archives")
    List<KeptFile> archives(@RequestParam(name = "limit", defaultValue = "100") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT, "limit");
        }
        return jdbc.query("""
                SELECT archive_id, batch_id, partner, route_id, outcome, created_at, shredded_at, shredded_by
                FROM caravan.archive ORDER BY created_at DESC, archive_id LIMIT ?""", (rs, n) -> {
            Instant archived = rs.getTimestamp("created_at").toInstant();
            Timestamp shredded = rs.getTimestamp("shredded_at");
            String partner = rs.getString("partner");
            return new KeptFile(rs.getObject("archive_id", UUID.class), rs.getString("batch_id"), partner,
                    rs.getString("route_id"), rs.getString("outcome"), archived,
                    shredded == null ? archived.plus(retention.of(partner)) : null,
                    shredded == null ? null : shredded.toInstant(), rs.getString("shredded_by"));
        }, limit);
    }
}
