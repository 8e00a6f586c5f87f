package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.gate.BatchQuarantined;
import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import io.caravan.testing.DealerNordExport;
import io.caravan.testing.Inbox;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The drift and quality gates on the real application: normal deliveries pass; a file with a renamed
 * column is quarantined with the column names before anything reaches the warehouse, kept encrypted,
 * acknowledged as quarantined, and released by an operator into a normal batch with an exact ledger;
 * a 90 % volume drop is quarantined and rejected by an operator with a reason the partner reads.
 */
class QuarantineIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Charset LATIN_1 = Charset.forName("ISO-8859-1");
    private static final Path NORD_SAMPLE = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final String ROUTE = "dealer-nord-sales";
    private static final String FIRST_EMAIL = "sophie.vogt1@example.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void renamedColumnsAreQuarantinedAndReleasedIntoANormalBatchAndAVolumeDropIsQuarantinedAndRejected() throws Exception {
        try (CaravanApp app = CaravanApp.start(data)) {
            List<BatchQuarantined> events = new CopyOnWriteArrayList<>();
            app.bean(ApplicationEventMulticaster.class).addApplicationListener((ApplicationListener<PayloadApplicationEvent<?>>) e -> {
                if (e.getPayload() instanceof BatchQuarantined q) {
                    events.add(q);
                }
            });
            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers.User user = app.bean(GeneratedUsers.class).users().get(0);
            String operator = ApiClient.basic(user.name(), user.password());
            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            Path outbox = data.resolve("sftp/dealer-nord/outbox");

            // two normal deliveries pass every gate
            for (String name : List.of("export-1.csv", "export-2.csv")) {
                Path file = data.resolve(name);
                DealerNordExport.write(file, 30);
                Inbox.deliver(file, inbox);
                assertThat(app.awaitBatchOf(ROUTE, name, WAIT).get("status")).isEqualTo("completed");
            }
            long salesBefore = app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale", Long.class);

            // the sample with its column "Modell" renamed: quarantined, nothing written, names in the reasons
            List<String> sample = Files.readAllLines(NORD_SAMPLE, LATIN_1);
            List<String> renamed = new ArrayList<>(sample);
            renamed.set(0, sample.get(0).replace(";Modell;", ";Modellbezeichnung;"));
            Inbox.deliver(inbox, "renamed.csv", String.join("\r\n", renamed).concat("\r\n").getBytes(LATIN_1));
            Map<String, Object> held = app.awaitBatchOf(ROUTE, "renamed.csv", WAIT);
            String heldId = (String) held.get("batch_id");
            assertThat(held.get("status")).isEqualTo("quarantined");
            assertThat(held.get("rows_in")).isEqualTo(40L);
            assertThat(held.get("rows_delivered")).isEqualTo(0L);
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale WHERE batch_id = ?", Long.class, heldId))
                    .isZero();
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale", Long.class)).isEqualTo(salesBefore);

            JsonNode detail = ApiClient.json(api.get("/api/batches/" + heldId, operator));
            JsonNode reasons = detail.path("quarantine").path("reasons");
            assertThat(reasons).hasSize(1);
            assertThat(reasons.get(0).path("gate").asString()).isEqualTo("columns");
            assertThat(ApiClient.texts(reasons.get(0).path("columns"))).containsExactly("Modell", "Modellbezeichnung");
            assertThat(reasons.get(0).path("detail").asString()).contains("Modell → Modellbezeichnung");
            assertThat(detail.path("quarantine").path("state").asString()).isEqualTo("held");
            assertThat(ApiClient.texts(detail.path("unmappedColumns"))).contains("Modellbezeichnung");
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.batchId()).isEqualTo(heldId);
                assertThat(e.routeId()).isEqualTo(ROUTE);
                assertThat(e.partner()).isEqualTo("dealer-nord");
                assertThat(e.reasons()).hasSize(1);
            });

            // the partner's ack says quarantined and why, with names and no value
            Path ack = outbox.resolve("renamed.csv.ack.json");
            await().atMost(WAIT).until(() -> Files.exists(ack));
            String ackText = Files.readString(ack);
            JsonNode ackJson = JSON.readTree(ackText);
            assertThat(ackJson.path("status").asString()).isEqualTo("quarantined");
            assertThat(ackJson.path("reason").asString()).contains("Modell → Modellbezeichnung");
            assertThat(ApiClient.texts(ackJson.path("quarantine").path("reasons").get(0).path("columns")))
                    .containsExactly("Modell", "Modellbezeichnung");
            assertThat(ackText).doesNotContain(FIRST_EMAIL).doesNotContain("Vogt");

            // the held file is kept encrypted like any archive
            await().atMost(WAIT).untilAsserted(() -> assertThat(app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.archive WHERE batch_id = ? AND shredded_at IS NULL", Long.class, heldId)).isEqualTo(1L));
            assertThat(Files.list(inbox.resolve(".done")).map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith("renamed.csv"));

            // an operator releases it: it runs as a normal batch, exact ledger, and the release is audited
            HttpResponse<String> release = api.post("/api/batches/" + heldId + "/release", operator, null);
            assertThat(release.statusCode()).as(release.body()).isEqualTo(200);
            String releasedAs = ApiClient.json(release).path("releasedAs").asString();
            assertThat(releasedAs).isNotBlank().isNotEqualTo(heldId);
            Map<String, Object> run = await().atMost(WAIT).until(() -> app.jdbc().queryForMap(
                    "SELECT * FROM caravan.batch WHERE batch_id = ?", releasedAs), b -> !"running".equals(b.get("status")));
            assertThat(List.of(run.get("status"), run.get("rows_in"), run.get("rows_delivered"), run.get("rows_rejected"),
                    run.get("rows_consent_filtered"), run.get("rows_suppressed"), run.get("rows_duplicate")))
                    .containsExactly("completed", 40L, 34L, 5L, 0L, 0L, 1L);
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.sale WHERE batch_id = ?", Long.class, releasedAs))
                    .isEqualTo(34L);
            assertThat(app.jdbc().queryForObject("SELECT status FROM caravan.batch WHERE batch_id = ?", String.class, heldId))
                    .isEqualTo("released");
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'batch_release' AND subject = ?",
                    Long.class, heldId)).isEqualTo(1L);
            assertThat(api.post("/api/batches/" + heldId + "/release", operator, null).statusCode()).isEqualTo(409);
            await().atMost(WAIT).until(() -> JSON.readTree(Files.readString(ack)).path("status").asString().equals("completed"));

            // a 90 % volume drop (3 rows against a median of 30) is quarantined; the operator rejects it
            Inbox.awaitPickedUp(inbox, "renamed.csv", WAIT);
            List<String> small = new ArrayList<>(renamed.subList(0, 4));
            Inbox.deliver(inbox, "small.csv", String.join("\r\n", small).concat("\r\n").getBytes(LATIN_1));
            Map<String, Object> drop = app.awaitBatchOf(ROUTE, "small.csv", WAIT);
            String dropId = (String) drop.get("batch_id");
            assertThat(drop.get("status")).isEqualTo("quarantined");
            JsonNode dropReasons = ApiClient.json(api.get("/api/batches/" + dropId, operator)).path("quarantine").path("reasons");
            assertThat(dropReasons).singleElement().satisfies(r -> {
                assertThat(r.path("gate").asString()).isEqualTo("volume");
                assertThat(r.path("measured").asDouble()).isEqualTo(-90.0);
                assertThat(r.path("detail").asString()).contains("3 rows").contains("below the median of 30 rows");
            });

            assertThat(api.post("/api/batches/" + dropId + "/reject", operator, "{}").statusCode()).isEqualTo(400);
            HttpResponse<String> reject = api.post("/api/batches/" + dropId + "/reject", operator,
                    "{\"reason\":\"partial export, please resend the full month\"}");
            assertThat(reject.statusCode()).as(reject.body()).isEqualTo(200);
            Map<String, Object> rejected = app.jdbc().queryForMap("SELECT * FROM caravan.batch WHERE batch_id = ?", dropId);
            assertThat(List.of(rejected.get("status"), rejected.get("rows_in"), rejected.get("rows_rejected"), rejected.get("rows_delivered")))
                    .containsExactly("rejected", 3L, 3L, 0L);
            Path smallAck = outbox.resolve("small.csv.ack.json");
            await().atMost(WAIT).until(() -> Files.exists(smallAck)
                    && JSON.readTree(Files.readString(smallAck)).path("status").asString().equals("rejected"));
            assertThat(JSON.readTree(Files.readString(smallAck)).path("quarantine").path("rejected_because").asString())
                    .isEqualTo("partial export, please resend the full month");
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'batch_reject' AND subject = ?",
                    Long.class, dropId)).isEqualTo(1L);
            assertThat(api.post("/api/batches/" + dropId + "/release", operator, null).statusCode()).isEqualTo(409);
            assertThat(api.post("/api/batches/b-20000101-000000-00000000/release", operator, null).statusCode()).isEqualTo(404);
            String viewer = ApiClient.basic(app.bean(GeneratedUsers.class).users().get(1).name(),
                    app.bean(GeneratedUsers.class).users().get(1).password());
            assertThat(api.post("/api/batches/" + dropId + "/reject", viewer, "{\"reason\":\"x\"}").statusCode()).isEqualTo(403);

            String metrics = api.get("/actuator/prometheus", null).body();
            assertThat(metrics).containsPattern("caravan_quarantines_total\\{[^}]*gate=\"columns\"[^}]*route=\"dealer-nord-sales\"[^}]*} 1\\.0")
                    .containsPattern("caravan_quarantines_total\\{[^}]*gate=\"volume\"[^}]*} 1\\.0");
        }
    }
}
