package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.caravan.exchange.PartnerSandbox;
import io.caravan.exchange.SftpGateway;
import io.caravan.testing.ApiClient;
import io.caravan.testing.LocalEnvFile;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partner file exchange through the real application: acknowledgements a partner downloads with
 * the OpenSSH {@code sftp} client, and a route polling a partner's own SFTP server (the sandbox,
 * a second MINA SSHD) exactly once across a restart.
 */
class PartnerExchangeFlowIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path NORD_SAMPLE = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final Path SUED_SAMPLE = Path.of("samples/dealer-sued/deliveries_2026-10.csv");
    private static final String OWN_SERVER_ROUTE = "dealer-sued-deliveries-own-server";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;
    @TempDir
    Path local;

    @Test
    void partnerDownloadsAcksWithoutValuesAFailedBatchGetsItsReasonAndAnOperatorRunsTheDemoAgreement() throws Exception {
        try (CaravanApp app = CaravanApp.start(data)) {
            Files.copy(NORD_SAMPLE, local.resolve(NORD_SAMPLE.getFileName()));
            sftp(app, "dealer-nord", "put " + NORD_SAMPLE.getFileName() + " inbox/" + NORD_SAMPLE.getFileName());
            Map<String, Object> batch = app.awaitBatches("dealer-nord-sales", 1, WAIT).get(0);
            String ackName = NORD_SAMPLE.getFileName() + ".ack.json";
            await().atMost(WAIT).until(() -> Files.exists(data.resolve("sftp/dealer-nord/outbox").resolve(ackName)));

            sftp(app, "dealer-nord", "get outbox/" + ackName + " ack.json");

            String text = Files.readString(local.resolve("ack.json"));
            JsonNode ack = JSON.readTree(text);
            assertThat(ack.path("file").asString()).isEqualTo(NORD_SAMPLE.getFileName().toString());
            assertThat(ack.path("batch_id").asString()).isEqualTo(batch.get("batch_id"));
            assertThat(ack.path("status").asString()).isEqualTo("completed");
            for (String counter : List.of("rows_in", "rows_delivered", "rows_rejected", "rows_consent_filtered",
                    "rows_suppressed", "rows_duplicate", "warnings")) {
                assertThat(ack.path(counter).asLong()).as(counter).isEqualTo(((Number) batch.get(counter)).longValue());
            }
            assertThat(ack.path("rows_in").asLong()).isEqualTo(40);
            List<String> rejections = new ArrayList<>();
            ack.path("rejections").forEach(r -> rejections.add(r.path("row").asLong() + ":" + r.path("field").asString()
                    + ":" + r.path("reason").asString()));
            assertThat(rejections).containsExactlyElementsOf(app.jdbc().queryForList(
                    "SELECT row_number || ':' || field || ':' || reason FROM caravan.rejection WHERE batch_id = ? "
                            + "ORDER BY row_number, field, reason", String.class, batch.get("batch_id")));
            assertThat(rejections).hasSize(5).contains("6:vin:VIN must have 17 characters");
            List<String> identifiers = SampleIdentifiers.of(List.of(NORD_SAMPLE, Charset.forName("ISO-8859-1")));
            assertThat(identifiers).allSatisfy(id ->
                    assertThat(SampleIdentifiers.occursIn(id, text)).as("a sample identifier in the ack").isFalse());
            assertThat(data.resolve("sftp/dealer-nord/outbox")).isDirectoryNotContaining("glob:**.part");

            Files.writeString(local.resolve("broken.csv"), "Belegnummer;Belegnummer\n1;2\n");
            sftp(app, "dealer-nord", "put broken.csv inbox/broken.csv");
            Map<String, Object> failed = app.awaitBatches("dealer-nord-sales", 2, WAIT).get(1);
            Path failedAck = data.resolve("sftp/dealer-nord/outbox/broken.csv.ack.json");
            await().atMost(WAIT).until(() -> Files.exists(failedAck));

            JsonNode json = JSON.readTree(failedAck.toFile());
            assertThat(failed.get("status")).isEqualTo("failed");
            assertThat(json.path("status").asString()).isEqualTo("failed");
            assertThat(json.path("reason").asString()).isEqualTo(failed.get("error"))
                    .contains("broken.csv").contains("duplicate column name");

            assertThat(app.bean(org.apache.camel.CamelContext.class).getLifecycleStrategies())
                    .hasAtLeastOneElementOfType(io.caravan.exchange.SftpHostKeyPinning.class);
            LocalEnvFile env = LocalEnvFile.in(data);
            ApiClient api = env.api();

            HttpResponse<String> asViewer = api.post("/api/agreements/fahrbank-financed-sales/run", env.viewer(), null);
            HttpResponse<String> unknown = api.post("/api/agreements/no-such/run", env.operator(), null);
            HttpResponse<String> started = api.post("/api/agreements/fahrbank-financed-sales/run", env.operator(), null);

            assertThat(asViewer.statusCode()).isEqualTo(403);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).path("error").asString()).contains("refused");
            assertThat(started.statusCode()).isEqualTo(202);
            String exportId = JSON.readTree(started.body()).path("exportId").asString();
            await().atMost(WAIT).until(() -> !"running".equals(app.jdbc().queryForObject(
                    "SELECT status FROM caravan.export WHERE export_id = ?", String.class, exportId)));
            Map<String, Object> export = app.jdbc().queryForMap("SELECT * FROM caravan.export WHERE export_id = ?", exportId);
            assertThat(export).containsEntry("status", "completed").containsEntry("partner_id", "fahrbank-leasing");
            // partner_sharing is opt-in and nobody in the samples granted it: every sale is held back
            assertThat(export.get("rows_exported")).isEqualTo(0L);
            assertThat((Long) export.get("rows_consent_filtered")).isPositive();
            Path outbox = data.resolve("sftp/fahrbank-leasing/outbox");
            assertThat(outbox.resolve((String) export.get("file_name"))).hasContent(
                    "sale_id,sale_date,make,model,model_year,fuel_type,condition,price_amount,currency,financed,postcode_area,subject_token\r\n");
            assertThat(outbox.resolve(export.get("file_name") + ".manifest.json")).exists();

            HttpResponse<String> list = api.get("/api/exports?partner=fahrbank-leasing", env.viewer());
            assertThat(list.statusCode()).isEqualTo(200);
            List<String> statuses = new ArrayList<>();
            JSON.readTree(list.body()).forEach(e -> statuses.add(e.path("exportId").asString() + ":" + e.path("status").asString()));
            assertThat(statuses).contains(exportId + ":completed");
        }
    }

    @Test
    void filesOnThePartnersOwnServerAreConsumedOnceAcrossARestartAndASameNameFileOnALaterDayIsNew() throws Exception {
        String delay = "caravan.partner-servers.dealer-sued.poll-delay=200";
        Path outbox = data.resolve("partner-sandbox/root/dealer-sued/outbox");
        Path keep = local.resolve(SUED_SAMPLE.getFileName());
        Files.copy(SUED_SAMPLE, keep);
        Instant firstDelivery = Instant.parse("2026-11-01T06:00:00Z");
        try (CaravanApp app = CaravanApp.start(data, delay)) {
            partnerPlaces(keep, outbox, firstDelivery);
            Map<String, Object> batch = app.awaitBatches(OWN_SERVER_ROUTE, 1, WAIT).get(0);
            assertThat(batch.get("status")).isEqualTo("completed");
            assertThat(batch.get("rows_in")).isEqualTo(30L);
            assertThat(batch.get("partner_id")).isEqualTo("dealer-sued");
            await().atMost(WAIT).until(() -> !Files.exists(outbox.resolve(SUED_SAMPLE.getFileName())));
            assertThat(listNames(outbox.resolve(".done"))).singleElement().asString().endsWith(SUED_SAMPLE.getFileName().toString());
        }
        try (CaravanApp app = CaravanApp.start(data, delay)) {
            // the partner's server offers the very same delivery again (same name, size and time), then another file
            partnerPlaces(keep, outbox, firstDelivery);
            Path other = local.resolve("other.csv");
            Files.write(other, Files.readAllLines(SUED_SAMPLE, StandardCharsets.UTF_8).subList(0, 3), StandardCharsets.UTF_8);
            partnerPlaces(other, outbox, firstDelivery);
            List<Map<String, Object>> batches = app.awaitBatches(OWN_SERVER_ROUTE, 2, WAIT);

            assertThat(batches).extracting(b -> b.get("source"))
                    .containsExactly(SUED_SAMPLE.getFileName().toString(), "other.csv");
            assertThat(outbox.resolve(SUED_SAMPLE.getFileName())).exists();
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.partner_file_consumed", Long.class))
                    .isEqualTo(2L);

            // the same name delivered again a day later is a new delivery
            Files.delete(outbox.resolve(SUED_SAMPLE.getFileName()));
            partnerPlaces(keep, outbox, firstDelivery.plus(Duration.ofDays(1)));
            List<Map<String, Object>> after = app.awaitBatches(OWN_SERVER_ROUTE, 3, WAIT);
            assertThat(after.get(2).get("source")).isEqualTo(SUED_SAMPLE.getFileName().toString());
            assertThat(after.get(2).get("status")).isEqualTo("completed");
            assertThat(after.get(2).get("rows_duplicate")).isEqualTo(30L - 4L);
        }
    }

    /** What the partner does on its own server: write under a temporary name, then rename. */
    private static void partnerPlaces(Path file, Path outbox, Instant modified) throws IOException {
        Path temporary = outbox.resolve("." + file.getFileName() + ".part");
        Files.copy(file, temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(temporary, FileTime.from(modified));
        Files.move(temporary, outbox.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
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

    private static List<String> listNames(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
