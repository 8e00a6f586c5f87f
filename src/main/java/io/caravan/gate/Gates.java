package io.caravan.gate;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.GateSpec;
import io.caravan.harmonise.BatchGate;
import io.caravan.harmonise.FileProfile;
import io.caravan.harmonise.PrePass;
import io.caravan.ledger.Ledger;
import io.caravan.ledger.QuarantineReason;
import io.caravan.pipeline.BatchContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The drift and quality gates of every file batch ({@link BatchGate}): a file an operator released
 * runs ungated (its release is claimed in the ledger); any other file of a connector whose gates are
 * on is read whole once by the {@link PrePass}, judged by the {@link GateEvaluator} against the
 * connector's history, and quarantined in the ledger when it fails a gate, with
 * {@link BatchQuarantined} published. The columns of every judged file are kept
 * ({@code caravan.batch_columns}): those of the latest completed batch are the next file's baseline.
 *
 * <p>Thread-safe. Logs batch and route ids and gate names, never a value.
 */
final class Gates implements BatchGate {
    private static final Logger LOG = LoggerFactory.getLogger(Gates.class);

    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Supplier<MeterRegistry> meters;

    /** @param meters the registry that counts quarantines ({@code caravan.quarantines{route,gate}}); may give null */
    Gates(Ledger ledger, DataSource dataSource, ApplicationEventPublisher events, Clock clock, Supplier<MeterRegistry> meters) {
        this.ledger = ledger;
        this.jdbc = new JdbcTemplate(dataSource);
        this.events = events;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public Verdict check(BatchContext batch, ConnectorDescriptor connector, PrePass prePass) {
        Optional<String> released = ledger.claimRelease(batch);
        if (released.isPresent()) {
            jdbc.update("INSERT INTO caravan.batch_columns (batch_id, connector_id, columns) SELECT ?, connector_id, columns "
                    + "FROM caravan.batch_columns WHERE batch_id = ? ON CONFLICT DO NOTHING", batch.batchId(), released.get());
            LOG.info("Batch {} of route {} runs ungated: it is the release of quarantined batch {}", batch.batchId(),
                    batch.routeId(), released.get());
            return Verdict.PASS;
        }
        GateSpec spec = connector.gates();
        if (!spec.enabled()) {
            return Verdict.PASS;
        }
        LocalDate today = LocalDate.now(clock.withZone(connector.format().zone()));
        LocalDate earliest = today.minusDays(spec.dates().maxAgeDays());
        LocalDate latest = today.plusDays(spec.dates().futureDays());
        FileProfile profile = prePass.run(GateEvaluator.dateFields(connector), earliest, latest);
        GateEvaluator.History history = new GateEvaluator.History(previousColumns(connector), recentRows(connector, batch));
        List<QuarantineReason> reasons = GateEvaluator.evaluate(connector, profile, history,
                "the window " + earliest + " to " + latest);
        if (GateEvaluator.hasHeader(connector) && !profile.columns().isEmpty()) {
            jdbc.update("INSERT INTO caravan.batch_columns (batch_id, connector_id, columns) VALUES (?, ?, ?) "
                    + "ON CONFLICT DO NOTHING", ps -> {
                ps.setString(1, batch.batchId());
                ps.setString(2, connector.id());
                ps.setArray(3, ps.getConnection().createArrayOf("text", profile.columns().toArray()));
            });
        }
        if (reasons.isEmpty()) {
            return Verdict.PASS;
        }
        prePass.unmappedColumns().forEach(batch::unmappedColumn); // the quarantined batch names them like any other
        if (ledger.quarantine(batch, profile.rows(), reasons).isEmpty()) {
            return Verdict.PASS; // not running any more (failed meanwhile): let the run report what it finds
        }
        LOG.warn("Batch {} of route {} quarantined by the gates ({}); nothing was delivered", batch.batchId(),
                batch.routeId(), reasons.stream().map(QuarantineReason::gate).distinct().collect(Collectors.joining(", ")));
        events.publishEvent(new BatchQuarantined(batch.batchId(), batch.routeId(), batch.partnerId(), reasons));
        MeterRegistry registry = meters.get();
        if (registry != null) {
            reasons.stream().map(QuarantineReason::gate).distinct().forEach(gate -> Counter.builder("caravan.quarantines")
                    .description("Files quarantined by the drift and quality gates, by the gates they failed")
                    .tag("route", String.valueOf(batch.routeId())).tag("gate", gate).register(registry).increment());
        }
        return Verdict.QUARANTINED;
    }

    /** The columns of the connector's latest completed batch that was judged, or null when there is none. */
    private List<String> previousColumns(ConnectorDescriptor connector) {
        return jdbc.query("SELECT c.columns FROM caravan.batch_columns c JOIN caravan.batch b USING (batch_id) "
                + "WHERE c.connector_id = ? AND b.status = 'completed' ORDER BY b.started_at DESC, b.batch_id DESC LIMIT 1",
                (rs, n) -> {
                    java.sql.Array array = rs.getArray(1);
                    try {
                        return List.of((String[]) array.getArray());
                    } finally {
                        array.free();
                    }
                }, connector.id()).stream().findFirst().orElse(null);
    }

    /** Row counts of the connector's latest completed batches, newest first. */
    private List<Long> recentRows(ConnectorDescriptor connector, BatchContext batch) {
        return jdbc.queryForList("SELECT rows_in FROM caravan.batch WHERE connector_id = ? AND status = 'completed' "
                + "AND batch_id <> ? ORDER BY started_at DESC, batch_id DESC LIMIT ?", Long.class, connector.id(),
                batch.batchId(), connector.gates().volume().history());
    }
}
