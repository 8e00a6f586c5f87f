package io.caravan.lineage;

import io.caravan.connector.WarehouseTable;
import io.caravan.consent.Purpose;
import io.caravan.pseudonymise.Policy;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the run events of Caravan's other jobs: an export run (job {@code export/<agreement>}, the
 * warehouse table or view it read, the file it wrote), and the privacy jobs (job
 * {@code privacy/rekey}, {@code privacy/erasure}, {@code privacy/retention}, {@code privacy/replay})
 * with the warehouse tables they changed and how many rows. Each run is a START and its end (COMPLETE
 * or FAIL), with the {@code caravan_privacy} facet where a purpose, policy or key domain applies.
 * Names, ids and counts only. Pure and thread-safe.
 */
final class OperationEvents {
    private final OpenLineage ol;
    private final URI producer;
    private final URI privacySchema;
    private final URI operationSchema;
    private final String warehouseNamespace;
    private final String gatewayNamespace;

    OperationEvents(URI producer, URI privacySchema, URI operationSchema, String warehouseNamespace, String gatewayNamespace) {
        this.ol = new OpenLineage(producer);
        this.producer = producer;
        this.privacySchema = privacySchema;
        this.operationSchema = operationSchema;
        this.warehouseNamespace = warehouseNamespace;
        this.gatewayNamespace = gatewayNamespace;
    }

    /** One export run as {@code caravan.export} records it. */
    record Export(String exportId, String partner, String agreement, String dataset, String purposeId, Purpose purpose,
                  Policy policy, String keyId, String transport, String fileName, long rows, long consentFiltered,
                  Instant startedAt, Instant finishedAt, String status, String error) {
    }

    List<RunEvent> export(Export export) {
        UUID runId = runId("export", export.exportId());
        OpenLineage.Job job = job("export/" + export.agreement(), "EXPORT",
                "export of agreement " + export.agreement() + " to partner " + export.partner());
        Map<String, Object> privacy = new LinkedHashMap<>();
        privacy.put("operation", "export");
        privacy.put("purpose", export.purposeId());
        if (export.purpose() != null) {
            privacy.put("legalBasis", export.purpose().basis().name().toLowerCase(Locale.ROOT));
        }
        privacy.put("policy", export.policy() == null ? null : export.policy().id());
        privacy.put("keyDomain", export.policy() == null ? null : export.policy().keyDomain());
        privacy.put("keyId", export.keyId());
        Map<String, String> fields = new LinkedHashMap<>();
        if (export.policy() != null) {
            Map<String, ?> actions = export.policy().actions();
            actions.forEach((field, action) -> fields.put(field, action.toString().toLowerCase(Locale.ROOT)));
        }
        privacy.put("fields", fields);
        OpenLineage.InputDataset input = ol.newInputDatasetBuilder().namespace(warehouseNamespace)
                .name("caravan." + export.dataset()).build();
        String namespace = "outbox".equals(export.transport()) ? gatewayNamespace : export.transport() + "://" + export.partner();
        String name = export.partner() + ("outbox".equals(export.transport()) ? "/outbox/" : "/") + export.fileName();
        OpenLineage.OutputDatasetBuilder output = ol.newOutputDatasetBuilder().namespace(namespace).name(name);
        boolean completed = "completed".equals(export.status());
        if (completed) {
            output.outputFacets(ol.newOutputDatasetOutputFacetsBuilder().outputStatistics(
                    ol.newOutputStatisticsOutputDatasetFacetBuilder().rowCount(export.rows()).fileCount(1L)
                            .put("rowsConsentFiltered", export.consentFiltered()).build()).build());
        }
        List<OpenLineage.OutputDataset> outputs = export.fileName() == null ? List.of() : List.of(output.build());
        Map<String, Object> batch = Map.of("exportId", export.exportId(), "partner", export.partner());
        return List.of(
                event(RunEvent.EventType.START, export.startedAt(), runId, job, List.of(input), outputs, privacy, batch, null),
                event(completed ? RunEvent.EventType.COMPLETE : RunEvent.EventType.FAIL,
                        export.finishedAt() == null ? export.startedAt() : export.finishedAt(), runId, job, List.of(input), outputs,
                        privacy, batch, completed ? null : export.error()));
    }

