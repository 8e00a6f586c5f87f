package io.caravan.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.caravan.governance.ProcessingRecord.Activity;
import io.caravan.governance.ProcessingRecord.Criterion;
import io.caravan.governance.ProcessingRecord.DataCategory;
import io.caravan.governance.ProcessingRecord.Recipient;
import io.caravan.governance.ProcessingRecord.Source;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The record generated from the repository's own configuration, fixed as configured. */
class ProcessingRecordTest {
    private static ProcessingRecord record;

    @BeforeAll
    static void generate() {
        record = new RecordBuilder(ShippedConfig.inputs()).build();
    }

    private static Activity activity(String id) {
        return record.activities().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void listsOneActivityPerShippedPurposeWithItsLegalBasis() {
        assertThat(record.activities()).extracting(Activity::id, Activity::name, Activity::legalBasis).containsExactly(
                tuple("analytics", "Analytics", "legitimate_interest"),
                tuple("dealer_follow_up", "Dealer follow-up of a marketplace enquiry", "legitimate_interest"),
                tuple("marketing_activation", "Marketing activation", "consent"),
                tuple("partner_sharing", "Partner sharing", "consent"));
    }

    @Test
    void analyticsHasEveryRouteThatNamesItAsSourceWithPartnerAndDataClass() {
        assertThat(activity("analytics").sources()).extracting(Source::kind, Source::route, Source::partner, Source::dataClass,
                Source::table, Source::country).containsExactly(
                tuple("consent-feed", "preference-centre-consents", "preference-centre", "zero_party", "consent_event", "DE"),
                tuple("consent-feed", "preference-centre-consents", "preference-centre", "zero_party", "consent_event", "DE"),
                tuple("route", "allsecura-policies", "allsecura", "second_party", "insurance", "DE"),
                tuple("route", "autoboerse-leads-adf", "autoboerse", "second_party", "lead", "DE"),
                tuple("route", "autoboerse-leads-api", "autoboerse", "second_party", "lead", "DE"),
                tuple("route", "dealer-nord-sales", "dealer-nord", "first_party", "sale", "DE"),
                tuple("route", "dealer-sued-deliveries", "dealer-sued", "first_party", "sale", "DE"),
                tuple("route", "dealer-sued-deliveries-own-server", "dealer-sued", "first_party", "sale", "DE"),
                tuple("route", "fahrbank-leasing-contracts", "fahrbank-leasing", "second_party", "contract", "DE"),
                tuple("route", "google-ads-campaigns", "google-ads", "third_party", "campaign_performance", "US"),
                tuple("route", "kreditwerk-contracts", "kreditwerk", "second_party", "contract", "DE"),
                tuple("route", "meta-ads-insights", "meta-ads", "third_party", "campaign_performance", "unknown"),
                tuple("route", "versicherung-direkt-events-api", "versicherung-direkt", "second_party", "insurance", "unknown"),
                tuple("route", "versicherung-direkt-events-kafka", "versicherung-direkt", "second_party", "insurance", "unknown"));
        assertThat(activity("analytics").sources()).filteredOn(s -> "dealer-nord-sales".equals(s.route()))
                .extracting(Source::file).containsExactly("routes/dealer-nord/sales.camel.yaml");
    }

    @Test
    void analyticsDataSubjectsComeFromTheRecordTypesOfItsRoutes() {
        assertThat(activity("analytics").dataSubjects()).containsExactly("finance and lease customers",
                "motor insurance applicants and policyholders", "people who gave or withdrew consent in a preference centre",
                "prospects who asked about a vehicle (leads)", "vehicle buyers");
    }

    @Test
    void everyPersonalFieldShowsHowTheWarehousePolicyProtectsIt() {
        assertThat(activity("analytics").personalData()).filteredOn(DataCategory::personal)
                .filteredOn(d -> "warehouse".equals(d.policy()))
                .extracting(DataCategory::field, DataCategory::destination, DataCategory::protection, DataCategory::column)
                .containsExactly(
                        tuple("birth_date", "warehouse", "generalise", "birth_year"),
                        tuple("comment", "warehouse", "drop", null),
                        tuple("email", "warehouse", "hmac", "email_token"),
                        tuple("first_name", "warehouse", "drop", null),
                        tuple("full_name", "warehouse", "drop", null),
                        tuple("last_name", "warehouse", "drop", null),
                        tuple("phone", "warehouse", "hmac", "phone_token"),
                        tuple("postcode", "warehouse", "generalise", "postcode_area"),
                        tuple("street", "warehouse", "drop", null),
                        tuple("vin", "warehouse", "hmac", "vin_token"));
        // leads: the marketplace policy also keeps e-mail and phone encrypted for lead routing (encryptAlso)
        assertThat(activity("analytics").personalData()).filteredOn(d -> "warehouse-leads".equals(d.policy()))
                .filteredOn(d -> d.field().equals("email") || d.field().equals("phone"))
                .extracting(DataCategory::field, DataCategory::protection, DataCategory::column)
                .containsExactly(
                        tuple("email", "encrypt", "email_enc"),
                        tuple("email", "hmac", "email_token"),
                        tuple("phone", "encrypt", "phone_enc"),
                        tuple("phone", "hmac", "phone_token"));
        assertThat(activity("analytics").personalData()).filteredOn(d -> d.column() != null && d.column().equals("subject_token"))
                .extracting(DataCategory::field, DataCategory::protection).contains(tuple("email", "hmac"), tuple("phone", "hmac"));
        assertThat(activity("analytics").personalData()).filteredOn(d -> d.field().equals("vin"))
                .flatExtracting(DataCategory::tables).containsExactlyInAnyOrder("contract", "insurance", "lead", "sale");
    }

    @Test
    void leadRoutingShowsTheDealerReceivesContactDetailsDecryptedAtExport() {
        assertThat(activity("dealer_follow_up").personalData()).filteredOn(d -> "dealer-nord".equals(d.destination()))
                .filteredOn(d -> d.field().equals("email") || d.field().equals("phone"))
                .extracting(DataCategory::field, DataCategory::protection, DataCategory::column)
                .containsExactly(tuple("email", "keep", "email"), tuple("phone", "keep", "phone"));
    }

    @Test
    void retentionIsListedPerTableArchiveAndDataClassAsConfigured() {
        ProcessingRecord.Retention retention = activity("analytics").retention();
        assertThat(retention.tables()).containsExactlyInAnyOrderEntriesOf(Map.of("campaign_performance", "P1095D",
                "consent_event", "not configured", "contract", "P3650D", "insurance", "P1825D", "lead", "P730D", "sale", "P3650D"));
        assertThat(retention.archive()).containsOnlyKeys("allsecura", "autoboerse", "dealer-nord", "dealer-sued",
                "fahrbank-leasing", "kreditwerk", "preference-centre").allSatisfy((partner, age) -> assertThat(age).isEqualTo("P30D"));
        assertThat(retention.dataClasses()).containsExactlyInAnyOrderEntriesOf(Map.of("first_party", "P3650D", "second_party", "P3650D",
                "third_party", "P1095D", "zero_party", "not configured"));
        assertThat(activity("analytics").flags())
                .containsExactly("no retention configured for table 'consent_event' (caravan.retention.tables.consent_event)");
    }

    @Test
    void partnerSharingNamesTheAgreementsRecipientWithValidityAndExportedColumns() {
        Activity sharing = activity("partner_sharing");
        assertThat(sharing.recipients()).extracting(Recipient::kind, Recipient::id, Recipient::country, Recipient::agreement,
                Recipient::validUntil, Recipient::schedule).containsExactly(
                tuple("warehouse", "warehouse", null, null, null, null),
                tuple("partner", "fahrbank-leasing", "DE", "fahrbank-financed-sales", "2027-12-31", "0 0 4 1 * ?"));
        assertThat(sharing.recipients().get(1).columns()).containsExactly("sale_id", "sale_date", "make", "model",
                "model_year", "fuel_type", "condition", "price_amount", "currency", "financed", "postcode_area", "subject_token");
        assertThat(sharing.personalData()).filteredOn(d -> d.destination().equals("fahrbank-leasing") && d.personal())
                .extracting(DataCategory::field, DataCategory::policy, DataCategory::protection, DataCategory::column)
                .containsExactly(tuple("postcode", "partner-fahrbank-leasing", "generalise", "postcode_area"),
                        tuple("subject (email or phone)", "partner-fahrbank-leasing", "hmac", "subject_token"));
        assertThat(sharing.sources()).filteredOn(s -> s.kind().equals("warehouse-table"))
                .extracting(Source::partner, Source::connector).containsExactly(
                        tuple("dealer-nord", "dealer-nord-sales"), tuple("dealer-sued", "dealer-sued-sales"));
        assertThat(sharing.transfersOutsideEea()).isEmpty();
        assertThat(sharing.technicalMeasures().keyDomains()).containsExactly("archive", "fahrbank-leasing", "suppression", "warehouse");
    }

    @Test
    void dpiaScreeningOfEveryShippedPurpose() {
        assertThat(activity("analytics").dpia().criteria()).extracting(Criterion::id)
                .containsExactly("matching-or-combining-datasets", "sensitive-or-highly-personal-data");
        assertThat(activity("analytics").dpia().likelyRequired()).isTrue();
        assertThat(activity("marketing_activation").dpia().criteria()).extracting(Criterion::id, Criterion::evidence)
                .containsExactly(tuple("evaluation-or-scoring",
                        "config/tcf.yaml maps the purpose to TCF purpose(s) [3] (personalised profile)"));
        assertThat(activity("marketing_activation").dpia().likelyRequired()).isFalse();
        assertThat(activity("partner_sharing").dpia().criteria()).extracting(Criterion::id, Criterion::evidence)
                .containsExactly(tuple("matching-or-combining-datasets",
                        "sources of 2 partners feed the purpose: dealer-nord, dealer-sued"));
        assertThat(activity("partner_sharing").dpia().likelyRequired()).isFalse();
        assertThat(record.activities()).allSatisfy(a -> assertThat(a.dpia().notAssessed()).contains("large-scale"));
    }

    @Test
    void namesTheContactsAndWarnsOnlyAboutWhatIsMissing() {
        assertThat(record.controller().email()).isEqualTo("privacy@example.com");
        assertThat(record.warnings()).containsExactly(
                "purpose 'analytics': no retention configured for table 'consent_event' (caravan.retention.tables.consent_event)",
                "purpose 'marketing_activation': recipient 'google-ads' is outside the EU/EEA (US): document the transfer's safeguard (Art. 44-49)",
                "purpose 'marketing_activation': no retention configured for table 'consent_event' (caravan.retention.tables.consent_event)",
                "purpose 'partner_sharing': no retention configured for table 'consent_event' (caravan.retention.tables.consent_event)");
    }
}
