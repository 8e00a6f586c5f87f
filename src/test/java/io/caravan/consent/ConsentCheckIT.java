package io.caravan.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.RecordBatch;
import io.caravan.pipeline.Row;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import io.caravan.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

class ConsentCheckIT {
    private static final Instant T0 = Instant.parse("2026-01-10T09:00:00Z");
    private static final String JANE = "jane.doe@example.com";
    private static final String MAX = "max.mustermann@example.com";
    private static final String PHONE = "+4915112345678";

    private static DataSource database;
    private static PurposeRegistry purposes;

    @TempDir
    Path temp;
    private KeyRing keys;
    private ConsentStore store;
    private JdbcConsentCheck check;
    private Purpose analytics;
    private Purpose marketing;

    @BeforeAll
    static void database() {
        database = TestDatabase.fresh("consent_check_it");
        purposes = PurposeRegistry.load(Path.of("config/purposes.yaml"));
    }

    @BeforeEach
    void setUp() {
        new JdbcTemplate(database).execute("TRUNCATE caravan.consent_event, caravan.suppression, caravan.batch_subject");
        keys = GeneratedKeyRing.open(temp.resolve("keys"), List.of(KeyRing.WAREHOUSE));
        store = new ConsentStore(database, purposes);
        check = new JdbcConsentCheck(database, keys);
        analytics = purposes.require("analytics");
        marketing = purposes.require("marketing_activation");
    }

    // ---- fixtures ----

    private String token(String identifier) {
        return keys.tokeniser(KeyRing.WAREHOUSE).token(identifier);
    }

    private void event(String identifier, Purpose purpose, ConsentStatus status, Instant at) {
        store.record(ConsentEvent.of(token(identifier), keys.tokeniser(KeyRing.WAREHOUSE).keyId(), purpose, status, at, "test"));
    }

    private void event(String eventId, String identifier, Purpose purpose, ConsentStatus status, Instant at) {
        store.record(new ConsentEvent(eventId, token(identifier), purpose.id(), status, purpose.basis(), at, "test", null));
    }

    /** Puts a subject on the suppression list as erasure does: a token of the suppression key domain. */
    private void suppress(String identifier) {
        Tokeniser suppression = keys.tokeniser(KeyRing.SUPPRESSION);
        new JdbcTemplate(database).update("INSERT INTO caravan.suppression (token, key_id) VALUES (?, ?)",
                suppression.token(identifier), suppression.keyId());
    }

