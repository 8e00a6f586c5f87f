package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real application refuses to start with a route whose connector and warehouse table disagree. */
class StartupRouteCheckIT {
    @TempDir
    Path data;
    @TempDir
    Path routes;

    @Test
    void aRouteSendingSalesToTheLeadTableStopsStartUpNamingFileRouteAndStep() throws Exception {
        Path route = routes.resolve("wrong.camel.yaml");
        Files.writeString(route, """
                - route:
                    id: wrong-table
                    from:
                      uri: direct:in
                      steps:
                        - to: harmonise:dealer-nord-sales
                        - to: warehouse:lead
                """);
        assertThatThrownBy(() -> CaravanApp.start(data, "camel.main.routes-include-pattern=file:" + routes + "/*.camel.yaml").close())
                .satisfies(e -> {
                    Throwable t = e;
                    while (t != null && !(t instanceof ConfigException)) {
                        t = t.getCause();
                    }
                    assertThat(t).as("a ConfigException among the causes of " + e).isNotNull();
                    assertThat(t.getMessage()).isEqualTo(route + ": route 'wrong-table' step 2 (to: warehouse:lead): connector "
                            + "'dealer-nord-sales' makes records of table sale ($.record of connectors/dealer/dealer-nord-sales.yaml), not lead");
                });
    }
}
