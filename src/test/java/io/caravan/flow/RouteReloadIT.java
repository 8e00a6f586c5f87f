package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

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
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (camel.getRoute("dealer-sued-reloaded") == null && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(camel.getRoute("dealer-sued-reloaded")).as("route loaded after the file appeared").isNotNull();

            Path inbox = data.resolve("sftp/dealer-sued/inbox");
            Files.createDirectories(inbox);
            Files.copy(Path.of("samples/dealer-sued/deliveries_2026-10.csv"), inbox.resolve("deliveries.csv"));
            Files.createFile(inbox.resolve("deliveries.csv.ready"));
            Map<String, Object> batch = app.awaitBatchOf("dealer-sued-reloaded", "deliveries.csv", Duration.ofSeconds(60));
            assertThat(batch.get("rows_delivered")).isEqualTo(26L);
        }
    }
}
