package io.caravan.lineage;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.FieldSpec;
import io.caravan.connector.FieldType;
import io.caravan.connector.WarehouseTable;
import io.caravan.consent.Purpose;
import io.caravan.ledger.BatchSummary;
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
 * Builds the OpenLineage run events of one ingest batch: job = the route ({@code caravan}, route id,
 * source-code location with the route file and its SHA-256), input = the partner source
 * ({@link SourceDatasets}) with its columns, output = the warehouse table ({@code caravan.<table>} in
 * namespace {@code postgres://host:port}) with its schema, the column lineage of the connector
 * descriptor under the route's policy, and (on COMPLETE) the ledger's counts; run facets
 * {@code caravan_privacy} (purpose, legal basis, data class, policy, key domain and key id, what each
 * field becomes) and {@code caravan_batch} (batch id, connector, partner).
 *
 * <p>Everything here is a name from configuration or a count: column names, field names, ids. No
 * value of a row, no file name and no key material can reach an event. Pure and thread-safe.
 */
final class BatchEvents {
    static final String JOB_NAMESPACE = "caravan";

    private final OpenLineage ol;
    private final URI producer;
    private final URI privacySchema;
    private final URI batchSchema;
    private final String warehouseNamespace;

    BatchEvents(URI producer, URI privacySchema, URI batchSchema, String warehouseNamespace) {
        this.ol = new OpenLineage(producer);
        this.producer = producer;
        this.privacySchema = privacySchema;
        this.batchSchema = batchSchema;
        this.warehouseNamespace = warehouseNamespace;
    }

    String warehouseNamespace() {
        return warehouseNamespace;
    }

    /** The run id of a batch: the same for its START and its end, derived from the batch id. */
    static UUID runId(String batchId) {
        return UUID.nameUUIDFromBytes(("caravan:batch:" + batchId).getBytes(StandardCharsets.UTF_8));
    }

    /** What a batch event is about; {@code summary} is null for START. */
    record Batch(String batchId, String connectorId, String partnerId, String dataClass, Instant startedAt,
                 RouteInfo route, SourceDatasets.DatasetName source, ConnectorDescriptor connector, Policy policy,
                 Purpose purpose, String keyId, BatchSummary summary, String outputTable) {
    }

    /** The consent history's columns (warehouse contract), for a consent feed's output schema. */
    private static final List<String> CONSENT_EVENT = List.of("event_id", "subject_token", "purpose", "status", "basis",
            "captured_at", "source", "key_id");

    RunEvent start(Batch batch) {
        return event(RunEvent.EventType.START, batch.startedAt(), batch, null);
    }

    /** COMPLETE for a completed batch, FAIL for a failed one, ABORT when {@code aborted}. */
    RunEvent end(Batch batch, boolean aborted) {
        BatchSummary summary = batch.summary();
        RunEvent.EventType type = aborted ? RunEvent.EventType.ABORT
                : BatchSummary.COMPLETED.equals(summary.status()) ? RunEvent.EventType.COMPLETE : RunEvent.EventType.FAIL;
        Instant at = summary.finishedAt() == null ? Instant.now() : summary.finishedAt();
        return event(type, at, batch, type == RunEvent.EventType.COMPLETE ? null : withoutSource(summary));
    }

    /** The ledger's reason names no value, but may name the source file: lineage never carries a file name. */
    private static String withoutSource(BatchSummary summary) {
        String error = summary.error() == null ? "failed" : summary.error();
        String source = summary.source();
        return source == null || source.isBlank() ? error : error.replace(source, "<source file>");
    }

    private RunEvent event(RunEvent.EventType type, Instant at, Batch batch, String error) {
        OpenLineage.RunFacetsBuilder runFacets = ol.newRunFacetsBuilder()
                .processing_engine(ol.newProcessingEngineRunFacet(Versions.CARAVAN, "Caravan", Versions.OPENLINEAGE));
        runFacets.put("caravan_privacy", privacyFacet(batch));
        Map<String, Object> batchFacet = new LinkedHashMap<>();
        batchFacet.put("batchId", batch.batchId());
        batchFacet.put("connector", batch.connectorId());
        batchFacet.put("partner", batch.partnerId());
        runFacets.put("caravan_batch", new CaravanRunFacet(producer, batchSchema, batchFacet));
        if (error != null) {
            runFacets.errorMessage(ol.newErrorMessageRunFacet(error, "java", null));
        }
        OpenLineage.Run run = ol.newRun(runId(batch.batchId()), runFacets.build());
        return ol.newRunEventBuilder()
                .eventType(type)
                .eventTime(at.atZone(ZoneOffset.UTC))
                .run(run)
                .job(job(batch.route(), "INGEST"))
                .inputs(List.of(input(batch)))
                .outputs(batch.outputTable() == null ? List.of() : List.of(output(batch, type == RunEvent.EventType.COMPLETE)))
                .build();
    }

    OpenLineage.Job job(RouteInfo route, String jobType) {
        OpenLineage.JobFacetsBuilder facets = ol.newJobFacetsBuilder()
                .jobType(ol.newJobTypeJobFacet("BATCH", "CARAVAN", jobType, null));
        if (route.file() != null) {
            facets.sourceCodeLocation(ol.newSourceCodeLocationJobFacetBuilder()
                    .type("file").path(route.file()).version(route.contentHash())
                    .url(URI.create("file:" + route.file().replace(" ", "%20"))).build());
        }
        if (route.description() != null && !route.description().isBlank()) {
            facets.documentation(ol.newDocumentationJobFacetBuilder().description(route.description()).build());
        }
        return ol.newJob(JOB_NAMESPACE, route.routeId(), facets.build());
    }

    private OpenLineage.InputDataset input(Batch batch) {
        OpenLineage.DatasetFacetsBuilder facets = ol.newDatasetFacetsBuilder();
        if (batch.connector() != null) {
            List<OpenLineage.SchemaDatasetFacetFields> fields = new ArrayList<>();
            for (FieldSpec field : batch.connector().fields().values()) {
                if (field.column() != null) {
                    fields.add(ol.newSchemaDatasetFacetFieldsBuilder().name(field.column()).type("string")
                            .description(field.name() + " (" + field.type().name().toLowerCase(Locale.ROOT) + ")").build());
                }
            }
            facets.schema(ol.newSchemaDatasetFacet(fields));
            facets.documentation(ol.newDocumentationDatasetFacetBuilder()
                    .description("partner " + batch.partnerId() + ", connector " + batch.connectorId()
                            + ", data class " + batch.dataClass()).build());
        }
        OpenLineage.InputDatasetBuilder input = ol.newInputDatasetBuilder()
                .namespace(batch.source().namespace()).name(batch.source().name()).facets(facets.build());
        if (batch.summary() != null) {
            input.inputFacets(ol.newInputDatasetInputFacetsBuilder()
                    .inputStatistics(ol.newInputStatisticsInputDatasetFacetBuilder().rowCount(batch.summary().rowsIn()).build())
                    .build());
        }
        return input.build();
    }

    private OpenLineage.OutputDataset output(Batch batch, boolean withCounts) {
        OpenLineage.DatasetFacetsBuilder facets = ol.newDatasetFacetsBuilder();
        WarehouseTable table = WarehouseTable.byName(batch.outputTable()).orElse(null);
        if (table != null) {
            facets.schema(TableSchemas.of(ol, table));
            if (batch.connector() != null && batch.connector().table() == table) {
                facets.columnLineage(columnLineage(batch, table));
            }
        } else if (batch.outputTable().equals("consent_event")) {
            facets.schema(ol.newSchemaDatasetFacet(CONSENT_EVENT.stream()
                    .map(c -> ol.newSchemaDatasetFacetFieldsBuilder().name(c).type(c.equals("captured_at") ? "timestamptz" : "text").build())
                    .toList()));
        }
        OpenLineage.OutputDatasetBuilder output = ol.newOutputDatasetBuilder()
                .namespace(warehouseNamespace).name("caravan." + batch.outputTable()).facets(facets.build());
        if (withCounts && batch.summary() != null) {
            BatchSummary s = batch.summary();
            output.outputFacets(ol.newOutputDatasetOutputFacetsBuilder()
                    .outputStatistics(ol.newOutputStatisticsOutputDatasetFacetBuilder()
                            .rowCount(s.rowsDelivered())
                            .put("rowsIn", s.rowsIn()).put("rowsDelivered", s.rowsDelivered())
                            .put("rowsRejected", s.rowsRejected()).put("rowsConsentFiltered", s.rowsConsentFiltered())
                            .put("rowsSuppressed", s.rowsSuppressed()).put("rowsDuplicate", s.rowsDuplicate())
                            .put("warnings", s.warnings()).build())
                    .build());
        }
        return output.build();
    }

    /** Each warehouse column the connector fills, from the source column(s) it comes from, with how. */
    private OpenLineage.ColumnLineageDatasetFacet columnLineage(Batch batch, WarehouseTable table) {
        ConnectorDescriptor connector = batch.connector();
        Map<String, List<OpenLineage.InputField>> lineage = new LinkedHashMap<>();
        String ns = batch.source().namespace();
        String name = batch.source().name();
        for (FieldSpec field : connector.fields().values()) {
            if (field.column() == null) {
                continue;
            }
            String action = Protection.action(batch.policy(), field.name());
            String output = Protection.outputColumn(action, field.name());
            if (output == null || !table.hasColumn(output)) {
                continue;
            }
            String how = action.equals("keep") ? (normalised(field) ? "normalise" : "copy") : action;
            lineage.computeIfAbsent(output, k -> new ArrayList<>()).add(inputField(ns, name, field.column(), how));
            if (action.equals("hmac") && connector.subjectOrder().contains(field.name()) && table.hasColumn("subject_token")) {
                lineage.computeIfAbsent("subject_token", k -> new ArrayList<>())
                        .add(inputField(ns, name, field.column(), "hmac"));
            }
            if (field.type() == FieldType.VIN && table.hasColumn("wmi") && !action.equals("drop")) {
                lineage.computeIfAbsent("wmi", k -> new ArrayList<>()).add(inputField(ns, name, field.column(), "generalise"));
            }
        }
        for (String key : connector.naturalKey()) {
            FieldSpec field = connector.fields().get(key);
            if (field != null && field.column() != null) {
                lineage.computeIfAbsent("record_key", k -> new ArrayList<>()).add(inputField(ns, name, field.column(), "hash"));
            }
        }
        OpenLineage.ColumnLineageDatasetFacetFieldsBuilder fields = ol.newColumnLineageDatasetFacetFieldsBuilder();
        lineage.forEach((column, inputs) -> fields.put(column,
                ol.newColumnLineageDatasetFacetFieldsAdditionalBuilder().inputFields(inputs).build()));
        return ol.newColumnLineageDatasetFacetBuilder().fields(fields.build()).build();
    }

    private OpenLineage.InputField inputField(String namespace, String name, String column, String how) {
        boolean identity = how.equals("copy");
        boolean masking = how.equals("hmac") || how.equals("encrypt") || how.equals("generalise") || how.equals("hash");
        return ol.newInputFieldBuilder().namespace(namespace).name(name).field(column)
                .transformations(List.of(ol.newInputFieldTransformationsBuilder()
                        .type("DIRECT").subtype(identity ? "IDENTITY" : "TRANSFORMATION")
                        .description(how).masking(masking).build()))
                .build();
    }

    private static boolean normalised(FieldSpec field) {
        return field.vocabulary() != null || switch (field.type()) {
            case EMAIL, PHONE, VIN, POSTCODE, DATE, TIMESTAMP, DECIMAL, BOOLEAN, VOCABULARY -> true;
            default -> false;
        };
    }

    private CaravanRunFacet privacyFacet(Batch batch) {
        Map<String, Object> facet = new LinkedHashMap<>();
        Purpose purpose = batch.purpose();
        facet.put("purpose", purpose == null ? null : purpose.id());
        facet.put("legalBasis", purpose == null ? null : purpose.basis().name().toLowerCase(Locale.ROOT));
        facet.put("dataClass", batch.dataClass());
        facet.put("policy", batch.policy() == null ? null : batch.policy().id());
        facet.put("keyDomain", batch.policy() == null ? null : batch.policy().keyDomain());
        facet.put("keyId", batch.keyId());
        Map<String, String> fields = new java.util.TreeMap<>();
        if (batch.connector() != null) {
            for (FieldSpec field : batch.connector().fields().values()) {
                fields.put(field.name(), Protection.action(batch.policy(), field.name()));
            }
        }
        facet.put("fields", fields);
        return new CaravanRunFacet(producer, privacySchema, facet);
    }
}