    /**
     * A privacy job from its audit entry: {@code tables} maps each warehouse table it changed to the
     * rows changed (deleted by an erasure or a purge, moved by a re-key).
     */
    List<RunEvent> privacyJob(String kind, String auditId, Instant at, Map<String, Long> tables, Map<String, Object> privacy,
                              Map<String, Object> operation, String description) {
        UUID runId = runId("audit", auditId);
        OpenLineage.Job job = job("privacy/" + kind, kind.toUpperCase(Locale.ROOT), description);
        List<OpenLineage.InputDataset> inputs = new ArrayList<>();
        List<OpenLineage.OutputDataset> outputs = new ArrayList<>();
        tables.forEach((table, rows) -> {
            inputs.add(ol.newInputDatasetBuilder().namespace(warehouseNamespace).name("caravan." + table).build());
            OpenLineage.DatasetFacetsBuilder facets = ol.newDatasetFacetsBuilder();
            WarehouseTable.byName(table).ifPresent(t -> facets.schema(TableSchemas.of(ol, t)));
            outputs.add(ol.newOutputDatasetBuilder().namespace(warehouseNamespace).name("caravan." + table)
                    .facets(facets.build())
                    .outputFacets(ol.newOutputDatasetOutputFacetsBuilder().outputStatistics(
                            ol.newOutputStatisticsOutputDatasetFacetBuilder().rowCount(rows)
                                    .put(kind.equals("rekey") ? "rowsMoved" : "rowsDeleted", rows).build()).build())
                    .build());
        });
        Map<String, Object> facet = new LinkedHashMap<>(privacy);
        facet.put("operation", kind);
        facet.putIfAbsent("fields", Map.of());
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("auditId", auditId);
        batch.putAll(operation);
        return List.of(event(RunEvent.EventType.START, at, runId, job, inputs, outputs, facet, batch, null),
                event(RunEvent.EventType.COMPLETE, at, runId, job, inputs, outputs, facet, batch, null));
    }

    private RunEvent event(RunEvent.EventType type, Instant at, UUID runId, OpenLineage.Job job,
                           List<OpenLineage.InputDataset> inputs, List<OpenLineage.OutputDataset> outputs,
                           Map<String, Object> privacy, Map<String, Object> run, String error) {
        OpenLineage.RunFacetsBuilder facets = ol.newRunFacetsBuilder()
                .processing_engine(ol.newProcessingEngineRunFacet(Versions.CARAVAN, "Caravan", Versions.OPENLINEAGE));
        facets.put("caravan_privacy", new CaravanRunFacet(producer, privacySchema, privacy));
        facets.put("caravan_operation", new CaravanRunFacet(producer, operationSchema, run));
        if (error != null) {
            facets.errorMessage(ol.newErrorMessageRunFacet(error, "java", null));
        }
        return ol.newRunEventBuilder().eventType(type).eventTime(at.atZone(ZoneOffset.UTC))
                .run(ol.newRun(runId, facets.build())).job(job).inputs(inputs).outputs(outputs).build();
    }

    private OpenLineage.Job job(String name, String jobType, String description) {
        return ol.newJob(BatchEvents.JOB_NAMESPACE, name, ol.newJobFacetsBuilder()
                .jobType(ol.newJobTypeJobFacet("BATCH", "CARAVAN", jobType, null))
                .documentation(ol.newDocumentationJobFacetBuilder().description(description).build())
                .build());
    }

    static UUID runId(String kind, String id) {
        return UUID.nameUUIDFromBytes(("caravan:" + kind + ":" + id).getBytes(StandardCharsets.UTF_8));
    }
}
