package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.consent.PurposeRegistry;
import io.caravan.error.ConfigException;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.Identifiers;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.PolicyRegistry;
import io.caravan.pseudonymise.Tokeniser;
import io.caravan.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Audience activation exports against the real warehouse schema: the segment (ID.4 leads of the
 * last 90 days without an ID.4 sale) with consent for {@code marketing_activation} checked in SQL at
 * export time, identifiers unsealed from the identity vault and normalised and hashed as each
 * platform publishes it ({@code activation/published-normalisation-examples.csv}, hashes computed
 * independently here and, where the platform publishes one, compared with it), the export log, and
 * the minimum audience.
 */
class ActivationExportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARTNER = "google-ads";

    private static DataSource database;
    private static JdbcTemplate jdbc;

    @TempDir
    Path dir;

    private KeyRing keys;
    private Path outbox;
    private final Map<String, String> subjects = new LinkedHashMap<>(); // label -> warehouse subject token
    private int sequence;

    /** One published example: the platform's normalised value of an input. */
    private record Example(String platform, String field, String input, String region, String normalised,
                           String publishedSha256, String source) {
    }

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.fresh("activation_export_it");
        jdbc = new JdbcTemplate(database);
    }

    @BeforeEach
    void setUp() throws Exception {
        jdbc.update("TRUNCATE caravan.lead, caravan.sale, caravan.consent_event, caravan.export_log, caravan.export");
        keys = GeneratedKeyRing.open(dir.resolve("keys"), List.of(KeyRing.WAREHOUSE));
        outbox = dir.resolve("sftp").resolve(PARTNER).resolve("outbox");
        Files.createDirectories(outbox);
        Instant now = Instant.now();
        // the published examples' people: in the segment, consented
        lead("john", "John_Smith@gmail.com", "(650)555-1212", "US", "ID.4", now.minus(10, ChronoUnit.DAYS), "granted");
        lead("customer", "  Customer@Example.com ", "1-800-888-8888", "US", "ID.4", now.minus(89, ChronoUnit.DAYS), "granted");
        lead("phone-only", null, "+44 844 412 4653", "GB", "ID.4", now.minus(1, ChronoUnit.DAYS), "granted");
        // left out
        lead("withdrawn", "withdrawn@example.org", null, "DE", "ID.4", now.minus(5, ChronoUnit.DAYS), "granted");
        consent(subjects.get("withdrawn"), "withdrawn", now.minus(1, ChronoUnit.DAYS));
        lead("never-asked", "never@example.org", null, "DE", "ID.4", now.minus(5, ChronoUnit.DAYS), null);
        lead("erased", "erased@example.org", null, "DE", "ID.4", now.minus(5, ChronoUnit.DAYS), "granted");
        erase(subjects.get("erased"));
        lead("bought", "bought@example.org", null, "DE", "ID.4", now.minus(5, ChronoUnit.DAYS), "granted");
        jdbc.update("INSERT INTO caravan.sale (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, "
                + "sale_id, sale_date, model, subject_token) VALUES ('rk-sale', 'test', 'dealer-nord', 'first_party', "
                + "'b-test', now(), 'S-1', current_date, 'ID.4', ?)", subjects.get("bought"));
        lead("too-old", "old@example.org", null, "DE", "ID.4", now.minus(120, ChronoUnit.DAYS), "granted");
        lead("other-model", "polo@example.org", null, "DE", "Polo", now.minus(5, ChronoUnit.DAYS), "granted");
    }

    @Test
    void aGoogleFileHoldsExactlyTheConsentedSubjectsHashesAsGoogleNormalisesThem() throws Exception {
        Exporter.Result result = exporter(agreement("google_customer_match", "")).run("id4-google");

        assertThat(result.status()).as(result.reason()).isEqualTo("completed");
        List<String> lines = Files.readAllLines(outbox.resolve(result.fileName()), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("Email,Phone");
        assertThat(lines.subList(1, lines.size())).containsExactlyInAnyOrder(
                sha256(expected("google_customer_match", "email", "John_Smith@gmail.com")) + ","
                        + sha256(expected("google_customer_match", "phone", "(650)555-1212")),
                sha256(expected("google_customer_match", "email", "  Customer@Example.com ")) + ","
                        + sha256(expected("google_customer_match", "phone", "1-800-888-8888")),
                "," + sha256(expected("google_customer_match", "phone", "+44 844 412 4653")));
        assertThat(expected("google_customer_match", "phone", "1-800-888-8888")).isEqualTo("+18008888888");

        JsonNode manifest = JSON.readTree(outbox.resolve(result.fileName() + ".manifest.json").toFile());
        assertThat(manifest.path("platform").asString()).isEqualTo("google_customer_match");
        assertThat(manifest.path("rows").asLong()).isEqualTo(3);
        assertThat(manifest.path("sha256").asString()).isEqualTo(sha256(outbox.resolve(result.fileName())));
        assertThat(manifest.path("subjects_consent_filtered").asLong()).isEqualTo(2); // withdrawn, never asked
        assertThat(Files.readString(outbox.resolve(result.fileName() + ".manifest.json"))).doesNotContain("@");
    }

    @Test
    void aMetaFileMatchesTheHashesMetaPublishesForItsOwnExamples() throws Exception {
        Exporter.Result result = exporter(agreement("meta_custom_audiences", "").replace("google-ads", "meta-ads"))
                .run("id4-google");

        Path file = dir.resolve("sftp").resolve("meta-ads").resolve("outbox").resolve(result.fileName());
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("email,phone");
        assertThat(lines).contains("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f,"
                + "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176");
        assertThat(lines.subList(1, lines.size())).containsExactlyInAnyOrder(
                sha256(expected("meta_custom_audiences", "email", "John_Smith@gmail.com")) + ","
                        + sha256(expected("meta_custom_audiences", "phone", "(650)555-1212")),
                sha256(expected("meta_custom_audiences", "email", "  Customer@Example.com ")) + ","
                        + sha256(expected("meta_custom_audiences", "phone", "1-800-888-8888")),
                "," + sha256(expected("meta_custom_audiences", "phone", "+44 844 412 4653")));
    }

    @Test
    void everyPublishedExampleNormalisesAndHashesAsThePlatformSays() throws Exception {
        for (Example example : examples()) {
            AudiencePlatform platform = AudiencePlatform.of(example.platform()).orElseThrow();
            String caravan = example.field().equals("email") ? Identifiers.email(example.input())
                    : Identifiers.phone(example.input(), example.region());
            String normalised = example.field().equals("email") ? platform.email(caravan) : platform.phone(caravan);
            assertThat(normalised).as(example.toString()).isEqualTo(example.normalised());
            assertThat(AudiencePlatform.sha256(normalised)).as(example.toString()).isEqualTo(sha256(example.normalised()));
            if (!example.publishedSha256().isEmpty()) {
                assertThat(AudiencePlatform.sha256(normalised)).as(example.toString()).isEqualTo(example.publishedSha256());
            }
        }
    }

    @Test
    void theExportLogNamesExactlyTheSubjectsSentByWarehouseToken() {
        Exporter.Result result = exporter(agreement("google_customer_match", "")).run("id4-google");

        assertThat(jdbc.queryForList("SELECT subject_token FROM caravan.export_log WHERE export_id = ? AND partner_id = ?",
                String.class, result.exportId(), PARTNER))
                .containsExactlyInAnyOrder(subjects.get("john"), subjects.get("customer"), subjects.get("phone-only"));
    }

    @Test
    void anAudienceBelowTheMinimumIsRefusedAndNothingIsWrittenOrLogged() {
        Exporter.Result result = exporter(agreement("google_customer_match", "minimumAudience: 4")).run("id4-google");

        assertThat(result.status()).isEqualTo("refused");
        assertThat(result.reason()).isEqualTo("audience of 3 consented subjects is below the minimum of 4 for "
                + "google_customer_match: nothing exported");
        assertThat(jdbc.queryForObject("SELECT status FROM caravan.export WHERE export_id = ?", String.class,
                result.exportId())).isEqualTo("refused");
        assertThat(names(outbox)).isEmpty();
        assertThat(names(dir.resolve("staging"))).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.export_log", Long.class)).isZero();
    }

    @Test
    void subjectsWithoutTheAgreementsIdentifierDoNotCountTowardsTheMinimum() {
        Exporter.Result result = exporter(agreement("google_customer_match", "identifiers: [email]\n    minimumAudience: 3"))
                .run("id4-google");

        assertThat(result.status()).isEqualTo("refused");
        assertThat(result.reason()).contains("audience of 2 subjects with a usable email is below the minimum of 3");
        assertThat(names(outbox)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.export_log", Long.class)).isZero();
    }

    @Test
    void segmentValuesAreBoundNeverSpliced() throws Exception {
        Exporter.Result result = exporter(agreement("google_customer_match", "").replace("model: ID.4",
                "model: \"ID.4' OR '1'='1\"")).run("id4-google");

        assertThat(result.status()).isEqualTo("refused");
        assertThat(result.reason()).startsWith("audience of 0 consented subjects");
    }

    @Test
    void aMinimumBelowThePlatformsFloorOrAPurposeWithoutOptInIsAConfigurationError() {
        assertThatThrownBy(() -> exporter(agreement("google_customer_match", "minimumAudience: 2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("$.agreements[0].minimumAudience: 2 is below the floor of 3 configured for "
                        + "google_customer_match");
        assertThatThrownBy(() -> exporter(agreement("google_customer_match", "").replace("marketing_activation", "analytics")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("$.agreements[0].purpose: an activation needs a purpose with legal basis consent");
        assertThatThrownBy(() -> exporter(agreement("google_customer_match", "").replace("match: { model: ID.4 }",
                "match: { email_token: x }"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("$.agreements[0].segment.match.email_token: a segment cannot select by tokens");
    }

    // ---------------------------------------------------------------------------------------

    private Exporter exporter(String agreementsYaml) {
        try {
            Path file = dir.resolve("agreements.yaml");
            Files.writeString(file, agreementsYaml);
            PolicyRegistry policies = PolicyRegistry.load(Path.of("config/policies.yaml"));
            PurposeRegistry purposes = PurposeRegistry.load(Path.of("config/purposes.yaml"));
            AgreementRegistry agreements = AgreementRegistry.load(file, policies, purposes, new WarehouseColumns(database),
                    s -> s, Map.of("google_customer_match", 3, "meta_custom_audiences", 3));
            return new Exporter(agreements, policies, purposes, keys, database, new WarehouseColumns(database),
                    dir.resolve("sftp"), dir.resolve("staging"), null, Runnable::run, Clock.systemUTC(),
                    new io.caravan.audit.AuditTrail(database, new tools.jackson.databind.ObjectMapper()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String agreement(String platform, String extra) {
        return """
                agreements:
                  - id: id4-google
                    kind: activation
                    partner: google-ads
                    platform: %s
                    segment:
                      table: lead
                      within: { column: lead_at, days: 90 }
                      match: { model: ID.4 }
                      without: { table: sale, on: [model] }
                    purpose: marketing_activation
                    validUntil: 2099-12-31
                    transport: { type: outbox }
                    %s
                """.formatted(platform, extra);
    }

    private void lead(String label, String email, String phone, String region, String model, Instant at, String consent)
            throws Exception {
        Tokeniser tokens = keys.tokeniser(KeyRing.WAREHOUSE);
        String normalisedEmail = email == null ? null : Identifiers.email(email);
        String normalisedPhone = phone == null ? null : Identifiers.phone(phone, region);
        String subject = tokens.token(normalisedEmail != null ? normalisedEmail : normalisedPhone);
        Map<String, String> sealed = new HashMap<>();
        sealed.put("email_token", normalisedEmail);
        sealed.put("phone_token", normalisedPhone);
        sealed.put("subject_token", normalisedEmail != null ? normalisedEmail : normalisedPhone);
        int n = ++sequence;
        jdbc.update("INSERT INTO caravan.lead (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, "
                        + "lead_id, lead_at, model, subject_token, email_token, phone_token, key_id, sealed_identifiers) "
                        + "VALUES (?, 'test', 'autoboerse', 'second_party', 'b-test', now(), ?, ?, ?, ?, ?, ?, ?, ?)",
                "rk-" + n, "L-" + n, at.atOffset(java.time.ZoneOffset.UTC), model, subject,
                normalisedEmail == null ? null : tokens.token(normalisedEmail),
                normalisedPhone == null ? null : tokens.token(normalisedPhone), tokens.keyId(),
                keys.identitySeal().seal(sealed));
        subjects.put(label, subject);
        if (consent != null) {
            consent(subject, consent, at);
        }
    }

    private static void consent(String subject, String status, Instant at) {
        jdbc.update("INSERT INTO caravan.consent_event (event_id, subject_token, purpose, status, basis, captured_at, source) "
                        + "VALUES (?, ?, 'marketing_activation', ?, 'consent', ?, 'test')",
                java.util.UUID.randomUUID().toString(), subject, status, at.atOffset(java.time.ZoneOffset.UTC));
    }

    /** What an erasure leaves of a subject: no rows, no consent history (privacy/Erasure deletes both). */
    private static void erase(String subject) {
        jdbc.update("DELETE FROM caravan.lead WHERE subject_token = ?", subject);
        jdbc.update("DELETE FROM caravan.consent_event WHERE subject_token = ?", subject);
    }

    private static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        try (InputStream in = ActivationExportIT.class.getResourceAsStream("/activation/published-normalisation-examples.csv")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.startsWith("#")).toList();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                examples.add(new Example(f[0], f[1], f[2], f[3], f[4], f[5], f[6]));
            }
        }
        assertThat(examples).hasSizeGreaterThanOrEqualTo(8);
        return examples;
    }

    private static String expected(String platform, String field, String input) throws IOException {
        return examples().stream().filter(e -> e.platform().equals(platform) && e.field().equals(field)
                && e.input().equals(input)).findFirst().orElseThrow().normalised();
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<String> names(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
