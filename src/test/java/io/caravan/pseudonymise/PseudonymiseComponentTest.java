package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PseudonymiseComponentTest {
    @TempDir
    Path temp;
    private CamelContext camel;
    private ProducerTemplate producer;

    @BeforeEach
    void start() {
        KeyRing keys = GeneratedKeyRing.open(temp.resolve("keys"), List.of("warehouse"));
        camel = new DefaultCamelContext();
        camel.addComponent("pseudonymise", new PseudonymiseComponent(
                new Pseudonymisers(PolicyRegistry.load(Path.of("config/policies.yaml")), keys)));
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void replacesTheBodyWithALazilyPseudonymisedBatch() {
        Map<String, Object> fields = new HashMap<>(Map.of("email", "jane.doe@example.com", "make", "Audi", "_subject", "email"));
        RecordBatch batch = new RecordBatch(new BatchContext("b-1", "r", "c", "p", "first_party", "f", Instant.now()),
                List.of(new Row(1, fields)).iterator(), null);

        Object body = producer.requestBody("pseudonymise:warehouse", batch);

        assertThat(body).isInstanceOf(RecordBatch.class).isNotSameAs(batch);
        Row row = ((RecordBatch) body).rows().next();
        assertThat(row.fields()).containsOnlyKeys("email_token", "subject_token", "make", "sealed_identifiers");
    }

    @Test
    void aDerivedRecordKeyTakesTheSubjectsTokenSoTwoPeopleStayTwoLeadsAndTheSamePersonStaysOne() {
        Row jane = derivedKeyRow(1, "jane.doe@example.com");
        Row john = derivedKeyRow(2, "john.doe@example.com");
        Row janeAgain = derivedKeyRow(3, "jane.doe@example.com");
        Row withoutMarker = new Row(4, new HashMap<>(Map.of("email", "jane.doe@example.com", "_subject", "email")));
        withoutMarker.recordKey("derived-from-provider-date-and-vehicle");
        RecordBatch batch = new RecordBatch(new BatchContext("b-1", "r", "c", "p", "second_party", "f", Instant.now()),
                List.of(jane, john, janeAgain, withoutMarker).iterator(), null);

        RecordBatch out = (RecordBatch) producer.requestBody("pseudonymise:warehouse", batch);
        List<Row> rows = new java.util.ArrayList<>();
        out.rows().forEachRemaining(rows::add);

        assertThat(rows.get(0).recordKey()).matches("[0-9a-f]{64}").isNotEqualTo(rows.get(1).recordKey())
                .isEqualTo(rows.get(2).recordKey()).doesNotContain("jane");
        assertThat(rows.get(3).recordKey()).as("keys the source sent are never changed").isEqualTo("derived-from-provider-date-and-vehicle");
        assertThat(rows).allSatisfy(r -> assertThat(r.fields()).doesNotContainKey(Row.KEY_WITH_SUBJECT));
    }

    private static Row derivedKeyRow(long number, String email) {
        Row row = new Row(number, new HashMap<>(Map.of("email", email, "_subject", "email", Row.KEY_WITH_SUBJECT, true)));
        row.recordKey("derived-from-provider-date-and-vehicle");
        return row;
    }

    @Test
    void unknownPolicyFailsWhenTheEndpointIsCreated() {
        assertThatThrownBy(() -> camel.getEndpoint("pseudonymise:marketing"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("unknown privacy policy 'marketing'")
                .hasMessageContaining("(policies: [")
                .hasMessageContaining("warehouse, warehouse-leads]");
    }

    @Test
    void bodyThatIsNoBatchIsAClearError() {
        assertThatThrownBy(() -> producer.requestBody("pseudonymise:warehouse", "email,phone\n"))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pseudonymise:warehouse expects a RecordBatch body (from a harmonise step), got java.lang.String");
    }
}
