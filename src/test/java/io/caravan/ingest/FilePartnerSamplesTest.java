package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.harmonise.Harmoniser;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Row;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The sample files of the file-based partners through their reader and connector descriptor (no
 * database): which rows are kept, which are rejected with which field and rule, and what a kept
 * row holds. The same files run through the whole application in {@code FilePartnerFlowsIT}.
 */
class FilePartnerSamplesTest {
    private static final ConnectorRegistry REGISTRY = new ConnectorRegistry(Path.of("connectors"), Path.of("config/vocabularies.yaml"),
            Set.of("csv", "fixed-width", "adf-xml", "json"));
    private static final List<RecordReaderFactory> READERS = List.of(new CsvReaderFactory(), new FixedWidthReaderFactory(), new AdfXmlReaderFactory());

    @Test
    void autoboerseFirstFileKeepsSixLeadsAndRejectsThreeProspectsByFieldAndRule() throws IOException {
        List<Row> rows = harmonise("autoboerse-leads-adf", "samples/autoboerse/leads_2026-11-02.xml");

        assertThat(summary(rows)).containsExactly(
                "1:PENDING", "2:PENDING", "3:PENDING",
                "4:REJECTED:vehicle:no vehicle of interest in the prospect (trade-ins are not leads)",
                "5:PENDING:prospect.requestdate:missing: the file's arrival time is used",
                "6:PENDING:vin:VIN must have 17 characters",
                "7:PENDING",
                "8:REJECTED:lead_at:not a timestamp (ISO-8601 or the descriptor's timestamp pattern)",
                "9:REJECTED:make:required value missing");
        assertThat(rows).extracting(r -> r.get("lead_id")).startsWith("AB-2026-110001/1", "AB-2026-110002/1", "AB-2026-110002/2");
        assertThat(rows).extracting(r -> r.get("request_type")).startsWith("quote", "test_drive", "quote");
        assertThat(rows.get(6).fields()).containsEntry("request_type", "finance").containsEntry("phone", "+494066969104")
                .containsEntry("_subject", "phone").doesNotContainKey("email");
        assertThat(rows.get(0).fields()).containsEntry("lead_at", OffsetDateTime.parse("2026-11-02T08:14:00+01:00"))
                .containsEntry("dealer_id", "HH-01").containsEntry("make", "Volkswagen").containsEntry("model_year", 2026)
                .containsEntry("email", "lena.berger@example.com").containsEntry("phone", "+494066969101")
                .containsEntry("postcode", "20095").containsEntry("channel", "marketplace").containsEntry("funnel_stage", "intent");
        assertThat(rows.get(1).fields()).containsEntry("vin", "WAUZZZGY1PA012345").containsEntry("email", "jonas.albrecht@example.com");
        assertThat(rows.get(4).fields()).as("a prospect without requestdate is a lead at the file's arrival (issue #14)")
                .containsEntry("lead_id", "AB-2026-110004/1").containsKey("lead_at");
    }

    @Test
    void autoboerseSecondFileHasAResendTheUnknownInterestAndALetterInTheYear() throws IOException {
        List<Row> rows = harmonise("autoboerse-leads-adf", "samples/autoboerse/leads_2026-11-03.xml");

        assertThat(summary(rows)).containsExactly(
                "1:PENDING", "2:PENDING", "3:PENDING",
                "4:REJECTED:request_type:unknown request_type spelling",
                "5:REJECTED:model_year:not a number",
                "6:PENDING");
        assertThat(rows.get(0).fields()).containsEntry("email", "clara.engel@example.com").containsEntry("phone", "+498999998106")
                .doesNotContainKey("dealer_id");
        assertThat(rows.get(1).fields()).containsEntry("request_type", "test_drive")
                .containsEntry("lead_at", OffsetDateTime.parse("2026-11-03T09:30:00+01:00"));
        assertThat(rows.get(2).recordKey()).as("the resent prospect has the same record key").isEqualTo(rows.get(1).recordKey());
        assertThat(rows.get(5).fields()).containsEntry("request_type", "quote").doesNotContainKeys("email", "phone", "_subject");
    }

