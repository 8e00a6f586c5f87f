package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.Validate;
import io.caravan.exchange.PartnerSandbox;
import io.caravan.exchange.SftpGateway;
import io.caravan.testing.ApiClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Follows the README's "Adding a partner flow" literally: takes the descriptor, the route, the
 * {@code partners.yaml} entry and the sample file from the README's text into a temporary copy of the
 * repository, validates it as {@code validate} does, starts Caravan on it, previews the sample (and finds
 * the figures the README states), uploads it with the OpenSSH {@code sftp} client and the demo key, and
 * finds the rows in the warehouse and the counts in the ledger.
 */
class PartnerFlowReadmeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FILE_BLOCK = Pattern.compile("\\*\\*`([^`]+)`\\*\\*\\n```[a-z]*\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path repo;
    @TempDir
    Path data;
    @TempDir
    Path partner;

    @Test
    void theReadmesThreeFilesMakeAWorkingFlowThatValidatesPreviewsAndIngests() throws Exception {
        String section = section(Files.readString(Path.of("README.md")));
        Map<String, String> files = fileBlocks(section);
        assertThat(files).containsOnlyKeys("connectors/dealer/autohaus-west-sales.yaml", "routes/autohaus-west/sales.camel.yaml",
                "config/partners.yaml", "autohaus-west-2026-11.csv");
        assertThat(files.get("routes/autohaus-west/sales.camel.yaml").lines().count()).isLessThanOrEqualTo(20);

        for (String dir : List.of("routes", "connectors", "config")) {
            copy(Path.of(dir), repo.resolve(dir));
        }
        write(repo.resolve("connectors/dealer/autohaus-west-sales.yaml"), files.get("connectors/dealer/autohaus-west-sales.yaml"));
        write(repo.resolve("routes/autohaus-west/sales.camel.yaml"), files.get("routes/autohaus-west/sales.camel.yaml"));
        Path partners = repo.resolve("config/partners.yaml");
        Files.writeString(partners, Files.readString(partners).stripTrailing() + "\n" + files.get("config/partners.yaml"));
        Path sample = partner.resolve("autohaus-west-2026-11.csv");
        write(sample, files.get("autohaus-west-2026-11.csv"));

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit = Validate.run(repo, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(exit).as(printed.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("validate: routes, connectors and config are valid");

        try (CaravanApp app = CaravanApp.start(data, "caravan.connectors-dir=" + repo.resolve("connectors"),
                "caravan.config-dir=" + repo.resolve("config"),
                "camel.main.routes-include-pattern=file:" + repo.resolve("routes") + "/**/*.camel.yaml",
                "camel.main.routes-reload-directory=" + repo.resolve("routes"))) {
            Map<String, String> env = PreviewITEnv.read(data);
            ApiClient api = ApiClient.at(env.get("CARAVAN_API_URL"));
            String operator = ApiClient.basic(env.get("CARAVAN_OPERATOR_USER"), env.get("CARAVAN_OPERATOR_PASSWORD"));

            HttpResponse<String> answer = api.send(api.request(
                    "/api/connectors/autohaus-west-sales/preview?file=autohaus-west-2026-11.csv", operator)
                    .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofFile(sample)));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            JsonNode preview = JSON.readTree(answer.body());
            Matcher stated = Pattern.compile("\"counts\": \\{\"rowsIn\": (\\d+), \"delivered\": (\\d+), \"rejected\": (\\d+)").matcher(section);
            assertThat(stated.find()).as("the README states the preview's counts").isTrue();
            assertThat(preview.path("counts").path("rowsIn").asLong()).isEqualTo(Long.parseLong(stated.group(1)));
            assertThat(preview.path("counts").path("delivered").asLong()).isEqualTo(Long.parseLong(stated.group(2)));
            assertThat(preview.path("counts").path("rejected").asLong()).isEqualTo(Long.parseLong(stated.group(3)));
            JsonNode rejection = preview.path("rejections").get(0);
            assertThat(section).contains("{\"row\": " + rejection.path("row").asLong() + ", \"field\":\n\""
                    + rejection.path("field").asString() + "\", \"rule\": \"" + rejection.path("rule").asString() + "\"}");
            assertThat(section).contains("\"unmappedColumns\": " + preview.path("unmappedColumns").toString().replace(",", ", "));
            assertThat(preview.path("rows").get(0).path("fields").has("email_token")).isTrue();
            assertThat(preview.path("rows").get(0).path("fields").has("postcode_area")).isTrue();
            assertThat(answer.body()).doesNotContain("anna.beispiel@example.com").doesNotContain("50667");
            assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.batch WHERE route_id = 'autohaus-west-sales'",
                    Long.class)).isZero();

            upload(app, sample);
            Map<String, Object> batch = app.awaitBatchOf("autohaus-west-sales", "autohaus-west-2026-11.csv", Duration.ofSeconds(60));
            assertThat(batch.get("status")).isEqualTo("completed");
            assertThat(batch.get("rows_in")).isEqualTo(Long.parseLong(stated.group(1)));
            assertThat(batch.get("rows_delivered")).isEqualTo(Long.parseLong(stated.group(2)));
            assertThat(batch.get("rows_rejected")).isEqualTo(Long.parseLong(stated.group(3)));
            List<Map<String, Object>> rows = app.jdbc().queryForList(
                    "SELECT sale_id, model, fuel_type, postcode_area FROM caravan.sale WHERE connector_id = 'autohaus-west-sales' ORDER BY sale_id");
            assertThat(rows).extracting(r -> r.get("sale_id")).containsExactly("W-1001", "W-1002", "W-1004");
            assertThat(rows).extracting(r -> r.get("fuel_type")).containsExactly("petrol", "bev", "bev");
            assertThat(section).contains("psql -c \"select sale_id, model, fuel_type, postcode_area from caravan.sale where connector_id = 'autohaus-west-sales'\"");
        }
    }

    /** The README command: {@code echo 'put <file> inbox/' | sftp -b - -P <port> -i data/partners/<id>/id_ed25519 <id>@localhost}. */
    private void upload(CaravanApp app, Path sample) throws Exception {
        SftpGateway gateway = app.bean(SftpGateway.class);
        Path knownHosts = partner.resolve("known_hosts");
        Files.writeString(knownHosts, PartnerSandbox.knownHostsLine("localhost", gateway.port(), gateway.hostKey()));
        Process sftp = new ProcessBuilder("sftp", "-b", "-", "-P", Integer.toString(gateway.port()),
                "-i", data.resolve("partners/autohaus-west/id_ed25519").toString(), "-F", "/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                "-o", "BatchMode=yes", "autohaus-west@localhost")
                .directory(partner.toFile()).redirectErrorStream(true).start();
        sftp.getOutputStream().write(("put " + sample.getFileName() + " inbox/\n").getBytes(StandardCharsets.UTF_8));
        sftp.getOutputStream().close();
        String output = new String(sftp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sftp.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sftp.exitValue()).as(output).isZero();
    }

    private static String section(String readme) {
        int start = readme.indexOf("### Adding a partner flow");
        assertThat(start).as("README has the section").isNotNegative();
        int end = readme.indexOf("\n### ", start + 4);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** Each fenced block that follows a bold file name, by that name. */
    private static Map<String, String> fileBlocks(String section) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = FILE_BLOCK.matcher(section);
        while (m.find()) {
            blocks.put(m.group(1), m.group(2));
        }
        return blocks;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    /** {@code data/local.env}, as the README's {@code set -a; . data/local.env} reads it. */
    private static final class PreviewITEnv {
        static Map<String, String> read(Path data) throws IOException {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : Files.readAllLines(data.resolve("local.env"))) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.endsWith("'")) {
                    values.put(line.substring(0, eq), line.substring(eq + 2, line.length() - 1).replace("'\\''", "'"));
                }
            }
            return values;
        }
    }
}
