package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.exchange.PartnerSandbox;
import io.caravan.exchange.SftpGateway;
import io.caravan.testing.ApiClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Partner overlap through the running application: a partner uploads its hashed audience over the
 * SFTP gateway with the OpenSSH client, Caravan re-keys and deletes it, and {@code POST /api/overlaps}
 * answers aggregates only (operator, audited), with small cells suppressed and the pair's budget.
 */
class OverlapsApiIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OPERATOR = ApiClient.basic("otto", "otto-overlap-pass");
    private static final String VIEWER = ApiClient.basic("vera", "vera-overlap-pass");

    @TempDir
    Path data;
    @TempDir
    Path local;

    @Test
    void aPartnersUploadIsReKeyedDeletedAndAnsweredOnlyInAggregates() throws Exception {
        try (CaravanApp app = CaravanApp.start(data,
                "caravan.security.users[0].name=vera", "caravan.security.users[0].password={noop}vera-overlap-pass",
                "caravan.security.users[0].roles[0]=viewer",
                "caravan.security.users[1].name=otto", "caravan.security.users[1].password={noop}otto-overlap-pass",
                "caravan.security.users[1].roles[0]=operator")) {
            OverlapSeeds seeds = new OverlapSeeds(app);
            List<String> id4 = seeds.leads(70, "ID.4");
            List<String> polo = seeds.leads(30, "Polo");
            List<String> list = new ArrayList<>(id4.subList(0, 60));
            list.addAll(polo.subList(0, 25));
            String file = OverlapSeeds.file(list);
            Files.writeString(local.resolve("spring-list.overlap"), file);

            sftp(app, "autoboerse", "put spring-list.overlap inbox/spring-list.overlap");

            Path uploaded = data.resolve("sftp/autoboerse/inbox/spring-list.overlap");
            await().atMost(WAIT).until(() -> !Files.exists(uploaded) && !app.jdbc().queryForList(
                    "SELECT 1 FROM caravan.overlap_audience WHERE audience_id = 'autoboerse:spring-list'").isEmpty());
            assertThat(uploaded.getParent()).isDirectoryNotContaining("glob:**.overlap*");
            List<String> hashes = file.lines().skip(1).toList();
            assertThat(app.jdbc().queryForList("SELECT token FROM caravan.overlap_member", String.class))
                    .hasSize(85).doesNotContainAnyElementsOf(hashes);

            ApiClient api = ApiClient.onLocalhost(app.port());
            String query = "{\"audience\": \"autoboerse:spring-list\", \"with\": \"warehouse\", \"segmentBy\": \"model\"}";
            assertThat(api.post("/api/overlaps", VIEWER, query).statusCode()).isEqualTo(403);

            HttpResponse<String> answered = api.post("/api/overlaps", OPERATOR, query);
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            JsonNode answer = ApiClient.json(answered);
            assertThat(answer.path("cells")).hasSize(2);
            JsonNode id4Cell = answer.path("cells").get(0);
            assertThat(id4Cell.path("segment").asString()).isEqualTo("ID.4");
            assertThat(id4Cell.path("overlap").asLong()).isEqualTo(60);
            assertThat(id4Cell.path("subjects").asLong()).isEqualTo(70);
            JsonNode poloCell = answer.path("cells").get(1);
            assertThat(poloCell.path("suppressed").asBoolean()).isTrue();
            assertThat(poloCell.path("overlap").isNull()).isTrue();
            assertThat(answered.body()).doesNotContainPattern("[0-9a-f]{64}").doesNotContain("@example.com");
            Map<String, Object> audit = app.jdbc().queryForMap("SELECT actor, subject, detail::text AS detail FROM "
                    + "caravan.audit_event WHERE action = 'overlap_query'");
            assertThat(audit).containsEntry("actor", "otto").containsEntry("subject", "autoboerse:spring-list");
            assertThat((String) audit.get("detail")).contains("\"cellsSuppressed\": 1");

            HttpResponse<String> bad = api.post("/api/overlaps", OPERATOR,
                    "{\"audience\": \"autoboerse:spring-list\", \"segmentBy\": \"vin\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(ApiClient.json(bad).path("field").asString()).isEqualTo("segmentBy");
            assertThat(api.post("/api/overlaps", OPERATOR, "{\"audience\": \"autoboerse:nothing\"}").statusCode())
                    .isEqualTo(404);

            String noisy = "{\"audience\": \"autoboerse:spring-list\", \"epsilon\": 0.7}";
            assertThat(api.post("/api/overlaps", OPERATOR, noisy).statusCode()).isEqualTo(200);
            HttpResponse<String> overBudget = api.post("/api/overlaps", OPERATOR, noisy);
            assertThat(overBudget.statusCode()).isEqualTo(409);
            assertThat(ApiClient.json(overBudget).path("error").asString()).contains("privacy budget");
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.audit_event WHERE action = 'overlap_refused'",
                    Long.class)).isEqualTo(1);

            JsonNode listed = ApiClient.json(api.get("/api/overlaps/audiences", VIEWER));
            assertThat(listed.path("audiences").get(0).path("rowsAccepted").asLong()).isEqualTo(85);
            assertThat(listed.path("budgets").get(0).path("spent").decimalValue()).isEqualByComparingTo("0.7");
        }
    }

    private void sftp(CaravanApp app, String partner, String... commands) throws Exception {
        SftpGateway gateway = app.bean(SftpGateway.class);
        Path knownHosts = local.resolve("known_hosts");
        Files.writeString(knownHosts, PartnerSandbox.knownHostsLine("127.0.0.1", gateway.port(), gateway.hostKey()));
        Path batch = local.resolve("batch.txt");
        Files.writeString(batch, String.join("\n", commands) + "\n");
        Process process = new ProcessBuilder("sftp", "-b", batch.toString(), "-P", Integer.toString(gateway.port()),
                "-i", data.resolve("partners/" + partner + "/id_ed25519").toString(), "-F", "/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                "-o", "BatchMode=yes", partner + "@127.0.0.1")
                .directory(local.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
