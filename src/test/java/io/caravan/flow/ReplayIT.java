package io.caravan.flow;

import static io.caravan.testing.Inbox.deliver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.platform.GeneratedUsers;
import io.caravan.testing.ApiClient;
import io.caravan.testing.Inbox;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Replay from the encrypted archive through the real application: the sample export of the
 * northern dealer group is ingested twice (the second batch writes only duplicates); the access
 * report of S1 lists both kept files; S2 withdraws analytics and the second batch is replayed
 * through today's checks: a new completed batch linked to it, S2 consent-filtered. The replay's own
 * kept file, truncated or altered, is refused by authentication with nothing left in the inbox.
 * S1 is erased: all three kept files carried S1 (the duplicate-only batch and the replay found
 * through the batches' sightings, not by decrypting) and are shredded; replaying any is refused,
 * an unknown batch is 404.
 */
class ReplayIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NORD = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final String S1 = "sophie.vogt1@example.com";
    private static final String S2 = "emilia.lange2@example.com";

    @TempDir
    Path data;

    @Test
    void replaysThroughTodaysChecksAndRefusesAShreddedArchive() throws Exception {
        try (CaravanApp app = CaravanApp.start(data)) {
            ApiClient api = ApiClient.onLocalhost(app.port());
            GeneratedUsers.User user = app.bean(GeneratedUsers.class).users().get(0);
            String operator = ApiClient.basic(user.name(), user.password());
            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            String name = NORD.getFileName().toString();

            deliver(NORD, inbox);
            String first = (String) app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0).get("batch_id");
            awaitArchived(app, first);
            Inbox.awaitPickedUp(inbox, name, WAIT);
            deliver(NORD, inbox);
            Map<String, Object> second = app.awaitBatches("dealer-nord-sales", 2, WAIT).get(1);
            assertThat(second.get("rows_delivered")).isEqualTo(0L);
            String secondId = (String) second.get("batch_id");
            awaitArchived(app, secondId);

            // the subject access report: from tokens only, no raw value but the one asked about; both kept files hold S1
            // (the second batch wrote no row, its sale was an unchanged re-delivery: found through the batch's sightings)
            HttpResponse<String> access = api.post("/api/subject-access", operator, JSON.writeValueAsString(Map.of("email", S1)));
            assertThat(access.statusCode()).isEqualTo(200);
            JsonNode report = JSON.readTree(access.body());
            assertThat(report.get("identifier").asString()).isEqualTo(S1);
            assertThat(report.get("records").get("sale")).hasSize(1);
            assertThat(report.get("records").get("sale").get(0).has("sealed_identifiers")).isFalse();
            assertThat(report.get("sources")).hasSize(1);
            assertThat(report.get("sources").get(0).get("batch_id").asString()).isEqualTo(first);
            assertThat(report.get("archives")).extracting(a -> a.get("batch_id").asString()).containsExactly(first, secondId);
            assertThat(report.get("archives").get(0).get("shred_at").asString()).isNotBlank();
            assertThat(access.body().replace(S1, "")).doesNotContain("sophie").doesNotContain("Vogt");
            assertThat(app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.audit_event WHERE action = 'subject_access'", Long.class)).isEqualTo(1L);

            // S2 withdraws analytics (opt-out) today: the replay of the second batch applies it
            assertThat(api.post("/api/consents", operator, JSON.writeValueAsString(Map.of("email", S2, "purpose", "analytics",
                    "status", "withdrawn", "capturedAt", "2026-11-20T08:00:00Z"))).statusCode()).isEqualTo(201);
            HttpResponse<String> replayed = api.post("/api/batches/" + secondId + "/replay", operator, null);
            assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(replayed.body());
            String replayId = answer.get("batchId").asString();
            assertThat(replayId).isNotIn(first, secondId);
            assertThat(answer.get("replayOf").asString()).isEqualTo(secondId);
            Map<String, Object> replay = await("replay batch to finish").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> app.jdbc().queryForMap("SELECT * FROM caravan.batch WHERE batch_id = ?", replayId),
                            b -> !"running".equals(b.get("status")));
            assertThat(List.of(replay.get("status"), replay.get("rows_in"), replay.get("rows_consent_filtered"),
                    replay.get("rows_suppressed"), replay.get("replay_of")))
                    .containsExactly("completed", 40L, 1L, 0L, secondId);
            assertThat(app.jdbc().queryForObject(
                    "SELECT count(*) FROM caravan.audit_event WHERE action = 'batch_replay' AND subject = ?", Long.class, replayId))
                    .isEqualTo(1L);
            // the batch API names the batch a replay replays
            HttpResponse<String> detail = api.get("/api/batches/" + replayId, operator);
            assertThat(JSON.readTree(detail.body()).get("batch").get("replayOf").asString()).isEqualTo(secondId);
            assertThat(JSON.readTree(api.get("/api/batches/" + secondId, operator).body()).get("batch").get("replayOf")
                    .isNull()).isTrue();

            // the replay's own kept file, truncated and then altered: refused by authentication, nothing half-replayed
            awaitArchived(app, replayId);
            Inbox.awaitPickedUp(inbox, name, WAIT);
            Path kept = Path.of(app.jdbc().queryForObject(
                    "SELECT path FROM caravan.archive WHERE batch_id = ?", String.class, replayId));
            byte[] sealed = Files.readAllBytes(kept);
            Files.write(kept, Arrays.copyOf(sealed, sealed.length - 7));
            assertRefusedUnreplayed(api, operator, replayId, inbox);
            byte[] altered = sealed.clone();
            altered[altered.length / 2] ^= 0x01;
            Files.write(kept, altered);
            assertRefusedUnreplayed(api, operator, replayId, inbox);

            // S1 erased: every kept file that carried S1 is shredded, the duplicate-only batch and the replay included
            HttpResponse<String> erased = api.post("/api/erasures", operator, JSON.writeValueAsString(Map.of("email", S1)));
            assertThat(erased.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(erased.body()).get("archivesShredded"))
                    .extracting(a -> a.get("batchId").asString()).containsExactlyInAnyOrder(first, secondId, replayId);
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.archive WHERE shredded_at IS NULL", Long.class))
                    .isZero();
            for (String batch : List.of(first, secondId, replayId)) {
                HttpResponse<String> shredded = api.post("/api/batches/" + batch + "/replay", operator, null);
                assertThat(shredded.statusCode()).as(batch).isEqualTo(409);
                assertThat(shredded.body()).contains("shredded").doesNotContain(S1);
            }
            assertThat(api.post("/api/batches/b-20000101-000000-00000000/replay", operator, null).statusCode()).isEqualTo(404);
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.batch WHERE route_id = 'dealer-nord-sales'",
                    Long.class)).isEqualTo(3L);
        }
    }

    private static void assertRefusedUnreplayed(ApiClient api, String operator, String batchId, Path inbox) throws Exception {
        HttpResponse<String> refused = api.post("/api/batches/" + batchId + "/replay", operator, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("nothing was replayed");
        try (Stream<Path> left = Files.list(inbox)) {
            assertThat(left.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    private static void awaitArchived(CaravanApp app, String batchId) {
        await("the archive of " + batchId).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> app.jdbc().queryForObject("SELECT count(*) FROM caravan.archive WHERE batch_id = ?",
                        Long.class, batchId), n -> n > 0);
    }
}
