package io.caravan.flow;

import static io.caravan.testing.ApiClient.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A broken edit of one live route file is rejected before it touches the running route: the old
 * dealer-nord route stays Started and ingests, GET /api/reloads names the file; the fix and a valid
 * change are applied; the other files' routes keep running; POST /api/reloads needs admin.
 */
class RouteReloadAfterBrokenEditIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();

    @TempDir
    Path data;

    @TempDir
    Path routes;

    @Test
    void aBrokenEditIsRejectedAndTheRunningRouteKeepsIngestingUntilTheFixIsApplied() throws Exception {
        for (String file : new String[] {"_shared/pipeline-errors.camel.yaml", "dealer-nord/sales.camel.yaml",
                "dealer-sued/deliveries.camel.yaml", "allsecura/policies.camel.yaml"}) {
            Files.createDirectories(routes.resolve(file).getParent());
            Files.copy(Path.of("routes").resolve(file), routes.resolve(file));
        }
        Path nord = routes.resolve("dealer-nord/sales.camel.yaml");
        String good = Files.readString(nord);
        try (CaravanApp app = CaravanApp.start(data,
                "camel.main.routes-include-pattern=file:" + routes + "/**/*.camel.yaml",
                "camel.main.routes-reload-directory=" + routes,
                "caravan.security.users[0].name=reload-admin",
                "caravan.security.users[0].password={noop}" + ADMIN_PASSWORD,
                "caravan.security.users[0].roles[0]=admin")) {
            CamelContext camel = app.bean(CamelContext.class);
            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers users = app.bean(GeneratedUsers.class);
            String operator = basic(users.users().get(0).name(), users.users().get(0).password());
            String viewer = basic(users.users().get(1).name(), users.users().get(1).password());
            String admin = basic("reload-admin", ADMIN_PASSWORD);
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);

            Files.writeString(nord, good.replace("uri: warehouse:sale", "uri: warehose:sale"));
            JsonNode rejected = await("the broken edit is rejected").atMost(WAIT)
                    .until(() -> first(api.get("/api/reloads", viewer)), a -> a != null && "rejected".equals(a.path("outcome").asString()));
            assertThat(rejected.path("file").asString()).isEqualTo(routes.getFileName() + "/dealer-nord/sales.camel.yaml");
            assertThat(rejected.path("line").asInt()).isPositive();
            assertThat(rejected.path("message").asString()).contains("warehose");
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);

            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            Files.createDirectories(inbox);
            Files.copy(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"), inbox.resolve("verkaeufe_2026-10.csv"));
            Files.createFile(inbox.resolve("verkaeufe_2026-10.csv.ready"));
            Map<String, Object> batch = app.awaitBatchOf("dealer-nord-sales", "verkaeufe_2026-10.csv", WAIT);
            assertThat(batch.get("status")).isEqualTo("completed");
            assertThat(batch.get("rows_delivered")).isEqualTo(34L);

            Files.writeString(nord, good);
            await("the fix is applied").atMost(WAIT)
                    .until(() -> first(api.get("/api/reloads", viewer)), a -> a != null && "applied".equals(a.path("outcome").asString()));
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);
            assertThat(camel.getRouteController().getRouteStatus("dealer-sued-deliveries")).isEqualTo(ServiceStatus.Started);
            assertThat(camel.getRouteController().getRouteStatus("allsecura-policies")).isEqualTo(ServiceStatus.Started);

            Files.writeString(nord, good.replace("uri: warehouse:sale", "uri: warehouse:lead"));
            JsonNode rolledBack = await("a route that does not start is rolled back").atMost(WAIT)
                    .until(() -> first(api.get("/api/reloads", viewer)), a -> a != null && "rolled-back".equals(a.path("outcome").asString()));
            assertThat(rolledBack.path("route").asString()).isEqualTo("dealer-nord-sales");
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);
            assertThat(camel.getRoute("dealer-nord-sales").getEndpoint().getEndpointUri()).contains("dealer-nord/inbox");

            String changed = good.replaceFirst("description: .*", "description: Monthly sales export, changed live");
            assertThat(changed).isNotEqualTo(good);
            Files.writeString(nord, changed);
            await("the valid change is applied").atMost(WAIT).until(() -> "Monthly sales export, changed live".equals(
                    camel.getRoute("dealer-nord-sales") == null ? null : camel.getRoute("dealer-nord-sales").getDescription()));
            await("the changed route is started").atMost(WAIT).untilAsserted(() ->
                    assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started));

            Path copy = routes.resolve("dealer-nord/copy.camel.yaml");
            Files.writeString(copy, good);
            JsonNode duplicate = await("a second file with the same route id is rejected").atMost(WAIT)
                    .until(() -> first(api.get("/api/reloads", viewer)), a -> a != null && "rejected".equals(a.path("outcome").asString()));
            assertThat(duplicate.path("file").asString()).endsWith("dealer-nord/copy.camel.yaml");
            assertThat(duplicate.path("message").asString()).contains("duplicate route id");
            Files.delete(copy);

            assertThat(api.post("/api/reloads", viewer, "").statusCode()).isEqualTo(403);
            assertThat(api.post("/api/reloads", operator, "").statusCode()).isEqualTo(403);
            HttpResponse<String> applied = api.post("/api/reloads", admin, "");
            assertThat(applied.statusCode()).isEqualTo(200);
            assertThat(applied.body()).contains("dealer-nord-sales").contains("applied");
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);
        }
    }

    private static JsonNode first(HttpResponse<String> response) {
        JsonNode list = JSON.readTree(response.body());
        return list.isArray() && !list.isEmpty() ? list.get(0) : null;
    }
}
