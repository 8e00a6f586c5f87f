package io.caravan.lineage;

import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent;
import io.openlineage.client.OpenLineageClientUtils;
import io.openlineage.client.transports.Transport;
import java.sql.Timestamp;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded default's sink: every run event as it would be sent over HTTP, in
 * {@code caravan.lineage_event} (one row per event, the event as {@code jsonb}), for the console's
 * lineage page and for a backend connected later. Thread-safe (one statement per event).
 */
final class DatabaseTransport extends Transport {
    private final JdbcTemplate jdbc;

    DatabaseTransport(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public void emit(RunEvent event) {
        jdbc.update("""
                INSERT INTO caravan.lineage_event (run_id, event_type, event_time, job_namespace, job_name, payload)
                VALUES (?::uuid, ?, ?, ?, ?, ?::jsonb)""",
                event.getRun().getRunId().toString(), event.getEventType().name(),
                Timestamp.from(event.getEventTime().toInstant()), event.getJob().getNamespace(), event.getJob().getName(),
                OpenLineageClientUtils.toJson(event));
    }

    @Override
    public void emit(OpenLineage.DatasetEvent event) {
        // Caravan sends run events only
    }

    @Override
    public void emit(OpenLineage.JobEvent event) {
        // Caravan sends run events only
    }
}
