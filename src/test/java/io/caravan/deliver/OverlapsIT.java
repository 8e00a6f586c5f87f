package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import io.caravan.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Clean-room overlap against the real warehouse schema: partner uploads re-keyed on arrival and
 * deleted, aggregates only with small cells suppressed, Laplace noise and the per-pair budget.
 */
class OverlapsIT {
    private static DataSource database;
    private static JdbcTemplate jdbc;

    @TempDir
    Path dir;

    private KeyRing keys;
    private OverlapUploads uploads;
    private int sequence;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.fresh("overlaps_it");
        jdbc = new JdbcTemplate(database);
    }

    @BeforeEach
    void setUp() throws Exception {
        jdbc.update("TRUNCATE caravan.lead, caravan.consent_event, caravan.overlap_audience, caravan.overlap_member, "
                + "caravan.overlap_budget, caravan.overlap_query");
        keys = GeneratedKeyRing.open(dir.resolve("keys"), List.of(KeyRing.WAREHOUSE));
        uploads = new OverlapUploads(database, keys, Clock.systemUTC());
    }

    @Test
    void anAnswerHoldsAggregatesOnlyAndNoCellUnderTheMinimum() throws Exception {
        List<String> id4 = leads(60, "ID.4");
        List<String> polo = leads(30, "Polo");
        List<String> golf = leads(55, "Golf");
        List<String> list = new ArrayList<>(id4.subList(0, 55));
        list.addAll(polo.subList(0, 20));
        list.addAll(golf.subList(0, 52));
        list.addAll(strangers(40));
        upload("autoboerse", "q4", list);

        Overlaps.Answer answer = overlaps(1.0).ask(new Overlaps.Query("autoboerse:q4", null, "lead", "model", null, null), "op");

        assertThat(answer.cells()).allSatisfy(cell -> {
            if (!cell.suppressed()) {
                assertThat(cell.overlap()).isGreaterThanOrEqualTo(50);
                assertThat(cell.subjects()).isGreaterThanOrEqualTo(50);
            } else {
                assertThat(cell.overlap()).isNull();
                assertThat(cell.subjects()).isNull();
                assertThat(cell.matchRate()).isNull();
            }
        });
        assertThat(answer.cells()).extracting(Overlaps.Cell::segment, Overlaps.Cell::overlap, Overlaps.Cell::subjects,
                Overlaps.Cell::suppressed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Golf", 52L, 55L, false),
                org.assertj.core.groups.Tuple.tuple("ID.4", 55L, 60L, false),
                org.assertj.core.groups.Tuple.tuple("Polo", null, null, true));
        // the total adds up the cells shown: with Polo's 20 it would give the suppressed cell away
        assertThat(answer.total().overlap()).isEqualTo(55 + 52);
        assertThat(answer.audienceSize()).isEqualTo(list.size());
        assertThat(answer.total().matchRate()).isEqualTo(0.6407);
        assertThat(answer.toString()).doesNotContainPattern("[0-9a-f]{64}").doesNotContain("@");
        assertThat(answer.budget().spent()).isEqualByComparingTo("0");
    }

    @Test
    void aWithdrawnSubjectIsNotCountedAndASmallTotalIsSuppressedToo() throws Exception {
        List<String> id4 = leads(51, "ID.4");
        upload("autoboerse", "q4", id4);
        Overlaps overlaps = overlaps(1.0);
        assertThat(overlaps.ask(new Overlaps.Query("autoboerse:q4", "warehouse", null, null, null, null), "op")
                .total().overlap()).isEqualTo(51);

        String subject = keys.tokeniser(KeyRing.WAREHOUSE).token(id4.get(0));
        jdbc.update("INSERT INTO caravan.consent_event (event_id, subject_token, purpose, status, basis, captured_at, source) "
                + "VALUES ('w-1', ?, 'analytics', 'withdrawn', 'legitimate_interest', now(), 'test')", subject);
        jdbc.update("INSERT INTO caravan.consent_event (event_id, subject_token, purpose, status, basis, captured_at, source) "
                + "VALUES ('w-2', ?, 'analytics', 'withdrawn', 'legitimate_interest', now(), 'test')",
                keys.tokeniser(KeyRing.WAREHOUSE).token(id4.get(1)));

        Overlaps.Answer after = overlaps.ask(new Overlaps.Query("autoboerse:q4", "warehouse", null, null, null, null), "op");
        assertThat(after.total().suppressed()).isTrue(); // 49 < 50
        assertThat(after.total().overlap()).isNull();
    }

    @Test
    void theBudgetStopsTheQueryThatWouldExceedItAndRecordsWhatWasSpent() throws Exception {
        upload("autoboerse", "q4", leads(80, "ID.4"));
        Overlaps overlaps = overlaps(1.0);
        Overlaps.Query query = new Overlaps.Query("autoboerse:q4", "warehouse", "lead", "model", new BigDecimal("0.4"), null);

        Overlaps.Answer first = overlaps.ask(query, "op");
        Overlaps.Answer second = overlaps.ask(query, "op");

        assertThat(first.noise()).isEqualTo("laplace");
        assertThat(second.budget().spent()).isEqualByComparingTo("0.8");
        assertThat(second.budget().remaining()).isEqualByComparingTo("0.2");
        for (Overlaps.Answer answer : List.of(first, second)) {
            assertThat(answer.cells()).filteredOn(c -> !c.suppressed())
                    .allSatisfy(c -> assertThat(c.overlap()).isGreaterThanOrEqualTo(50));
        }
        assertThatThrownBy(() -> overlaps.ask(query, "op")).isInstanceOf(OverlapException.class)
                .hasMessage("the privacy budget of autoboerse and warehouse has 0.2 epsilon left; this query asks for 0.4")
                .extracting(e -> ((OverlapException) e).kind()).isEqualTo(OverlapException.Kind.REFUSED);
        assertThat(jdbc.queryForObject("SELECT epsilon_spent FROM caravan.overlap_budget WHERE partner_a = 'autoboerse' "
                + "AND partner_b = 'warehouse'", BigDecimal.class)).isEqualByComparingTo("0.8");
        assertThat(jdbc.queryForList("SELECT status FROM caravan.overlap_query ORDER BY asked_at", String.class))
                .containsExactly("answered", "answered", "refused");
        // a smaller query still fits
        assertThat(overlaps.ask(new Overlaps.Query("autoboerse:q4", null, null, null, new BigDecimal("0.2"), null), "op")
                .budget().remaining()).isEqualByComparingTo("0");
    }

    @Test
    void whereNoiseIsRequiredAQueryWithoutEpsilonIsRefused() throws Exception {
        upload("autoboerse", "q4", leads(60, "ID.4"));
        Overlaps strict = new Overlaps(database, keys, PurposeRegistry.load(Path.of("config/purposes.yaml")),
                new Overlaps.Settings(50, BigDecimal.ONE, "analytics", true), null, Clock.systemUTC());

        assertThatThrownBy(() -> strict.ask(new Overlaps.Query("autoboerse:q4", null, null, null, null, null), "op"))
                .isInstanceOf(OverlapException.class).hasMessageStartingWith("epsilon is required");
        assertThat(strict.ask(new Overlaps.Query("autoboerse:q4", null, null, null, new BigDecimal("0.5"), null), "op")
                .noise()).isEqualTo("laplace");
    }

    @Test
    void theNoiseIsLaplaceWithScaleSensitivityOverEpsilon() throws Exception {
        upload("autoboerse", "q4", leads(200, "ID.4"));
        Overlaps overlaps = new Overlaps(database, keys, PurposeRegistry.load(Path.of("config/purposes.yaml")),
                new Overlaps.Settings(50, new BigDecimal("1000"), "analytics"), new Random(7), Clock.systemUTC());
        double sumAbs = 0;
        int n = 200;
        for (int i = 0; i < n; i++) {
            long shown = overlaps.ask(new Overlaps.Query("autoboerse:q4", null, null, null, BigDecimal.ONE, null), "op")
                    .cells().get(0).overlap();
            sumAbs += Math.abs(shown - 200);
        }
        // against the warehouse without segments: sensitivity 2, epsilon 1, so E|noise| = 2
        assertThat(sumAbs / n).isBetween(1.5, 2.5);
    }

    @Test
    void twoPartnersAudiencesOverlapWithoutSegments() throws Exception {
        List<String> people = strangers(130);
        upload("autoboerse", "a", people.subList(0, 100));
        upload("allsecura", "b", people.subList(40, 130));

        Overlaps.Answer answer = overlaps(1.0).ask(new Overlaps.Query("autoboerse:a", "allsecura:b", null, null, null, null), "op");

        assertThat(answer.total().overlap()).isEqualTo(60);
        assertThat(answer.total().matchRate()).isEqualTo(0.6);
        assertThat(answer.pair()).containsExactly("allsecura", "autoboerse");
        assertThatThrownBy(() -> overlaps(1.0).ask(new Overlaps.Query("autoboerse:a", "allsecura:b", null, "model", null, null), "op"))
                .isInstanceOf(OverlapException.class).hasMessageContaining("segments exist only against the warehouse");
    }

    @Test
    void anUploadIsReKeyedOnArrivalAndDeleted() throws Exception {
        Path root = dir.resolve("sftp");
        Path folder = Files.createDirectories(root.resolve("autoboerse/inbox"));
        List<String> hashes = new ArrayList<>();
        StringBuilder csv = new StringBuilder("email_sha256,phone_sha256\r\n");
        for (String email : strangers(5)) {
            String hash = sha256(email);
            hashes.add(hash);
            csv.append(hash.toUpperCase()).append(",\r\n");
        }
        csv.append("not-a-hash,\r\n");
        Files.writeString(folder.resolve("spring.overlap"), csv);
        Files.createFile(folder.resolve("spring.overlap.ready"));

        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(OverlapConfiguration.route(uploads, root));
            camel.start();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (Files.exists(folder.resolve("spring.overlap")) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
        }

        assertThat(folder).isEmptyDirectory();
        assertThat(jdbc.queryForMap("SELECT status, rows_in, rows_accepted, rows_rejected FROM caravan.overlap_audience "
                + "WHERE audience_id = 'autoboerse:spring'")).containsEntry("status", "loaded").containsEntry("rows_in", 6L)
                .containsEntry("rows_accepted", 5L).containsEntry("rows_rejected", 1L);
        List<String> tokens = jdbc.queryForList("SELECT token FROM caravan.overlap_member", String.class);
        Tokeniser overlapKey = keys.tokeniser(OverlapUploads.KEY_DOMAIN);
        assertThat(tokens).hasSize(5).doesNotContainAnyElementsOf(hashes)
                .containsExactlyInAnyOrderElementsOf(hashes.stream().map(overlapKey::token).toList());
    }

    @Test
    void aFileWithoutAKnownHeaderIsRefusedAsAWhole() throws Exception {
        OverlapUploads.Loaded loaded = uploads.load("autoboerse", "bad.csv",
                new ByteArrayInputStream("email\r\nx@example.com\r\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(loaded.status()).isEqualTo("rejected");
        assertThat(loaded.error()).isEqualTo("line 1: the header must name email_sha256 and/or phone_sha256, each once");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.overlap_member", Long.class)).isZero();
    }

    // ---------------------------------------------------------------------------------------

    private Overlaps overlaps(double budget) {
        return new Overlaps(database, keys, PurposeRegistry.load(Path.of("config/purposes.yaml")),
                new Overlaps.Settings(50, BigDecimal.valueOf(budget), "analytics"), null, Clock.systemUTC());
    }

    /** Leads of {@code count} new subjects for {@code model}; returns their (normalised) e-mails. */
    private List<String> leads(int count, String model) {
        Tokeniser tokens = keys.tokeniser(KeyRing.WAREHOUSE);
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = ++sequence;
            String email = "person" + n + "@example.com";
            String subject = tokens.token(email);
            jdbc.update("INSERT INTO caravan.lead (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, "
                    + "lead_id, lead_at, model, postcode_area, subject_token, email_token, key_id, sealed_identifiers) VALUES "
                    + "(?, 'test', 'autoboerse', 'second_party', 'b-test', now(), ?, now(), ?, '10', ?, ?, ?, ?)",
                    "rk-" + n, "L-" + n, model, subject, subject, tokens.keyId(),
                    keys.identitySeal().seal(Map.of("email_token", email, "subject_token", email)));
            emails.add(email);
        }
        return emails;
    }

    private List<String> strangers(int count) {
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            emails.add("stranger" + (++sequence) + "@example.net");
        }
        return emails;
    }

    /** Uploads the e-mails' Google-normalised SHA-256 (computed here, independently of the platform code). */
    private void upload(String partner, String name, List<String> emails) throws Exception {
        StringBuilder csv = new StringBuilder("email_sha256\n");
        for (String email : emails) {
            csv.append(sha256(email.strip().toLowerCase())).append('\n');
        }
        assertThat(uploads.load(partner, name + ".csv", new ByteArrayInputStream(csv.toString()
                .getBytes(StandardCharsets.UTF_8))).status()).isEqualTo("loaded");
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
