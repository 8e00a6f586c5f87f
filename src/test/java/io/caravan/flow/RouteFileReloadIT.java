package io.caravan.flow;

import static io.caravan.testing.ApiClient.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The route files Camel's reload used to handle alone: a file of route configurations is parsed first (a
 * broken one, or one dropping a configuration a running route uses, is rejected and the routes keep running),
 * a valid change is applied and the routes using it run; a deleted route file's routes are removed. Each
 * attempt is listed in GET /api/reloads with its version.
 */
class RouteFileReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();

    @TempDir
    Path data;
    @TempDir
    Path routes;

    @Test
    void routeConfigurationsAreValidatedBeforeTheyApplyAndDeletedFilesRemoveTheirRoutes() throws Exception {
        for (String file : new String[] {"_shared/pipeline-errors.camel.yaml", "dealer-nord/sales.camel.yaml",
                "allsecura/policies.camel.yaml"}) {
            Files.createDirectories(routes.resolve(file).getParent());
            Files.copy(Path.of("routes").resolve(file), routes.resolve(file));
        }
        Path shared = routes.resolve("_shared/pipeline-errors.camel.yaml");
        String good = Files.readString(shared);
        try (CaravanApp app = CaravanApp.start(data,
                "camel.main.routes-include-pattern=file:" + routes + "/**/*.camel.yaml",
                "camel.main.routes-reload-directory=" + routes,
                "caravan.security.users[0].name=reload-admin", "caravan.security.users[0].password={noop}" + ADMIN_PASSWORD,
                "caravan.security.users[0].roles[0]=admin")) {
            CamelContext camel = app.bean(CamelContext.class);
            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers users = app.bean(GeneratedUsers.class);
            String viewer = basic(users.users().get(1).name(), users.users().get(1).password());

            Files.writeString(shared, good.replace("    id: pipeline-errors", "    id: pipeline-errors\n   broken: [unclosed"));
            JsonNode broken = awaitNewest(api, viewer, "rejected", 0);
            assertThat(broken.path("file").asString()).endsWith("_shared/pipeline-errors.camel.yaml");
            assertThat(broken.path("version").asString()).hasSize(12);
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);

            Files.writeString(shared, good.replace("id: pipeline-errors", "id: pipeline-errors-renamed"));
            JsonNode dropped = await("the dropped configuration is rejected").atMost(WAIT).until(
                    () -> ApiClient.json(api.get("/api/reloads", viewer)).get(0),
                    a -> a.path("message").asString().contains("used by running routes"));
            assertThat(dropped.path("message").asString()).contains("pipeline-errors").contains("used by running routes");
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);

            Files.writeString(shared, good.replace("maximumRedeliveries: 0", "maximumRedeliveries: 0   # reviewed"));
            JsonNode applied = awaitNewest(api, viewer, "applied", 2);
            assertThat(applied.path("version").asString()).isNotEqualTo(broken.path("version").asString());
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);
                assertThat(camel.getRouteController().getRouteStatus("allsecura-policies")).isEqualTo(ServiceStatus.Started);
            });

            Files.delete(routes.resolve("allsecura/policies.camel.yaml"));
            // the watcher may see the deletion; POST /api/reloads finds the file gone either way
            assertThat(api.post("/api/reloads", basic("reload-admin", ADMIN_PASSWORD), "").statusCode()).isEqualTo(200);
            await().atMost(WAIT).untilAsserted(() -> assertThat(ApiClient.json(api.get("/api/reloads", viewer)))
                    .anySatisfy(a -> {
                        assertThat(a.path("outcome").asString()).isEqualTo("removed");
                        assertThat(a.path("file").asString()).endsWith("allsecura/policies.camel.yaml");
                        assertThat(a.path("message").asString()).contains("allsecura-policies");
                    }));
            await().atMost(WAIT).until(() -> camel.getRoute("allsecura-policies") == null);
        }
    }

    /** Waits until more than {@code seen} attempts exist and the newest has the outcome; returns it. */
    private static JsonNode awaitNewest(ApiClient api, String viewer, String outcome, int seen) {
        return await("a reload attempt " + outcome).atMost(WAIT).until(() -> {
            JsonNode list = ApiClient.json(api.get("/api/reloads", viewer));
            return list.size() > seen ? list.get(0) : null;
        }, a -> a != null && outcome.equals(a.path("outcome").asString()));
    }
}
