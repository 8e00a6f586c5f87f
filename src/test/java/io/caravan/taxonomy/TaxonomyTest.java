package io.caravan.taxonomy;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The campaign naming convention of config/campaign-taxonomy.yaml. */
class TaxonomyTest {
    private static final Taxonomy CAMPAIGNS = Taxonomies.load(Path.of("config/campaign-taxonomy.yaml")).get("campaigns");

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            "VW_DE_ID4_CONS_SEARCH,       VW,    DE, ID.4,       consideration, search",
            "audi_de_q4_intent_search,    AUDI,  DE, Q4 e-tron,  intent,        search",
            "SKODA_AT_ENYAQ_AWARE_VIDEO,  SKODA, AT, Enyaq,      awareness,     video",
            "CUPRA_ES_BORN_PURCH_SOCIAL,  CUPRA, ES, Born,       purchase,      social"})
    void parsesNamesThatFollowTheConvention(String name, String brand, String market, String model, String stage, String channel) {
        assertThat(CAMPAIGNS.parse(name)).hasValue(Map.of("brand", brand, "market", market, "model", model,
                "funnel_stage", stage, "channel", channel));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "VW_DE_ID4_CONS",               // a segment missing
            "VW_DE_ID4_CONS_SEARCH_EXTRA",  // one too many
            "VW_DE_GOLF_PROMO_SOCIAL",      // PROMO is not a funnel stage
            "BMW_DE_ID4_CONS_SEARCH",       // unknown brand
            "VW-DE-ID4-CONS-SEARCH",        // wrong separator
            "Brand Always-On Generic",
            "VW__ID4_CONS_SEARCH"})
    void refusesNamesThatBreakIt(String name) {
        assertThat(CAMPAIGNS.parse(name)).isEmpty();
    }

    @Test
    void theStepSetsColumnsOrNullsAndCountsViolationsPerBatch() throws Exception {
        BatchContext context = new BatchContext("b-1", "r", "c", "p", "third_party", "s", Instant.now());
        List<Row> rows = List.of(row(1, "VW_DE_ID4_CONS_SEARCH"), row(2, "Winter sale"), row(3, null));
        rows.get(1).fields().put("brand", "stale");
        RecordBatch batch = new RecordBatch(context, rows.iterator(), null);
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("taxonomy", new TaxonomyComponent(new Taxonomies(Path.of("config"))));
            camel.start();

            Object out = camel.createProducerTemplate().requestBody("taxonomy:campaigns", batch);
            ((RecordBatch) out).rows().forEachRemaining(r -> { });
        }

        assertThat(rows.get(0).fields()).containsEntry("taxonomy_valid", true).containsEntry("channel", "search");
        assertThat(rows.get(1).fields()).containsEntry("taxonomy_valid", false).doesNotContainKeys("brand", "market", "model", "funnel_stage", "channel");
        assertThat(rows.get(2).fields()).containsEntry("taxonomy_valid", false);
        assertThat(context.counters()).containsEntry("taxonomy_violations", 2L);
    }

    private static Row row(long n, String name) {
        Map<String, Object> fields = new HashMap<>();
        if (name != null) {
            fields.put("campaign_name", name);
        }
        return new Row(n, fields);
    }
}
