package io.caravan.flow;

import static io.caravan.testing.Inbox.deliver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The whole pipeline at DEBUG on inputs seeded with known identifiers (the sample dealer exports
 * and the preference-centre consent feeds, seeded as on first start), plus the privacy API
 * (consents by e-mail and phone, an erasure, a re-delivery of an erased subject). Then the
 * captured log and a dump of every table of schema {@code caravan} are searched for each raw
 * e-mail, phone (as written, digits only, E.164, with the trunk zero), name and VIN, and for the
 * unkeyed SHA-256 hex of each of those forms: zero hits. Last, every file under the data
 * directory outside an inbox before pickup is searched for the raw identifiers: picked-up files
 * are kept only encrypted.
 */
@ExtendWith(OutputCaptureExtension.class)
class PrivacyLeakIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NORD = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final Path SUED = Path.of("samples/dealer-sued/deliveries_2026-10.csv");
    private static final Path PREFERENCES_CSV = Path.of("samples/preference-centre/consents_2026-11-04.csv");
    private static final Path PREFERENCES_JSON = Path.of("samples/preference-centre/consents_2026-11-05.json");

    @TempDir
    Path data;

    @Test
    void noRawIdentifierNorItsUnkeyedHashReachesTheLogOrAnyTable(CapturedOutput output) throws Exception {
        try (CaravanApp app = CaravanApp.start(data, "caravan.samples.seed=true",
                "logging.level.io.caravan=DEBUG", "logging.level.org.apache.camel=DEBUG",
                "logging.level.org.springframework.web=DEBUG", "logging.level.org.springframework.security=DEBUG",
                "logging.level.org.springframework.jdbc=DEBUG")) {
            app.awaitBatches("dealer-nord-sales", 1, WAIT);
            app.awaitBatches("dealer-sued-deliveries", 1, WAIT);
            app.awaitBatches("preference-centre-consents", 2, WAIT);

            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers.User operator = app.bean(GeneratedUsers.class).users().get(0);
            String auth = ApiClient.basic(operator.name(), operator.password());
            assertThat(post(api, "/api/consents", auth, Map.of("email", "Sophie.Vogt1@example.com",
                    "purpose", "analytics", "status", "withdrawn", "capturedAt", "2026-11-10T10:00:00Z"))).isEqualTo(201);
            assertThat(post(api, "/api/consents", auth, Map.of("phone", "040 66969102",
                    "purpose", "marketing_activation", "status", "granted", "capturedAt", "2026-11-10T10:00:00Z"))).isEqualTo(201);
            assertThat(post(api, "/api/consents", auth, Map.of("email", "emilia.lange2@example",
                    "purpose", "analytics", "status", "granted", "capturedAt", "2026-11-10T10:00:00Z"))).isEqualTo(400);
            assertThat(post(api, "/api/erasures", auth, Map.of("email", "emilia.lange2@example.com"))).isEqualTo(200);
            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            deliver(NORD, inbox);
            Map<String, Object> again = app.awaitBatches("dealer-nord-sales", 2, WAIT).get(1);
            assertThat(again.get("rows_suppressed")).isEqualTo(1L);

            StringBuilder dump = new StringBuilder();
            List<String> tables = app.jdbc().queryForList(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'caravan'", String.class);
            assertThat(tables).contains("sale", "consent_event", "suppression", "audit_event", "batch", "rejection");
            for (String table : tables) {
                app.jdbc().queryForList("SELECT t::text FROM caravan.\"" + table + "\" t", String.class)
                        .forEach(r -> dump.append(r).append('\n'));
            }
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.consent_event", Long.class)).isGreaterThan(10L);

            Set<String> identifiers = new LinkedHashSet<>(SampleIdentifiers.of(
                    List.of(NORD, Charset.forName("ISO-8859-1")), List.of(SUED, StandardCharsets.UTF_8)));
            identifiers.addAll(preferenceCentreIdentifiers());
            assertThat(identifiers).hasSizeGreaterThan(320).contains("lena.koch@example.com", "+4915123456783");
            List<String> hashes = new ArrayList<>();
            for (String identifier : identifiers) {
                hashes.add(sha256(identifier));
                hashes.add(sha256(identifier.toLowerCase(Locale.ROOT)));
            }
            String tablesText = dump.toString();
            String log = output.getAll();
            assertThat(log).contains("DEBUG");
            assertThat(identifiers).allSatisfy(id -> {
                assertThat(SampleIdentifiers.occursIn(id, tablesText)).as("a raw identifier in a table").isFalse();
                assertThat(SampleIdentifiers.occursIn(id, log)).as("a raw identifier in the log").isFalse();
            });
            String tablesLower = tablesText.toLowerCase(Locale.ROOT);
            String logLower = log.toLowerCase(Locale.ROOT);
            assertThat(hashes).allSatisfy(hash -> {
                assertThat(tablesLower).as("an unkeyed SHA-256 of an identifier in a table").doesNotContain(hash);
                assertThat(logLower).as("an unkeyed SHA-256 of an identifier in the log").doesNotContain(hash);
            });

            // the data directory: once picked up, a partner file is kept only encrypted (inbox/.done/*.tink)
            await().atMost(WAIT).until(() -> plainKeptFiles(data.resolve("sftp")).isEmpty());
            Map<Path, String> files = readableFiles(data);
            assertThat(files.keySet()).as("kept files").anyMatch(f -> f.toString().endsWith(".tink"))
                    .filteredOn(f -> f.getParent().getFileName().toString().matches("\\.done|\\.failed"))
                    .allMatch(f -> f.toString().endsWith(".tink"));
            files.forEach((file, text) -> assertThat(identifiers).as("raw identifiers in %s", data.relativize(file))
                    .noneMatch(id -> SampleIdentifiers.occursIn(id, text)));
        }
    }

    /** Plain files still waiting in an inbox's {@code .done/} or {@code .failed/} for the archiver. */
    private static List<Path> plainKeptFiles(Path sftpRoot) throws IOException {
        try (Stream<Path> files = Files.walk(sftpRoot)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getParent().getFileName().toString().matches("\\.done|\\.failed"))
                    .filter(f -> !f.getFileName().toString().endsWith(".tink")).toList();
        }
    }

    /**
     * Every file under the data directory as text (ISO-8859-1 and UTF-8), except a partner's inbox
     * before pickup (files directly in {@code sftp/<partner>/inbox/}), the PostgreSQL cluster
     * (its tables were dumped and searched above) and the partner sandbox (it stands in for a
     * partner's own server, which is the partner's, not Caravan's).
     */
    private static Map<Path, String> readableFiles(Path data) throws IOException {
        Map<Path, String> texts = new java.util.LinkedHashMap<>();
        Files.walkFileTree(data, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes attrs) {
                boolean cluster = Files.exists(dir.resolve("PG_VERSION"));
                boolean sandbox = dir.getFileName().toString().equals("partner-sandbox");
                return cluster || sandbox ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs)
                    throws IOException {
                boolean inbox = file.getParent().getFileName().toString().equals("inbox");
                if (!inbox && attrs.isRegularFile() && attrs.size() < 64L << 20) {
                    byte[] bytes = Files.readAllBytes(file);
                    texts.put(file, new String(bytes, StandardCharsets.ISO_8859_1) + "\n" + new String(bytes, StandardCharsets.UTF_8));
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return texts;
    }

    /** E-mails and phones of the preference-centre samples, as written, lower-cased, digits only and E.164. */
    private static Set<String> preferenceCentreIdentifiers() throws IOException {
        Set<String> values = new LinkedHashSet<>();
        try (StringReader reader = new StringReader(Files.readString(PREFERENCES_CSV))) {
            for (CSVRecord record : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                addEmail(values, record.get("email"));
                addPhone(values, record.get("phone"));
            }
        }
        for (JsonNode consent : JSON.readTree(PREFERENCES_JSON.toFile()).get("consents")) {
            addEmail(values, consent.path("email").asString(""));
            addPhone(values, consent.path("mobile").asString(""));
        }
        return values;
    }

    private static void addEmail(Set<String> values, String email) {
        if (email.contains("@")) {
            values.add(email.strip());
            values.add(email.strip().toLowerCase(Locale.ROOT));
        }
    }

    private static void addPhone(Set<String> values, String phone) {
        String digits = phone.replaceAll("[^0-9]", "");
        if (digits.length() < 6) {
            return;
        }
        values.add(phone.strip());
        values.add(digits);
        if (digits.startsWith("0")) {
            values.add("+49" + digits.substring(1));
        } else if (digits.startsWith("49")) {
            values.add("+" + digits);
            values.add("0" + digits.substring(2));
        }
    }

    private static int post(ApiClient api, String path, String auth, Map<String, String> body) {
        return api.post(path, auth, JSON.writeValueAsString(body)).statusCode();
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
