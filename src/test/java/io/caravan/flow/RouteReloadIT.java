package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.testing.Inbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In the embedded default, a route file added while Caravan runs is loaded without a restart. */
class RouteReloadIT {

    @TempDir
    Path data;

    @TempDir
    Path routes;

    @Test
    void aNewRouteFileIsLoadedWhileRunningAndIngests() throws Exception {
        Files.createDirectories(routes.resolve("_shared"));
        Files.copy(Path.of("routes/_shared/pipeline-errors.camel.yaml"), routes.resolve("_shared/pipeline-errors.camel.yaml"));
        try (CaravanApp app = CaravanApp.start(data,
                "camel.main.routes-include-pattern=file:" + routes + "/**/*.camel.yaml",
                "camel.main.routes-reload-directory=" + routes)) {
            CamelContext camel = app.bean(CamelContext.class);
            assertThat(camel.getRoute("dealer-sued-reloaded")).isNull();

            Files.writeString(routes.resolve("sued-reloaded.camel.yaml"),
                    Files.readString(Path.of("routes/dealer-sued/deliveries.camel.yaml"))
                            .replace("id: dealer-sued-deliveries", "id: dealer-sued-reloaded"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(camel.getRoute("dealer-sued-reloaded")).as("route loaded after the file appeared").isNotNull());

            Inbox.deliver(data.resolve("sftp/dealer-sued/inbox"), "deliveries.csv",
                    Files.readAllBytes(Path.of("samples/dealer-sued/deliveries_2026-10.csv")));
            Map<String, Object> batch = app.awaitBatchOf("dealer-sued-reloaded", "deliveries.csv", Duration.ofSeconds(60));
            assertThat(batch.get("rows_delivered")).isEqualTo(26L);
        }
    }
}