    private static Row subject(long number, String email) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("email", email);
        fields.put("_subject", "email");
        fields.put("lead_id", "L-" + number);
        return new Row(number, fields);
    }

    private Disposition decide(Purpose purpose, Row row) {
        check.check(purpose, List.of(row));
        return row.disposition();
    }

    // ---- legal bases ----

    @Test
    void optInPurposeFiltersSubjectsWithoutAGrant() {
        event(JANE, marketing, ConsentStatus.GRANTED, T0);

        Row jane = subject(1, JANE);
        Row max = subject(2, MAX);
        check.check(marketing, List.of(jane, max));

        assertThat(jane.disposition()).isEqualTo(Disposition.PENDING);
        assertThat(max.disposition()).isEqualTo(Disposition.CONSENT_FILTERED);
    }

    @Test
    void optOutPurposePassesSubjectsWithoutEventsAndFiltersWithdrawn() {
        event(MAX, analytics, ConsentStatus.WITHDRAWN, T0);

        Row jane = subject(1, JANE);
        Row max = subject(2, MAX);
        check.check(analytics, List.of(jane, max));

        assertThat(jane.disposition()).isEqualTo(Disposition.PENDING);
        assertThat(max.disposition()).isEqualTo(Disposition.CONSENT_FILTERED);
    }

    @Test
    void eventsForAnotherPurposeDoNotCount() {
        event(JANE, marketing, ConsentStatus.WITHDRAWN, T0);
        event(MAX, analytics, ConsentStatus.GRANTED, T0);

        assertThat(decide(analytics, subject(1, JANE))).isEqualTo(Disposition.PENDING);
        assertThat(decide(marketing, subject(2, MAX))).isEqualTo(Disposition.CONSENT_FILTERED);
    }

    // ---- latest event wins ----

    @Test
    void withdrawnConsentAfterAGrantFiltersLaterRecords() {
        event(JANE, marketing, ConsentStatus.GRANTED, T0);
        event(JANE, marketing, ConsentStatus.WITHDRAWN, T0.plusSeconds(60));

        assertThat(decide(marketing, subject(1, JANE))).isEqualTo(Disposition.CONSENT_FILTERED);
    }

    @Test
    void grantAfterWithdrawalPassesAgain() {
        event(JANE, marketing, ConsentStatus.WITHDRAWN, T0);
        event(JANE, marketing, ConsentStatus.GRANTED, T0.plusSeconds(60));

        assertThat(decide(marketing, subject(1, JANE))).isEqualTo(Disposition.PENDING);
    }

    @Test
    void latestByCaptureTimeWinsWhateverTheOrderOfArrival() {
        event(JANE, analytics, ConsentStatus.GRANTED, T0.plusSeconds(3600));
        event(JANE, analytics, ConsentStatus.WITHDRAWN, T0); // arrives later, captured earlier

        assertThat(decide(analytics, subject(1, JANE))).isEqualTo(Disposition.PENDING);
    }

    @Test
    void tieOnCaptureTimeGoesToTheGreatestEventId() {
        event("evt-b", JANE, marketing, ConsentStatus.WITHDRAWN, T0);
        event("evt-a", JANE, marketing, ConsentStatus.GRANTED, T0);
        event("evt-1", MAX, marketing, ConsentStatus.WITHDRAWN, T0);
        event("evt-2", MAX, marketing, ConsentStatus.GRANTED, T0);

        assertThat(decide(marketing, subject(1, JANE))).isEqualTo(Disposition.CONSENT_FILTERED);
        assertThat(decide(marketing, subject(2, MAX))).isEqualTo(Disposition.PENDING);
    }

    // ---- suppression, subjects, tokens ----

    @Test
    void suppressionWinsOverConsent() {
        event(JANE, marketing, ConsentStatus.GRANTED, T0);
        suppress(PHONE);
        Row row = subject(1, JANE);
        row.fields().put("phone", PHONE);

        assertThat(decide(marketing, row)).isEqualTo(Disposition.SUPPRESSED);
    }

    @Test
    void suppressedSubjectIsSuppressedEvenWithoutConsentEvents() {
        suppress(JANE);
        assertThat(decide(analytics, subject(1, JANE))).isEqualTo(Disposition.SUPPRESSED);
    }

    @Test
    void rowsWithoutSubjectPassButTheirIdentifiersAreStillSuppressed() {
        Row aggregate = new Row(1, new HashMap<>(Map.of("campaign_id", "c-1", "clicks", 10L)));
        Row phoneOnly = new Row(2, new HashMap<>(Map.of("phone", "+4915199999999")));
        Row suppressedPhone = new Row(3, new HashMap<>(Map.of("phone", PHONE)));
        suppress(PHONE);

        check.check(marketing, List.of(aggregate, phoneOnly, suppressedPhone));

        assertThat(aggregate.disposition()).isEqualTo(Disposition.PENDING);
        assertThat(phoneOnly.disposition()).isEqualTo(Disposition.PENDING);
        assertThat(suppressedPhone.disposition()).isEqualTo(Disposition.SUPPRESSED);
        assertThat(aggregate.subjectToken()).isNull();
        assertThat(phoneOnly.subjectToken()).isNull();
    }

    @Test
    void setsTheWarehouseSubjectTokenOfTheSubjectField() {
        Row row = new Row(1, new HashMap<>(Map.of("email", JANE, "phone", PHONE, "_subject", "phone")));

        check.check(analytics, List.of(row));

        assertThat(row.subjectToken()).isEqualTo(token(PHONE)).hasSize(64);
    }

    @Test
    void rowsNoLongerPendingAreLeftAlone() {
        suppress(JANE);
        Row rejected = subject(1, JANE);
        rejected.reject("email", "e-mail domain must contain a dot");

        check.check(analytics, List.of(rejected));

        assertThat(rejected.disposition()).isEqualTo(Disposition.REJECTED);
        assertThat(rejected.subjectToken()).isNull();
    }

    @Test
    void afterKeyRotationTheOldKeysHistoryAndSuppressionStillCount() {
        event(JANE, analytics, ConsentStatus.WITHDRAWN, T0);
        suppress(MAX);
        String oldJaneToken = token(JANE);

        keys.rotate(KeyRing.WAREHOUSE);
        Row jane = subject(1, JANE);
        Row max = subject(2, MAX);
        check.check(analytics, List.of(jane, max));

        assertThat(jane.disposition()).isEqualTo(Disposition.CONSENT_FILTERED);
        assertThat(max.disposition()).isEqualTo(Disposition.SUPPRESSED);
        assertThat(jane.subjectToken()).isEqualTo(token(JANE)).isNotEqualTo(oldJaneToken);
    }

    @Test
    void newerEventUnderTheNewKeyOverridesTheOldKeysHistory() {
        event(JANE, marketing, ConsentStatus.GRANTED, T0);
        keys.rotate(KeyRing.WAREHOUSE);
        event(JANE, marketing, ConsentStatus.WITHDRAWN, T0.plusSeconds(1));

        assertThat(decide(marketing, subject(1, JANE))).isEqualTo(Disposition.CONSENT_FILTERED);
    }

    // ---- the store ----

    @Test
    void recordingTheSameEventTwiceAppendsItOnce() {
        ConsentEvent event = ConsentEvent.of(token(JANE), null, marketing, ConsentStatus.GRANTED, T0, "preference-centre");
        assertThat(store.record(event)).isTrue();
        assertThat(store.record(event)).isFalse();
        assertThat(new JdbcTemplate(database).queryForObject("SELECT count(*) FROM caravan.consent_event", Long.class))
                .isEqualTo(1L);
    }

    @Test
    void storeAcceptsTokensOnlyAndNeverEchoesTheValue() {
        assertThatThrownBy(() -> ConsentEvent.of(JANE, null, marketing, ConsentStatus.GRANTED, T0, "api"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(JANE);
        ConsentEvent unknownPurpose = new ConsentEvent("e-1", token(JANE), "profiling", ConsentStatus.GRANTED,
                LegalBasis.CONSENT, T0, "api", null);
        assertThatThrownBy(() -> store.record(unknownPurpose)).hasMessageContaining("unknown purpose 'profiling'");
    }

    // ---- the consent: component, in chunks ----

    /** Counts connections taken from the real database: one per query. */
    private static final class CountingDataSource extends DelegatingDataSource {
        final AtomicInteger connections = new AtomicInteger();

        CountingDataSource(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            connections.incrementAndGet();
            return super.getConnection();
        }
    }

    @Test
    void consentStepChecksLargeBatchesLazilyInChunksWithTwoQueriesEach() throws Exception {
        for (int i = 0; i < 2_500; i += 2) {
            event("user" + i + "@example.com", marketing, ConsentStatus.GRANTED, T0);
        }
        suppress("user7@example.com"); // odd, no grant: suppression must still win
        suppress("user2400@example.com"); // granted, in the last chunk
        CountingDataSource counting = new CountingDataSource(database);
        AtomicInteger pulled = new AtomicInteger();
        Iterator<Row> source = new Iterator<>() {
            @Override public boolean hasNext() { return pulled.get() < 2_500; }
            @Override public Row next() {
                int i = pulled.getAndIncrement();
                return subject(i + 1, "user" + i + "@example.com");
            }
        };
        BatchContext context = new BatchContext("b-1", "r", "c", "p", "first_party", "leads.csv", Instant.now());

        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("consent", new ConsentComponent(purposes, new JdbcConsentCheck(counting, keys), new BatchSubjects(database, keys)));
            camel.start();
            Object body = camel.createProducerTemplate().requestBody("consent:marketing_activation",
                    new RecordBatch(context, source, null));

            assertThat(pulled).hasValue(0);
            assertThat(counting.connections).hasValue(0);
            assertThat(context.purpose()).isEqualTo("marketing_activation");

            List<Row> rows = new ArrayList<>();
            ((RecordBatch) body).rows().forEachRemaining(rows::add);

            assertThat(rows).extracting(Row::number).containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, 2_500).boxed().toList());
            assertThat(counting.connections).hasValue(6);
            for (Row row : rows) {
                int i = (int) row.number() - 1;
                Disposition expected = i == 7 || i == 2400 ? Disposition.SUPPRESSED
                        : i % 2 == 0 ? Disposition.PENDING : Disposition.CONSENT_FILTERED;
                assertThat(row.disposition()).as("row %d", row.number()).isEqualTo(expected);
            }
        }
    }

    // ---- token-keyed check (export time) ----

    @Test
    void tokenKeyedCheckAppliesOptInAndOptOutToStoredTokens() {
        event(JANE, marketing, ConsentStatus.GRANTED, T0);
        event(MAX, analytics, ConsentStatus.WITHDRAWN, T0);
        String nobody = token("nobody@example.com");

        assertThat(check.permittedTokens(marketing, java.util.Arrays.asList(token(JANE), token(MAX), nobody, null)))
                .containsExactly(token(JANE));
        assertThat(check.permittedTokens(analytics, List.of(token(JANE), token(MAX), nobody)))
                .containsExactlyInAnyOrder(token(JANE), nobody);
    }

    @Test
    void tokenKeyedCheckStopsAnExportAfterAWithdrawal() {
        event(JANE, marketing, ConsentStatus.GRANTED, T0);
        assertThat(check.permittedTokens(marketing, List.of(token(JANE)))).containsExactly(token(JANE));

        event(JANE, marketing, ConsentStatus.WITHDRAWN, T0.plusSeconds(60));

        assertThat(check.permittedTokens(marketing, List.of(token(JANE)))).isEmpty();
    }

    @Test
    void suppressionTokensAreOfTheirOwnKeyDomainAndSurviveWarehouseAndSuppressionKeyRotation() {
        suppress(JANE);
        String listed = new JdbcTemplate(database).queryForObject("SELECT token FROM caravan.suppression", String.class);
        assertThat(listed).isNotEqualTo(token(JANE)).hasSize(64);

        keys.rotate(KeyRing.WAREHOUSE);
        assertThat(decide(analytics, subject(1, JANE))).isEqualTo(Disposition.SUPPRESSED);
        keys.rotate(KeyRing.SUPPRESSION); // the old suppression key stays readable: the entry still counts
        assertThat(decide(analytics, subject(2, JANE))).isEqualTo(Disposition.SUPPRESSED);
        assertThat(decide(analytics, subject(3, MAX))).isEqualTo(Disposition.PENDING);
    }

    @Test
    void tokenKeyedCheckOfNoTokensAsksNothing() {
        CountingDataSource counting = new CountingDataSource(database);
        assertThat(new JdbcConsentCheck(counting, keys).permittedTokens(analytics, java.util.Collections.singletonList(null)))
                .isEmpty();
        assertThat(counting.connections).hasValue(0);
    }

    @Test
    void chunkSizeIsAnEndpointOption() throws Exception {
        CountingDataSource counting = new CountingDataSource(database);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            rows.add(subject(i + 1, "user" + i + "@example.com"));
        }
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("consent", new ConsentComponent(purposes, new JdbcConsentCheck(counting, keys), new BatchSubjects(database, keys)));
            camel.start();
            Object body = camel.createProducerTemplate().requestBody("consent:analytics?chunkSize=10",
                    new RecordBatch(new BatchContext("b-2", "r", "c", "p", "first_party", "f", Instant.now()), rows.iterator(), null));
            ((RecordBatch) body).rows().forEachRemaining(r -> { });
        }
        assertThat(counting.connections).hasValue(6); // 3 chunks, suppression + consent each
        assertThat(rows).allMatch(Row::isPending);
    }

    @Test
    void consentStepRecordsEverySubjectTheBatchSawAsSuppressionTokensWhateverBecameOfTheRow() throws Exception {
        suppress(MAX);
        event(JANE, marketing, ConsentStatus.GRANTED, T0);
        Row granted = subject(1, JANE);
        Row suppressed = subject(2, MAX);
        Row filtered = subject(3, "no.consent@example.com");
        Map<String, Object> phoneOnly = new HashMap<>();
        phoneOnly.put("phone", PHONE);
        phoneOnly.put("_subject", "phone");
        Row byPhone = new Row(4, phoneOnly);
        Row rejected = subject(5, "rejected@example.com");
        rejected.reject("lead_id", "required");
        Row aggregate = new Row(6, new HashMap<>(Map.of("clicks", 3)));
        List<Row> rows = List.of(granted, suppressed, filtered, byPhone, rejected, aggregate);
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("consent", new ConsentComponent(purposes, check, new BatchSubjects(database, keys)));
            camel.start();
            for (int run = 0; run < 2; run++) { // the same batch twice (a retried chunk): each sighting kept once
                Object body = camel.createProducerTemplate().requestBody("consent:marketing_activation?chunkSize=4",
                        new RecordBatch(new BatchContext("b-20260110-090000-0000abcd", "r", "c", "p", "first_party", "f",
                                Instant.now()), rows.iterator(), null));
                ((RecordBatch) body).rows().forEachRemaining(r -> { });
            }
        }
        assertThat(rows).extracting(Row::disposition).containsExactly(Disposition.PENDING, Disposition.SUPPRESSED,
                Disposition.CONSENT_FILTERED, Disposition.CONSENT_FILTERED, Disposition.REJECTED, Disposition.PENDING);
        Tokeniser suppression = keys.tokeniser(KeyRing.SUPPRESSION);
        List<Map<String, Object>> seen = new JdbcTemplate(database).queryForList(
                "SELECT batch_id, token, key_id FROM caravan.batch_subject ORDER BY token");
        assertThat(seen).extracting(r -> r.get("token")).containsExactlyInAnyOrder(suppression.token(JANE),
                suppression.token(MAX), suppression.token("no.consent@example.com"), suppression.token(PHONE),
                suppression.token("rejected@example.com"));
        assertThat(seen).allSatisfy(r -> {
            assertThat(r.get("batch_id")).isEqualTo("b-20260110-090000-0000abcd");
            assertThat(r.get("key_id")).isEqualTo(suppression.keyId());
        });
        assertThat(seen.toString()).doesNotContain("@").doesNotContain(PHONE).doesNotContain(token(JANE));
    }

    @Test
    void unknownPurposeInARouteUriIsAnError() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("consent", new ConsentComponent(purposes, check, new BatchSubjects(database, keys)));
            assertThatThrownBy(() -> camel.getEndpoint("consent:profiling"))
                    .isInstanceOf(ResolveEndpointFailedException.class)
                    .hasMessageContaining("unknown purpose 'profiling'");
        }
    }
}