    @Test
    void allsecuraRejectsUnknownEventBadVinMissingIdAndBadDate() throws IOException {
        List<Row> rows = harmonise("allsecura-insurance-events", "samples/allsecura/versicherung_ereignisse_2026-10.csv");

        assertThat(summary(rows)).containsExactly(
                "1:PENDING", "2:PENDING", "3:PENDING", "4:PENDING",
                "5:REJECTED:event:unknown event spelling",
                "6:REJECTED:vin:VIN may only use A-H, J-N, P, R-Z and 0-9",
                "7:REJECTED:insurance_id:required value missing",
                "8:REJECTED:event_date:not a date in the descriptor's date pattern",
                "9:PENDING",
                "10:PENDING:email:e-mail must have exactly one @ after a local part",
                "11:PENDING", "12:PENDING");
        assertThat(rows.get(1).fields()).containsEntry("event", "policy").containsEntry("event_date", LocalDate.of(2026, 10, 2))
                .containsEntry("renewal_date", LocalDate.of(2027, 1, 1)).containsEntry("premium_band", "750-999");
        assertThat(rows.get(2).get("event")).isEqualTo("renewal");
        assertThat(rows.get(10).get("event")).isEqualTo("quote");
    }

    @Test
    void fahrbankMapsGermanProductNamesAndRejectsFourRows() throws IOException {
        List<Row> rows = harmonise("fahrbank-leasing-contracts", "samples/fahrbank-leasing/vertraege_2026-10.csv");

        assertThat(summary(rows)).containsExactly(
                "1:PENDING", "2:PENDING", "3:PENDING", "4:PENDING",
                "5:REJECTED:product:unknown product spelling",
                "6:REJECTED:vin:VIN must have 17 characters",
                "7:REJECTED:start_date:required value missing",
                "8:REJECTED:end_date:not a date in the descriptor's date pattern",
                "9:PENDING",
                "10:PENDING:phone:phone number is not a valid number",
                "11:PENDING", "12:PENDING");
        assertThat(rows).extracting(r -> r.get("product")).startsWith("lease", "loan", "balloon", "lease");
        assertThat(rows.get(3).fields()).containsEntry("monthly_amount", new BigDecimal("1049.00"))
                .containsEntry("end_date", LocalDate.of(2028, 10, 9)).containsEntry("term_months", 24)
                .containsEntry("street", "Kaiserstraße 20");
    }

    @Test
    void kreditwerkFixedWidthRejectsRaggedUnknownProductBadDateAndVinWithI() throws IOException {
        List<Row> rows = harmonise("kreditwerk-contracts", "samples/kreditwerk/KWVERTR_202610.TXT");

        assertThat(summary(rows)).containsExactly(
                "1:PENDING", "2:PENDING", "3:PENDING", "4:PENDING", "5:PENDING", "6:PENDING",
                "7:REJECTED:row:ragged row: 120 characters where the layout needs 173",
                "8:REJECTED:product:unknown product spelling",
                "9:REJECTED:start_date:not a date in the descriptor's date pattern",
                "10:REJECTED:vin:VIN may only use A-H, J-N, P, R-Z and 0-9");
        assertThat(rows.get(0).fields()).containsEntry("contract_id", "KW2026000301").containsEntry("product", "lease")
                .containsEntry("start_date", LocalDate.of(2026, 10, 1)).containsEntry("end_date", LocalDate.of(2029, 9, 30))
                .containsEntry("term_months", 36).containsEntry("monthly_amount", new BigDecimal("349.00"))
                .containsEntry("currency", "EUR").containsEntry("make", "Volkswagen").containsEntry("model", "ID.4 Pro")
                .containsEntry("email", "jana.vogel@example.com").containsEntry("phone", "+494066969401");
        assertThat(rows.get(2).get("product")).isEqualTo("balloon");
        assertThat(rows.get(3).fields()).containsEntry("_subject", "phone");
    }

    private static List<String> summary(List<Row> rows) {
        return rows.stream().map(r -> r.number() + ":" + r.disposition()
                + (r.issues().isEmpty() ? "" : ":" + r.issues().get(0).field() + ":" + r.issues().get(0).reason())).toList();
    }

    private static List<Row> harmonise(String connectorId, String sample) throws IOException {
        ConnectorDescriptor connector = REGISTRY.get(connectorId);
        RecordReaderFactory factory = READERS.stream().filter(r -> r.formatType().equals(connector.format().type())).findFirst().orElseThrow();
        BatchContext context = new BatchContext("b-test", "route", connectorId, connector.partner(), connector.dataClass(), sample, Instant.now());
        Function<SourceRow, Row> harmoniser = new Harmoniser(connector).forBatch(context);
        List<Row> rows = new ArrayList<>();
        try (InputStream in = Files.newInputStream(Path.of(sample)); RecordReader reader = factory.open(in, connector, sample)) {
            reader.forEachRemaining(source -> rows.add(harmoniser.apply(source)));
        }
        return rows;
    }
}
