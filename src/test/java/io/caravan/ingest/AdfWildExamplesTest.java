package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.harmonise.Harmoniser;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Row;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Public ADF examples ({@code src/test/resources/adf-wild}, sources in its README) through the marketplace's
 * reader and descriptor: each one is a lead, and every repair is a warning by row, field and rule.
 */
class AdfWildExamplesTest {
    private static final ConnectorDescriptor ADF = new ConnectorRegistry(Path.of("connectors"), Path.of("config/vocabularies.yaml"),
            Set.of("csv", "fixed-width", "adf-xml", "json")).get("autoboerse-leads-adf");
    private static final Path WILD = Path.of("src/test/resources/adf-wild");
    private static final Instant ARRIVAL = Instant.parse("2026-12-06T05:00:00Z");

    @Test
    void theSpecificationsOwnExampleIsALeadWithItsDeclarationRepairedAndADerivedId() throws IOException {
        List<Row> rows = harmonise(WILD.resolve("adf-1.0-specification-example.xml"), ARRIVAL);

        assertThat(rows).singleElement().satisfies(lead -> {
            assertThat(warnings(lead)).containsExactlyInAnyOrder(
                    "1:xml:XML declaration repaired (case, quotes or position)",
                    "1:prospect.id:missing: lead id derived from provider, vendor, request date and vehicle");
            assertThat(lead.fields()).containsEntry("make", "Chevrolet").containsEntry("model", "Blazer").containsEntry("model_year", 1999)
                    .containsEntry("lead_at", OffsetDateTime.parse("2000-03-30T15:30:20-08:00"));
            assertThat((String) lead.get("lead_id")).matches("adf:[0-9a-f]{32}");
            assertThat(lead.fields()).as("pseudonymise folds the subject's token into the derived key")
                    .containsEntry(Row.KEY_WITH_SUBJECT, true).containsEntry("_subject", "phone");
        });
    }

    @Test
    void wikipediasExampleIsALeadWithItsOffsetRepairedAndItsPlaceholderEmailNulled() throws IOException {
        List<Row> rows = harmonise(WILD.resolve("wikipedia-example.xml"), ARRIVAL);

        assertThat(rows).singleElement().satisfies(lead -> {
            assertThat(warnings(lead)).containsExactlyInAnyOrder(
                    "1:prospect.id:missing: lead id derived from provider, vendor, request date and vehicle",
                    "1:email:e-mail must have exactly one @ after a local part",
                    "1:phone:phone number is not a valid number",
                    "1:lead_at:timestamp repaired: hour, minute, second or offset not in two digits");
            assertThat(lead.fields()).containsEntry("lead_at", OffsetDateTime.parse("2000-03-30T15:30:20-08:00"))
                    .containsEntry("make", "Make").doesNotContainKeys("email", "phone", "_subject");
        });
    }

    @Test
    void aLeadProvidersExampleWithAnEmptyVehicleIsALeadWithoutAVehicle() throws IOException {
        List<Row> rows = harmonise(WILD.resolve("launchlabs-example.xml"), ARRIVAL);

        assertThat(rows).singleElement().satisfies(lead -> {
            assertThat(warnings(lead)).containsExactlyInAnyOrder(
                    "1:vehicle:empty vehicle: kept as a lead without a vehicle",
                    "1:phone:phone number is not a valid number");
            assertThat(lead.fields()).containsEntry("lead_id", "Example/1").containsEntry("request_type", "quote")
                    .containsEntry("lead_at", OffsetDateTime.parse("2025-09-22T18:07:00+02:00"))
                    .doesNotContainKeys("make", "model", "model_year", Row.KEY_WITH_SUBJECT);
        });
    }

    @Test
    void aBomAnUpperCaseDeclarationAStrayAmpersandAndASingleDigitHourAreRepairedAndTheUsPhoneReadAsUs() throws IOException {
        List<Row> rows = harmonise(WILD.resolve("python-adf-template-filled.xml"), ARRIVAL);

        assertThat(rows).singleElement().satisfies(lead -> {
            assertThat(warnings(lead)).containsExactlyInAnyOrder(
                    "1:xml:byte-order mark removed",
                    "1:xml:XML declaration repaired (case, quotes or position)",
                    "1:xml:stray '&' escaped",
                    "1:prospect.id:missing: lead id derived from provider, vendor, request date and vehicle",
                    "1:lead_at:timestamp repaired: hour, minute, second or offset not in two digits");
            assertThat(lead.fields()).containsEntry("lead_at", OffsetDateTime.parse("2024-05-14T08:05:00-05:00"))
                    .containsEntry("phone", "+12125550147").containsEntry("full_name", "Pat Smith & Sons");
        });
    }

    @Test
    void everyExampleIsOneLeadAndTheSameFileResentLaterHasTheSameRecordKeys() throws IOException {
        try (var files = Files.list(WILD)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) {
                List<Row> first = harmonise(file, ARRIVAL);
                List<Row> resent = harmonise(file, ARRIVAL.plusSeconds(86_400));

                assertThat(first).as(file.toString()).singleElement().satisfies(lead -> assertThat(lead.isPending()).isTrue());
                assertThat(resent).extracting(Row::recordKey).as(file.toString())
                        .containsExactlyElementsOf(first.stream().map(Row::recordKey).toList()).doesNotContainNull();
            }
        }
    }

    private static List<String> warnings(Row row) {
        return row.issues().stream().filter(i -> !i.fatal()).map(i -> row.number() + ":" + i.field() + ":" + i.reason()).toList();
    }

    static List<Row> harmonise(Path file, Instant arrival) throws IOException {
        BatchContext context = new BatchContext("b-test", "route", ADF.id(), ADF.partner(), ADF.dataClass(),
                file.getFileName().toString(), arrival);
        Function<SourceRow, Row> harmoniser = new Harmoniser(ADF).forBatch(context);
        List<Row> rows = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file);
             RecordReader reader = new AdfXmlReaderFactory().open(in, ADF, file.getFileName().toString())) {
            reader.forEachRemaining(source -> rows.add(harmoniser.apply(source)));
        }
        return rows;
    }
}
