package io.caravan.taxonomy;

import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.springframework.stereotype.Component;

/**
 * {@code taxonomy:<id>}: parses each pending row's campaign name by a naming convention of
 * {@code config/campaign-taxonomy.yaml} into its segment columns and sets {@code taxonomy_valid};
 * a name that breaks the convention (or is missing) gets {@code taxonomy_valid = false}, null
 * segment columns, and adds one to the batch's {@code taxonomy_violations} counter. The row is
 * delivered either way. Lazy like every step: rows are parsed as the warehouse drains them.
 * An unknown taxonomy id fails when the route starts.
 */
@Component("taxonomy")
class TaxonomyComponent extends DefaultComponent {
    static final String VIOLATIONS = "taxonomy_violations";

    private final Taxonomies taxonomies;

    TaxonomyComponent(Taxonomies taxonomies) {
        this.taxonomies = taxonomies;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Taxonomy taxonomy = taxonomies.find(remaining).orElseThrow(() -> new IllegalArgumentException(
                "unknown taxonomy '" + remaining + "' in taxonomy:" + remaining + " (config/campaign-taxonomy.yaml has: "
                        + taxonomies.ids() + ")"));
        TaxonomyEndpoint endpoint = new TaxonomyEndpoint(uri, this, taxonomy);
        endpoint.setTaxonomyId(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** Applies a taxonomy to one row; returns false when the name breaks the convention. */
    static boolean apply(Taxonomy taxonomy, Row row) {
        Object name = row.get(taxonomy.field());
        Optional<Map<String, String>> parsed = taxonomy.parse(name instanceof String s ? s : null);
        Map<String, Object> fields = row.fields();
        for (String column : taxonomy.columns()) {
            fields.remove(column);
        }
        parsed.ifPresent(fields::putAll);
        fields.put("taxonomy_valid", parsed.isPresent());
        return parsed.isPresent();
    }

    @UriEndpoint(firstVersion = "0.1.0", scheme = "taxonomy", title = "Campaign taxonomy", syntax = "taxonomy:taxonomyId",
            producerOnly = true, category = {Category.TRANSFORMATION}, remote = false)
    static final class TaxonomyEndpoint extends DefaultEndpoint {
        @UriPath(description = "Id of a naming convention in config/campaign-taxonomy.yaml")
        @Metadata(required = true)
        private String taxonomyId;
        private final Taxonomy taxonomy;

        TaxonomyEndpoint(String uri, TaxonomyComponent component, Taxonomy taxonomy) {
            super(uri, component);
            this.taxonomy = taxonomy;
        }

        public String getTaxonomyId() {
            return taxonomyId;
        }

        public void setTaxonomyId(String taxonomyId) {
            this.taxonomyId = taxonomyId;
        }

        @Override
        public Producer createProducer() {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    Object body = exchange.getIn().getBody();
                    if (!(body instanceof RecordBatch batch)) {
                        throw new IllegalArgumentException("taxonomy:" + taxonomyId + " expects a RecordBatch from harmonise");
                    }
                    batch.context().count(VIOLATIONS, 0); // present in the ledger even when there is none
                    exchange.getIn().setBody(batch.map(row -> {
                        if (!apply(taxonomy, row)) {
                            batch.context().count(VIOLATIONS, 1);
                        }
                    }));
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("taxonomy: is a step: use it in to:");
        }
    }
}
