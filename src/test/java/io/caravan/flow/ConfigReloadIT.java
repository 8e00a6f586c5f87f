package io.caravan.flow;

import static io.caravan.testing.ApiClient.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Safe live change of connector descriptors and configuration files on the embedded default (watching on):
 * a broken descriptor is rejected with its file and path and the running one keeps working; a valid change
 * is swapped in (seen by the next preview); a change whose route does not start is rolled back; a broken
 * policy file is rejected, a valid one waits for the next start. Every attempt is audited and kept in the
 * database across a restart; POST /api/reloads applies the files on disk for an admin.
 */
class ConfigReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();

    @TempDir
    Path data;
    @TempDir
    Path connectors;
    @TempDir
    Path config;

    @Test
    void descriptorAndConfigChangesAreValidatedSwappedOrRolledBackAndRecorded() throws Exception {
        copy(Path.of("connectors"), connectors);
        copy(Path.of("config"), config);
        Path nord = connectors.resolve("dealer/dealer-nord-sales.yaml");
        Path direkt = connectors.resolve("insurer/versicherung-direkt-events-api.yaml");
        Path policies = config.resolve("policies.yaml");
        String good = Files.readString(nord);
        String[] properties = {"caravan.connectors-dir=" + connectors, "caravan.config-dir=" + config,
                "caravan.security.users[0].name=reload-admin", "caravan.security.users[0].password={noop}" + ADMIN_PASSWORD,
                "caravan.security.users[0].roles[0]=admin"};
        try (CaravanApp app = CaravanApp.start(data, properties)) {
            CamelContext camel = app.bean(CamelContext.class);
            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers users = app.bean(GeneratedUsers.class);
            String operator = basic(users.users().get(0).name(), users.users().get(0).password());
            String viewer = basic(users.users().get(1).name(), users.users().get(1).password());
            String admin = basic("reload-admin", ADMIN_PASSWORD);
            byte[] sample = Files.readAllBytes(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"));
            assertThat(unmapped(api, operator, sample)).doesNotContain("Bemerkung");

            save(nord, good.replace("{ column: FIN, type: vin", "{ column: FIN, type: vinn"));
            JsonNode rejected = awaitNewest(api, viewer, "rejected", 0);
            assertThat(rejected.path("file").asString()).endsWith("dealer/dealer-nord-sales.yaml");
            assertThat(rejected.path("path").asString()).isEqualTo("$.fields.vin.type");
            assertThat(rejected.path("message").asString()).contains("vinn").contains("valid");
            assertThat(rejected.path("version").asString()).hasSize(12);
            assertThat(preview(api, operator, sample).statusCode()).isEqualTo(200);

            save(nord, good.replace("record: sale", "record: lead"));
            JsonNode disagreeing = awaitNewest(api, viewer, "rejected", 1);
            assertThat(disagreeing.path("message").asString()).contains("dealer-nord-sales.yaml").contains("for table lead");
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);

            save(nord, good.replace("  comment:      { column: Bemerkung, type: text }\n", ""));
            JsonNode applied = awaitNewest(api, viewer, "applied", 2);
            assertThat(applied.path("message").asString()).contains("dealer-nord-sales");
            assertThat(applied.path("version").asString()).isNotEqualTo(rejected.path("version").asString());
            assertThat(unmapped(api, operator, sample)).contains("Bemerkung");
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);

            String direktGood = Files.readString(direkt);
            save(direkt, direktGood.replace("{{caravan.partners.versicherung-direkt.base-url}}",
                    "{{caravan.partners.no-such-partner.base-url}}"));
            JsonNode rolledBack = awaitNewest(api, viewer, "rolled-back", 3);
            assertThat(rolledBack.path("route").asString()).isEqualTo("versicherung-direkt-events-api");
            assertThat(camel.getRouteController().getRouteStatus("versicherung-direkt-events-api")).isEqualTo(ServiceStatus.Started);
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);
            save(direkt, direktGood);
            awaitNewest(api, viewer, "applied", 4);

            String policiesGood = Files.readString(policies);
            save(policies, policiesGood + "\n  - nonsense\n");
            JsonNode badPolicy = awaitNewest(api, viewer, "rejected", 5);
            assertThat(badPolicy.path("file").asString()).endsWith("policies.yaml");
            save(policies, policiesGood + "\n# reviewed\n");
            JsonNode pending = awaitNewest(api, viewer, "pending-restart", 6);
            assertThat(pending.path("file").asString()).endsWith("policies.yaml");

            assertThat(api.post("/api/reloads", operator, "").statusCode()).isEqualTo(403);
            HttpResponse<String> all = api.post("/api/reloads", admin, "");
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(all.body()).contains("\"actor\":\"reload-admin\"").contains("dealer-nord-sales");

            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'reload'", Long.class))
                    .isEqualTo(app.jdbc().queryForObject("SELECT count(*) FROM caravan.reload_attempt", Long.class))
                    .isGreaterThanOrEqualTo(8L);
            assertThat(ApiClient.json(api.get("/api/reloads", viewer)).toString()).doesNotContain("sophie");
        }
        try (CaravanApp again = CaravanApp.start(data, properties)) {
            GeneratedUsers users = again.bean(GeneratedUsers.class);
            JsonNode kept = ApiClient.json(ApiClient.onLocalhost(again.port()).get("/api/reloads",
                    basic(users.users().get(1).name(), users.users().get(1).password())));
            assertThat(kept.toString()).contains("$.fields.vin.type").contains("rolled-back").contains("pending-restart");
        }
    }

    /** Waits until more than {@code seen} attempts exist and the newest has the outcome; returns it. */
    /**
     * Saves the file the way editors do (a new file moved over the old one), so the watcher sees the
     * whole new content once rather than a half-written file.
     */
    private static void save(Path file, String content) throws java.io.IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static JsonNode awaitNewest(ApiClient api, String viewer, String outcome, int seen) {
        return await("a reload attempt " + outcome).atMost(WAIT).until(() -> {
            JsonNode list = ApiClient.json(api.get("/api/reloads", viewer));
            return list.size() > seen ? list.get(0) : null;
        }, a -> a != null && outcome.equals(a.path("outcome").asString()));
    }

    private static HttpResponse<String> preview(ApiClient api, String operator, byte[] sample) {
        return api.send(api.request("/api/connectors/dealer-nord-sales/preview", operator)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(sample)));
    }

    private static String unmapped(ApiClient api, String operator, byte[] sample) {
        HttpResponse<String> answer = preview(api, operator, sample);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).path("unmappedColumns").toString();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }
}
