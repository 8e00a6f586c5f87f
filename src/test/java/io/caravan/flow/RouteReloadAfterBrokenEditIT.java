package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken edit of one live route file, then its fix, brings the fixed route back while the other
 * files' routes keep running. With Camel's default reload (remove every route, then load the changed
 * file) the fix was answered with "duplicate route id detected" for another file's route and the
 * edited flow stayed offline until a restart; config/application.yaml reloads a file's own routes only.
 */
class RouteReloadAfterBrokenEditIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path data;

    @TempDir
    Path routes;

    @Test
    void fixingABrokenRouteFileBringsItsRouteBackAndLeavesTheOthersRunning() throws Exception {
        for (String file : new String[] {"_shared/pipeline-errors.camel.yaml", "dealer-nord/sales.camel.yaml",
                "dealer-sued/deliveries.camel.yaml", "allsecura/policies.camel.yaml"}) {
            Files.createDirectories(routes.resolve(file).getParent());
            Files.copy(Path.of("routes").resolve(file), routes.resolve(file));
        }
        Path nord = routes.resolve("dealer-nord/sales.camel.yaml");
        String good = Files.readString(nord);
        try (CaravanApp app = CaravanApp.start(data,
                "camel.main.routes-include-pattern=file:" + routes + "/**/*.camel.yaml",
                "camel.main.routes-reload-directory=" + routes)) {
            CamelContext camel = app.bean(CamelContext.class);
            assertThat(camel.getRouteController().getRouteStatus("dealer-nord-sales")).isEqualTo(ServiceStatus.Started);

            Files.writeString(nord, good.replace("uri: warehouse:sale", "uri: warehose:sale"));
            await("the broken edit is seen").atMost(WAIT)
                    .until(() -> camel.getRouteController().getRouteStatus("dealer-nord-sales") != ServiceStatus.Started);

            Files.writeString(nord, good);
            await("the fixed route runs again").atMost(WAIT)
                    .until(() -> camel.getRouteController().getRouteStatus("dealer-nord-sales") == ServiceStatus.Started);
            assertThat(camel.getRouteController().getRouteStatus("dealer-sued-deliveries")).isEqualTo(ServiceStatus.Started);
            assertThat(camel.getRouteController().getRouteStatus("allsecura-policies")).isEqualTo(ServiceStatus.Started);

            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            Files.createDirectories(inbox);
            Files.copy(Path.of("samples/dealer-nord/verkaeufe_2026-10.csv"), inbox.resolve("verkaeufe_2026-10.csv"));
            Files.createFile(inbox.resolve("verkaeufe_2026-10.csv.ready"));
            Map<String, Object> batch = app.awaitBatchOf("dealer-nord-sales", "verkaeufe_2026-10.csv", WAIT);
            assertThat(batch.get("status")).isEqualTo("completed");
            assertThat(batch.get("rows_delivered")).isEqualTo(34L);
        }
    }
}
