package io.caravan.consent;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The privacy steps as a route uses them: both packages component-scanned into a Spring context
 * (embedded default: generated keys), the {@code consent} and {@code pseudonymise} beans used as
 * Camel components, a batch sent through {@code consent:marketing_activation} then
 * {@code pseudonymise:warehouse}.
 */
class PrivacyStepsIT {
    @TempDir
    Path temp;

    @Test
    void consentThenPseudonymiseInARoute() throws Exception {
        DataSource database = TestDatabase.fresh("privacy_steps_it");
        try (AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext()) {
            spring.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test",
                    Map.of("caravan.data-dir", temp.toString(), "caravan.config-dir", "config")));
            spring.registerBean(DataSource.class, () -> database);
            // the consent package also wires the consent-feed step, which writes to the ledger and the audit trail
            spring.registerBean(io.caravan.ledger.JdbcLedger.class, () -> new io.caravan.ledger.JdbcLedger(database));
            spring.registerBean(io.caravan.audit.AuditTrail.class,
                    () -> new io.caravan.audit.AuditTrail(database, new tools.jackson.databind.ObjectMapper()));
            spring.scan("io.caravan.pseudonymise", "io.caravan.consent");
            spring.refresh();

            KeyRing keys = spring.getBean(KeyRing.class);
            String granted = keys.tokeniser(KeyRing.WAREHOUSE).token("jane.doe@example.com");
            spring.getBean(ConsentStore.class).record(ConsentEvent.of(granted, null,
                    spring.getBean(PurposeRegistry.class).require("marketing_activation"), ConsentStatus.GRANTED,
                    Instant.parse("2026-01-01T00:00:00Z"), "preference-centre"));

            try (CamelContext camel = new DefaultCamelContext()) {
                camel.getRegistry().bind("consent", spring.getBean("consent"));
                camel.getRegistry().bind("pseudonymise", spring.getBean("pseudonymise"));
                camel.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:leads").to("consent:marketing_activation").to("pseudonymise:warehouse");
                    }
                });
                camel.start();

                BatchContext context = new BatchContext("b-1", "leads", "marketplace-adf", "marketplace", "second_party",
                        "leads.xml", Instant.now());
                RecordBatch out = camel.createProducerTemplate().requestBody("direct:leads",
                        new RecordBatch(context, List.of(lead(1, "jane.doe@example.com"), lead(2, "max@example.com")).iterator(), null),
                        RecordBatch.class);
                List<Row> rows = new ArrayList<>();
                out.rows().forEachRemaining(rows::add);

                assertThat(context.purpose()).isEqualTo("marketing_activation");
                assertThat(context.policyId()).isEqualTo("warehouse");
                assertThat(context.keyId()).isEqualTo(keys.tokeniser(KeyRing.WAREHOUSE).keyId());
                Row jane = rows.get(0);
                assertThat(jane.disposition()).isEqualTo(Disposition.PENDING);
                assertThat(jane.subjectToken()).isEqualTo(granted);
                assertThat(jane.fields()).containsOnlyKeys("lead_id", "make", "email_token", "subject_token", "postcode_area",
                        "sealed_identifiers")
                        .containsEntry("subject_token", granted);
                Row max = rows.get(1);
                assertThat(max.disposition()).isEqualTo(Disposition.CONSENT_FILTERED);
                assertThat(max.fields()).containsKey("email"); // filtered rows are not pseudonymised, and never written
            }
        }
    }

    private static Row lead(long number, String email) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("lead_id", "L-" + number);
        fields.put("make", "Skoda");
        fields.put("email", email);
        fields.put("postcode", "20095");
        fields.put("first_name", "Jane");
        fields.put("_subject", "email");
        return new Row(number, fields);
    }
}
