package io.caravan.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.caravan.governance.ProcessingRecord.Activity;
import io.caravan.governance.ProcessingRecord.DataCategory;
import io.caravan.governance.ProcessingRecord.Recipient;
import io.caravan.governance.ProcessingRecord.Retention;
import io.caravan.governance.RecordDiff.Change;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordDiffTest {
    private static final Map<String, String> FILES = Map.of("purposes", "config/purposes.yaml", "policies", "config/policies.yaml",
            "agreements", "config/agreements.yaml", "retention", "caravan.retention.* (config/application.yaml)");

    private static Activity activity(String id, String streetProtection, String leadRetention, List<Recipient> recipients) {
        return new Activity(id, id, "", "consent", List.of(),
                List.of(new DataCategory("street", true, "warehouse", "warehouse", streetProtection, null, List.of("sale"))),
                List.of(), recipients, List.of(), new Retention(Map.of("lead", leadRetention), Map.of(), Map.of()),
                null, null, List.of());
    }

    private static ProcessingRecord record(Activity... activities) {
        return new ProcessingRecord(null, null, List.of(), FILES, List.of(activities));
    }

    private static Recipient partner(String id, String validUntil) {
        return new Recipient("partner", id, id, "DE", "a-" + id, validUntil, null, List.of("sale"), List.of("sale_id"),
                "config/agreements.yaml");
    }

    @Test
    void aFirstVersionListsEveryPurposeAsAdded() {
        assertThat(RecordDiff.between(null, record(activity("analytics", "drop", "P730D", List.of()))))
                .containsExactly(new Change("analytics", "purpose-added", "purpose 'analytics' (consent)", "config/purposes.yaml"));
    }

    @Test
    void namesPurposeRecipientRetentionAndProtectionChangesWithTheirFiles() {
        ProcessingRecord before = record(activity("analytics", "drop", "P730D", List.of(partner("x", "2027-12-31"))));
        ProcessingRecord after = record(activity("analytics", "keep", "P365D", List.of(partner("x", "2027-12-31"), partner("y", "2026-12-31"))),
                activity("marketing", "drop", "P730D", List.of()));
        assertThat(RecordDiff.between(before, after)).extracting(Change::activity, Change::kind, Change::detail, Change::file)
                .containsExactly(
                        tuple("analytics", "recipient-added", "partner 'y' under agreement 'a-y'", "config/agreements.yaml"),
                        tuple("analytics", "retention-shortened", "table 'lead': P365D instead of P730D",
                                "caravan.retention.* (config/application.yaml)"),
                        tuple("analytics", "protection-weakened", "field 'street' to warehouse: now keep instead of drop",
                                "config/policies.yaml"),
                        tuple("marketing", "purpose-added", "purpose 'marketing' (consent)", "config/purposes.yaml"));
    }

    @Test
    void anUnchangedRecordHasNoChangesAndALongerRetentionIsAnExtension() {
        ProcessingRecord record = record(activity("analytics", "hmac", "P730D", List.of()));
        assertThat(RecordDiff.between(record, record)).isEmpty();
        assertThat(RecordDiff.between(record, record(activity("analytics", "drop", "P3650D", List.of()))))
                .extracting(Change::kind).containsExactly("retention-extended", "protection-strengthened");
    }
}
