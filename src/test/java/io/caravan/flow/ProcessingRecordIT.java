package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.caravan.testing.ApiClient;
import io.caravan.testing.LocalEnvFile;
import io.caravan.testing.OdcsSchema;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The record of processing over the real application: as configured at the first start, and
 * following a changed sharing agreement after a restart, in the record and in its change log.
 */
class ProcessingRecordIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path data;
    @TempDir
    Path configDir;

    @Test
    void recordFollowsAChangedAgreementInTheRecordAndTheChangeLog() throws Exception {
        copy(Path.of("config"), configDir);
        String start;
        try (CaravanApp app = CaravanApp.start(data, "caravan.config-dir=" + configDir)) {
            LocalEnvFile env = LocalEnvFile.in(data);
            ApiClient api = env.api();
            await().atMost(WAIT).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.processing_record_version", Long.class) == 1L);

            assertThat(api.get("/api/processing-record", null).statusCode()).isEqualTo(401);
            HttpResponse<String> answer = api.get("/api/processing-record", env.viewer());
            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode record = JSON.readTree(answer.body());
            assertThat(ids(record.path("activities"))).containsExactly("analytics", "dealer_follow_up", "marketing_activation", "partner_sharing");
            JsonNode sharing = record.path("activities").get(3);
            assertThat(sharing.path("recipients").get(1).path("agreement").asString()).isEqualTo("fahrbank-financed-sales");
            assertThat(sharing.path("recipients").get(1).path("validUntil").asString()).isEqualTo("2027-12-31");
            assertThat(record.path("controller").path("email").asString()).isEqualTo("privacy@example.com");

            HttpResponse<String> csv = api.get("/api/processing-record?format=csv", env.viewer());
            assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
            assertThat(csv.body().lines().findFirst()).contains("activity,name,legal_basis,section,item,value,note");
            assertThat(csv.body()).contains("partner_sharing,Partner sharing,consent,recipient,fahrbank-leasing,partner,");
            assertThat(api.get("/api/processing-record?format=xls", env.viewer()).statusCode()).isEqualTo(400);
            assertThat(api.get("/api/processing-record/changes?since=yesterday", env.viewer()).statusCode()).isEqualTo(400);

            JsonNode changes = JSON.readTree(api.get("/api/processing-record/changes?since=2000-01-01", env.viewer()).body());
            assertThat(changes).extracting(c -> c.path("kind").asString(), c -> c.path("activity").asString(),
                    c -> c.path("cause").asString()).containsExactly(
                    tuple("purpose-added", "analytics", "start"), tuple("purpose-added", "dealer_follow_up", "start"),
                    tuple("purpose-added", "marketing_activation", "start"),
                    tuple("purpose-added", "partner_sharing", "start"));
            start = changes.get(0).path("changedAt").asString();
        }

        Path agreements = configDir.resolve("agreements.yaml");
        Files.writeString(agreements, Files.readString(agreements).replaceFirst("validUntil: 2027-12-31", "validUntil: 2027-06-30") // the first: fahrbank's
                .replace("financed, postcode_area, subject_token]", "financed, subject_token]"));

        try (CaravanApp app = CaravanApp.start(data, "caravan.config-dir=" + configDir)) {
            LocalEnvFile env = LocalEnvFile.in(data);
            ApiClient api = env.api();
            await().atMost(WAIT).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.processing_record_version", Long.class) == 2L);
            JsonNode sharing = JSON.readTree(api.get("/api/processing-record", env.viewer()).body()).path("activities").get(3);
            assertThat(sharing.path("recipients").get(1).path("validUntil").asString()).isEqualTo("2027-06-30");

            JsonNode changes = JSON.readTree(api.get("/api/processing-record/changes?since=" + start, env.viewer()).body());
            List<String> kinds = new ArrayList<>();
            changes.forEach(c -> {
                if (c.path("version").asLong() == 2) {
                    kinds.add(c.path("kind").asString() + " " + c.path("detail").asString());
                    assertThat(c.path("file").asString()).endsWith("agreements.yaml");
                    assertThat(c.path("cause").asString()).isEqualTo("start");
                }
            });
            assertThat(kinds).containsExactly(
                    "recipient-validity-changed partner 'fahrbank-leasing' under agreement 'fahrbank-financed-sales': valid until 2027-06-30 instead of 2027-12-31",
                    "recipient-columns-changed partner 'fahrbank-leasing' under agreement 'fahrbank-financed-sales': columns added [], removed [postcode_area]",
                    "field-removed field 'postcode' to fahrbank-leasing no longer carried");
            // the agreement's ODCS contract: listed, served as YAML, valid, and written beside the export
            JsonNode list = JSON.readTree(api.get("/api/contracts", env.viewer()).body());
            assertThat(list).extracting(c -> c.path("id").asString())
                    .containsExactly("fahrbank-financed-sales", "dealer-nord-lead-routing", "id4-prospects-google");
            HttpResponse<String> served = api.get("/api/contracts/fahrbank-financed-sales", env.viewer());
            assertThat(served.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
            assertThat(OdcsSchema.problems(served.body())).isEmpty();
            assertThat(served.body()).contains("2027-06-30").doesNotContain("postcode_area");
            assertThat(api.get("/api/contracts/nope", env.viewer()).statusCode()).isEqualTo(404);
            assertThat(api.post("/api/agreements/fahrbank-financed-sales/run", env.operator(), null).statusCode()).isEqualTo(202);
            Path outbox = data.resolve("sftp/fahrbank-leasing/outbox");
            Path copy = await().atMost(WAIT).until(() -> {
                try (Stream<Path> files = Files.exists(outbox) ? Files.list(outbox) : Stream.empty()) {
                    return files.filter(f -> f.getFileName().toString().endsWith(".odcs.yaml")).findFirst().orElse(null);
                }
            }, java.util.Objects::nonNull);
            assertThat(Files.readString(copy)).isEqualTo(served.body());
            await().atMost(WAIT).until(() -> Files.exists(outbox.resolve(
                    copy.getFileName().toString().replace(".odcs.yaml", ".manifest.json"))));

            // nothing served holds a raw identifier of the samples, a key or a password
            String everything = api.get("/api/processing-record", env.viewer()).body()
                    + api.get("/api/processing-record?format=csv", env.viewer()).body()
                    + api.get("/api/processing-record/changes", env.viewer()).body() + served.body() + Files.readString(copy);
            for (String identifier : SampleIdentifiers.of(List.of(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"),
                    java.nio.charset.Charset.forName("ISO-8859-1")))) {
                assertThat(SampleIdentifiers.occursIn(identifier, everything)).as("a raw sample identifier").isFalse();
            }
            env.values().forEach((name, value) -> {
                if (name.contains("PASSWORD")) {
                    assertThat(everything).as(name).doesNotContain(value);
                }
            });
            try (Stream<Path> keys = Files.walk(data.resolve("keys"))) {
                for (Path key : keys.filter(Files::isRegularFile).toList()) {
                    java.util.regex.Matcher material = java.util.regex.Pattern.compile("[A-Za-z0-9+/=_-]{24,}")
                            .matcher(new String(Files.readAllBytes(key), java.nio.charset.StandardCharsets.ISO_8859_1));
                    while (material.find()) {
                        assertThat(everything).as("key material of " + key.getFileName()).doesNotContain(material.group());
                    }
                }
            }

            JsonNode versions = JSON.readTree(api.get("/api/processing-record/versions", env.viewer()).body());
            assertThat(versions).hasSize(2);
            assertThat(api.get("/api/processing-record/versions/1", env.viewer()).body()).contains("2027-12-31");
        }
    }

    @Test
    void aRouteFileAddedWhileRunningStoresAVersionNamingTheFile(@TempDir Path routes) throws Exception {
        Files.createDirectories(routes.resolve("_shared"));
        Files.copy(Path.of("routes/_shared/pipeline-errors.camel.yaml"), routes.resolve("_shared/pipeline-errors.camel.yaml"));
        Files.copy(Path.of("routes/dealer-nord/sales.camel.yaml"), routes.resolve("nord.camel.yaml"));
        try (CaravanApp app = CaravanApp.start(data,
                "camel.main.routes-include-pattern=file:" + routes + "/**/*.camel.yaml",
                "camel.main.routes-reload-directory=" + routes)) {
            LocalEnvFile env = LocalEnvFile.in(data);
            ApiClient api = env.api();
            await().atMost(WAIT).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.processing_record_version", Long.class) == 1L);
            JsonNode marketing = JSON.readTree(api.get("/api/processing-record", env.viewer()).body()).path("activities").get(2); // analytics, dealer_follow_up, marketing_activation, …
            assertThat(marketing.path("sources")).extracting(s -> s.path("kind").asString()).doesNotContain("route");

            Path added = routes.resolve("sued-marketing.camel.yaml");
            Files.writeString(added, Files.readString(Path.of("routes/dealer-sued/deliveries.camel.yaml"))
                    .replace("id: dealer-sued-deliveries", "id: dealer-sued-marketing")
                    .replace("consent:analytics", "consent:marketing_activation"));
            await().atMost(WAIT).until(() -> app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.processing_record_version", Long.class) == 2L);

            marketing = JSON.readTree(api.get("/api/processing-record", env.viewer()).body()).path("activities").get(2); // analytics, dealer_follow_up, marketing_activation, …
            assertThat(marketing.path("sources")).filteredOn(s -> s.path("kind").asString().equals("route"))
                    .extracting(s -> s.path("route").asString(), s -> s.path("partner").asString())
                    .containsExactly(tuple("dealer-sued-marketing", "dealer-sued"));
            JsonNode changes = JSON.readTree(api.get("/api/processing-record/changes", env.viewer()).body());
            List<String> reload = new ArrayList<>();
            changes.forEach(c -> {
                if (c.path("version").asLong() == 2) {
                    assertThat(c.path("cause").asString()).startsWith("reload: ").contains("sued-marketing.camel.yaml");
                    reload.add(c.path("activity").asString() + " " + c.path("kind").asString() + " " + c.path("detail").asString());
                    if (c.path("kind").asString().equals("source-added")) {
                        assertThat(c.path("file").asString()).endsWith("sued-marketing.camel.yaml");
                    }
                }
            });
            assertThat(reload).contains("marketing_activation source-added route 'dealer-sued-marketing' of partner 'dealer-sued'"
                    + " (connector dealer-sued-sales, first_party)", "marketing_activation recipient-added warehouse");
        }
    }

    private static List<String> ids(JsonNode activities) {
        List<String> ids = new ArrayList<>();
        activities.forEach(a -> ids.add(a.path("id").asString()));
        return ids;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}
