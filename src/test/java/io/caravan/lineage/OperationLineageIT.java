package io.caravan.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.PolicyRegistry;
import io.caravan.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent;
import io.openlineage.client.transports.Transport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.ObjectMapper;

/** Exports and audited privacy jobs become run events once per cluster, from what they committed; kept events expire. */
class OperationLineageIT {
    private static final PolicyRegistry POLICIES = PolicyRegistry.load(Path.of("config/policies.yaml"));
    private static final PurposeRegistry PURPOSES = PurposeRegistry.load(Path.of("config/purposes.yaml"));

    private DataSource dataSource;
    private JdbcTemplate jdbc;
    private final List<RunEvent> sent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.fresh("operation_lineage_it");
        jdbc = new JdbcTemplate(dataSource);
    }

    private OperationLineage node() {
        Transport recording = new Transport() {
            @Override
            public void emit(RunEvent event) {
                sent.add(event);
            }

            @Override
            public void emit(OpenLineage.DatasetEvent event) {
            }

            @Override
            public void emit(OpenLineage.JobEvent event) {
            }
        };
        LineageEmitter emitter = new LineageEmitter(List.of(new AsyncTransport("test", recording, 100, new SimpleMeterRegistry())));
        OperationEvents events = new OperationEvents(URI.create("https://example.org/caravan"),
                URI.create("https://example.org/p.json"), URI.create("https://example.org/o.json"), "postgres://db:5432",
                "sftp://caravan-gateway");
        return new OperationLineage(dataSource, new ObjectMapper(), events, emitter, POLICIES, PURPOSES,
                Duration.ofHours(1), Duration.ofDays(90));
    }

    @Test
    void twoNodesEmitEachFinishedExportAndPrivacyJobOnceAndSkipRunningExports() {
        jdbc.update("""
                INSERT INTO caravan.export (export_id, partner_id, agreement_id, dataset, purpose, policy_id, key_id, transport,
                  file_name, format, rows_exported, rows_consent_filtered, started_at, finished_at, status)
                VALUES ('x-1', 'fahrbank-leasing', 'fahrbank-financed-sales', 'sale', 'partner_sharing', 'partner-fahrbank-leasing',
                  'k-9', 'outbox', 'fahrbank-financed-sales-x-1.csv', 'csv', 12, 3, now() - interval '1 minute', now(), 'completed')""");
        jdbc.update("""
                INSERT INTO caravan.export (export_id, partner_id, agreement_id, dataset, started_at, status)
                VALUES ('x-2', 'fahrbank-leasing', 'fahrbank-financed-sales', 'sale', now(), 'running')""");
        jdbc.update("INSERT INTO caravan.audit_event (actor, action, subject, detail) VALUES ('api:otto', 'erasure', 'e-1', "
                + "'{\"identifier\":\"email\",\"rowsDeleted\":{\"sale\":2,\"lead\":0},\"consentEventsDeleted\":1}'::jsonb)");
        jdbc.update("INSERT INTO caravan.audit_event (actor, action, subject, detail) VALUES ('api:otto', 'consent', 'c-1', '{}'::jsonb)");

        try (OperationLineage first = node(); OperationLineage second = node()) {
            first.poll();
            second.poll();
            first.poll();
            await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() >= 4);
        }
        assertThat(sent.stream().map(e -> e.getEventType() + " " + e.getJob().getName()).toList())
                .containsExactly("START export/fahrbank-financed-sales", "COMPLETE export/fahrbank-financed-sales",
                        "START privacy/erasure", "COMPLETE privacy/erasure");
        RunEvent export = sent.get(1);
        assertThat(export.getInputs().get(0).getName()).isEqualTo("caravan.sale");
        assertThat(export.getOutputs().get(0).getName()).isEqualTo("fahrbank-leasing/outbox/fahrbank-financed-sales-x-1.csv");
        assertThat(export.getOutputs().get(0).getOutputFacets().getOutputStatistics().getRowCount()).isEqualTo(12L);
        RunEvent erasure = sent.get(3);
        assertThat(erasure.getOutputs().stream().map(o -> o.getName() + "=" + o.getOutputFacets().getOutputStatistics().getRowCount()))
                .containsExactlyInAnyOrder("caravan.sale=2", "caravan.lead=0", "caravan.consent_event=1");
    }

    @Test
    void keptEventsOlderThanTheirRetentionAreDeleted() {
        for (String storedAt : List.of("now() - interval '91 days'", "now() - interval '1 day'")) {
            jdbc.update("INSERT INTO caravan.lineage_event (run_id, event_type, event_time, job_namespace, job_name, payload, stored_at) "
                    + "VALUES (gen_random_uuid(), 'COMPLETE', now(), 'caravan', 'j', '{}'::jsonb, " + storedAt + ")");
        }
        try (OperationLineage node = node()) {
            node.purgeOldEvents();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.lineage_event", Long.class)).isEqualTo(1L);
    }
}
