package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PseudonymiserTest {
    private static final String EMAIL = "jane.doe@example.com";
    private static final String PHONE = "+4915112345678";
    private static final String VIN = "1M8GDM9AXKP042788";

    @TempDir
    Path temp;
    private KeyRing keys;
    private Pseudonymiser warehouse;

    @BeforeEach
    void setUp() {
        keys = GeneratedKeyRing.open(temp.resolve("keys"), List.of("warehouse"));
        warehouse = new Pseudonymisers(PolicyRegistry.load(Path.of("config/policies.yaml")), keys)
                .forPolicy("warehouse").orElseThrow();
    }

    /** A harmonised sale row with every kind of personal field. */
    private static Map<String, Object> sale() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("sale_id", "S-1001");
        fields.put("make", "Volkswagen");
        fields.put("price_amount", new BigDecimal("23990.00"));
        fields.put("sale_date", LocalDate.of(2026, 3, 14));
        fields.put("email", EMAIL);
        fields.put("phone", PHONE);
        fields.put("vin", VIN);
        fields.put("postcode", "10115");
        fields.put("birth_date", LocalDate.of(1985, 7, 2));
        fields.put("first_name", "Jane");
        fields.put("last_name", "Doe");
        fields.put("street", "Musterstraße 1");
        fields.put("comment", "call after 5pm");
        fields.put("loyalty_tier", "gold");
        fields.put("_subject", "email");
        return fields;
    }

    private static RecordBatch batch(List<Row> rows) {
        return new RecordBatch(new BatchContext("b-1", "route", "dealer-dms-sales", "dealer-nord", "first_party",
                "sales.csv", Instant.now()), rows.iterator(), null);
    }

    private static List<Row> drain(RecordBatch batch) {
        List<Row> out = new ArrayList<>();
        batch.rows().forEachRemaining(out::add);
        return out;
    }

    @Test
    void pendingRowLeavesWithOnlyTokensGeneralisedAndKeptFields() {
        Tokeniser tokeniser = keys.tokeniser("warehouse");
        Row row = new Row(1, sale());

        drain(warehouse.pseudonymise(batch(List.of(row))));

        assertThat(row.fields()).containsOnly(
                entry("sale_id", "S-1001"),
                entry("make", "Volkswagen"),
                entry("price_amount", new BigDecimal("23990.00")),
                entry("sale_date", LocalDate.of(2026, 3, 14)),
                entry("email_token", tokeniser.token(EMAIL)),
                entry("phone_token", tokeniser.token(PHONE)),
                entry("vin_token", tokeniser.token(VIN)),
                entry("subject_token", tokeniser.token(EMAIL)),
                entry("postcode_area", "10"),
                entry("birth_year", 1985),
                entry("sealed_identifiers", keys.identitySeal().seal(Map.of("email_token", EMAIL, "phone_token", PHONE,
                        "vin_token", VIN, "subject_token", EMAIL))));
        // the seal holds exactly the normalised values behind the tokens, for the re-key job
        assertThat(keys.identitySeal().open((String) row.fields().get("sealed_identifiers"))).containsOnly(
                entry("email_token", EMAIL), entry("phone_token", PHONE), entry("vin_token", VIN), entry("subject_token", EMAIL));
        // tokens are pinned to their exact HMACs above; random hex may contain digit runs such as "151"
        assertThat(row.fields().values()).noneMatch(v -> v instanceof String s && !s.matches("[0-9a-f]{64}")
                && !s.equals(row.fields().get("sealed_identifiers"))
                && (s.contains("jane") || s.contains("Jane") || s.contains("Doe") || s.contains("151") || s.contains("Muster")
                || s.contains("042788") || s.contains("10115") || s.contains("gold") || s.contains("5pm")));
        assertThat(row.keyId()).isEqualTo(tokeniser.keyId());
        assertThat(row.isPending()).isTrue();
    }

    @Test
    void subjectTokenFollowsTheSubjectField() {
        Map<String, Object> fields = sale();
        fields.remove("email");
        fields.put("_subject", "phone");
        Row row = new Row(1, fields);

        drain(warehouse.pseudonymise(batch(List.of(row))));

        assertThat(row.fields()).containsEntry("subject_token", keys.tokeniser("warehouse").token(PHONE))
                .doesNotContainKeys("email_token", "_subject");
    }

    @Test
    void rowWithoutSubjectGetsNoSubjectToken() {
        Map<String, Object> fields = sale();
        fields.remove("_subject");
        Row row = new Row(1, fields);

        drain(warehouse.pseudonymise(batch(List.of(row))));

        assertThat(row.fields()).doesNotContainKey("subject_token").containsKey("email_token");
    }

    @Test
    void rowWithoutIdentifiersHasNoKeyId() {
        Row row = new Row(1, new HashMap<>(Map.of("platform", "meta", "campaign_id", "c-1", "clicks", 12L)));

        drain(warehouse.pseudonymise(batch(List.of(row))));

        assertThat(row.fields()).containsOnly(entry("platform", "meta"), entry("campaign_id", "c-1"), entry("clicks", 12L));
        assertThat(row.keyId()).isNull();
    }

    @Test
    void rowsNoLongerPendingPassUntouched() {
        Row rejected = new Row(1, sale());
        rejected.reject("vin", "invalid VIN check digit");
        Map<String, Object> before = rejected.fields();

        List<Row> out = drain(warehouse.pseudonymise(batch(List.of(rejected, new Row(2, sale())))));

        assertThat(out).extracting(Row::number).containsExactly(1L, 2L);
        assertThat(rejected.fields()).isSameAs(before).containsKey("email");
        assertThat(rejected.disposition()).isEqualTo(Disposition.REJECTED);
        assertThat(out.get(1).fields()).containsKey("email_token").doesNotContainKey("email");
    }

    @Test
    void wrapsTheBatchLazilyAndNamesPolicyAndKeyOnTheContext() {
        AtomicInteger pulled = new AtomicInteger();
        Iterator<Row> source = new Iterator<>() {
            @Override public boolean hasNext() { return pulled.get() < 3; }
            @Override public Row next() { return new Row(pulled.incrementAndGet(), sale()); }
        };
        RecordBatch batch = new RecordBatch(new BatchContext("b-2", "route", "c", "p", "first_party", "f", Instant.now()),
                source, null);

        RecordBatch wrapped = warehouse.pseudonymise(batch);

        assertThat(pulled).hasValue(0);
        assertThat(wrapped.context().policyId()).isEqualTo("warehouse");
        assertThat(wrapped.context().keyId()).isEqualTo(keys.tokeniser("warehouse").keyId());
        assertThat(drain(wrapped)).hasSize(3).allSatisfy(r -> assertThat(r.fields()).containsKey("email_token"));
    }

    @Test
    void valueOfTheWrongTypeIsNulledWithAWarningNamingTheField() {
        Map<String, Object> fields = sale();
        fields.put("birth_date", "02.07.1985");
        Row row = new Row(1, fields);

        drain(warehouse.pseudonymise(batch(List.of(row))));

        assertThat(row.fields()).containsEntry("birth_year", null);
        assertThat(row.issues()).singleElement().satisfies(issue -> {
            assertThat(issue.field()).isEqualTo("birth_date");
            assertThat(issue.fatal()).isFalse();
            assertThat(issue.reason()).doesNotContain("1985");
        });
    }

    @Test
    void encryptWritesDeterministicCiphertextThatOnlyTheKeysetReverses() throws Exception {
        Path file = temp.resolve("policies.yaml");
        Files.writeString(file, """
                policies:
                  - id: partner-export
                    keyDomain: partner-a
                    keep: [sale_id]
                    fields: {email: encrypt, phone: hmac, price_amount: generalise}
                    bands: {price_amount: [0, 10000, 20000, 30000]}
                """);
        Pseudonymiser export = new Pseudonymisers(PolicyRegistry.load(file), keys).forPolicy("partner-export").orElseThrow();
        Row first = new Row(1, sale());
        Row second = new Row(2, sale());

        drain(export.pseudonymise(batch(List.of(first, second))));

        String ciphertext = (String) first.fields().get("email_enc");
        assertThat(ciphertext).matches("[A-Za-z0-9_-]+").isEqualTo(second.fields().get("email_enc")).doesNotContain("jane");
        assertThat(keys.cipher().decrypt("email", ciphertext)).isEqualTo(EMAIL);
        assertThat(first.fields()).containsOnlyKeys("sale_id", "email_enc", "phone_token", "price_band")
                .containsEntry("price_band", "20000-30000")
                .containsEntry("phone_token", keys.tokeniser("partner-a").token(PHONE));
        assertThat(first.fields().get("phone_token")).isNotEqualTo(keys.tokeniser("warehouse").token(PHONE));
        assertThat(first.keyId()).startsWith("partner-a-");
    }

    @Test
    void amountBandsLabelTheirRange() {
        AmountBands bands = new AmountBands(List.of(BigDecimal.ZERO, new BigDecimal("500"), new BigDecimal("1000.0")));
        assertThat(bands.band(new BigDecimal("-1"))).isEqualTo("<0");
        assertThat(bands.band(new BigDecimal("0"))).isEqualTo("0-500");
        assertThat(bands.band(new BigDecimal("499.99"))).isEqualTo("0-500");
        assertThat(bands.band(new BigDecimal("500"))).isEqualTo("500-1000");
        assertThat(bands.band(new BigDecimal("1000"))).isEqualTo("1000+");
        assertThat(AmountBands.DEFAULT.band(new BigDecimal("23990.00"))).isEqualTo("20000-30000");
    }
}
