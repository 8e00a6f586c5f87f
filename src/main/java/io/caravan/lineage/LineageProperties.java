package io.caravan.lineage;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.lineage.*}; the backend itself is configured the OpenLineage way
 * ({@code openlineage.yml}, {@code OPENLINEAGE_CONFIG}, {@code OPENLINEAGE__TRANSPORT__...}):
 *
 * <pre>
 * caravan.lineage.enabled=true                 false: no events at all
 * caravan.lineage.config-file=                 like OPENLINEAGE_CONFIG (which wins when both are set)
 * caravan.lineage.keep-events=true             also keep events in caravan.lineage_event when a transport is configured
 * caravan.lineage.queue-capacity=10000         events waiting per sink before new ones are dropped (and counted)
 * caravan.lineage.trust-certificates=          PEM file of CA certificates an https backend may present
 * caravan.lineage.gateway-namespace=sftp://caravan-gateway   namespace of the partners' inboxes on the gateway
 * caravan.lineage.keep-for=90d                 how long caravan.lineage_event keeps an event (deleted hourly after that)
 * caravan.lineage.poll-interval=10s            how often finished exports and privacy jobs are turned into events
 * caravan.lineage.producer=                    the events' _producer URI
 * caravan.lineage.facet-schema-base=           where the caravan_* facet schemas are published
 * </pre>
 */
@ConfigurationProperties("caravan.lineage")
record LineageProperties(Boolean enabled, String configFile, Boolean keepEvents, Integer queueCapacity,
                         String trustCertificates, String gatewayNamespace, URI producer, String facetSchemaBase,
                         java.time.Duration pollInterval, java.time.Duration keepFor) {
    static final String DEFAULT_SCHEMA_BASE =
            "https://raw.githubusercontent.com/caravan-platform/caravan/main/src/main/resources/io/caravan/lineage/";

    LineageProperties {
        enabled = enabled == null || enabled;
        keepEvents = keepEvents == null || keepEvents;
        queueCapacity = queueCapacity == null ? 10_000 : queueCapacity;
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("caravan.lineage.queue-capacity: must be at least 1");
        }
        pollInterval = pollInterval == null ? java.time.Duration.ofSeconds(10) : pollInterval;
        keepFor = keepFor == null ? java.time.Duration.ofDays(90) : keepFor;
        if (keepFor.isNegative() || keepFor.isZero()) {
            throw new IllegalArgumentException("caravan.lineage.keep-for: must be a positive duration (e.g. 90d)");
        }
        gatewayNamespace = gatewayNamespace == null || gatewayNamespace.isBlank() ? "sftp://caravan-gateway" : gatewayNamespace.strip();
        producer = producer == null ? URI.create("https://github.com/caravan-platform/caravan/tree/" + Versions.CARAVAN) : producer;
        facetSchemaBase = facetSchemaBase == null || facetSchemaBase.isBlank() ? DEFAULT_SCHEMA_BASE
                : facetSchemaBase.endsWith("/") ? facetSchemaBase : facetSchemaBase + "/";
    }

    URI privacyFacetSchema() {
        return URI.create(facetSchemaBase + "CaravanPrivacyRunFacet.json");
    }

    URI operationFacetSchema() {
        return URI.create(facetSchemaBase + "CaravanOperationRunFacet.json");
    }

    URI batchFacetSchema() {
        return URI.create(facetSchemaBase + "CaravanBatchRunFacet.json");
    }
}
