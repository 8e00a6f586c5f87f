package io.caravan.lineage;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.openlineage.client.OpenLineage;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A run facet of Caravan's own ({@code caravan_privacy}, {@code caravan_batch}): the OpenLineage
 * custom-facet shape, {@code _producer} and {@code _schemaURL} beside the facet's properties.
 * The properties are configuration names and identifiers (purpose, policy, key domain, key id,
 * batch id), never a value of a record and never key material. Immutable.
 */
final class CaravanRunFacet implements OpenLineage.RunFacet {
    private final URI producer;
    private final URI schemaUrl;
    private final Map<String, Object> properties;

    CaravanRunFacet(URI producer, URI schemaUrl, Map<String, Object> properties) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.schemaUrl = Objects.requireNonNull(schemaUrl, "schemaUrl");
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    @Override
    @JsonProperty("_producer")
    public URI get_producer() {
        return producer;
    }

    @Override
    @JsonProperty("_schemaURL")
    public URI get_schemaURL() {
        return schemaUrl;
    }

    @Override
    @JsonAnyGetter
    public Map<String, Object> getAdditionalProperties() {
        return properties;
    }
}
