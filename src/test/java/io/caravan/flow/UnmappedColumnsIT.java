package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Source columns that a descriptor does not map are reported once per batch, by name only: in the
 * ledger, in {@code GET /api/batches/{id}} and in the partner's acknowledgement.
 */
class UnmappedColumnsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Charset LATIN_1 = Charset.forName("ISO-8859-1");
    private static final Path NORD_SAMPLE = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final String EXTRA_VALUE = "Kirschrot-7Q";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void extraColumnsAreNamedInTheBatchAnswerAndTheAckWithoutTheirValues() throws Exception {
        try (CaravanApp app = CaravanApp.start(data)) {
            List<String> lines = Files.readAllLines(NORD_SAMPLE, LATIN_1).subList(0, 3);
            List<String> withExtras = new ArrayList<>();
            withExtras.add(lines.get(0) + ";Lackfarbe;Provision");
            for (String row : lines.subList(1, 3)) {
                withExtras.add(row + ";" + EXTRA_VALUE + ";417");
            }
            Path inbox = data.resolve("sftp/dealer-nord/inbox");
            Files.write(inbox.resolve("extra-columns.csv"), withExtras, LATIN_1);
            Files.createFile(inbox.resolve("extra-columns.csv.ready"));

            Map<String, Object> batch = app.awaitBatchOf("dealer-nord-sales", "extra-columns.csv", WAIT);
            assertThat(batch.get("status")).isEqualTo("completed");
            List<String> expected = List.of("Filiale", "Lackfarbe", "Ort", "Provision", "Verkäufer");

            Map<String, String> env = localEnv();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(env.get("CARAVAN_API_URL") + "/api/batches/" + batch.get("batch_id")))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (env.get("CARAVAN_VIEWER_USER") + ":" + env.get("CARAVAN_VIEWER_PASSWORD"))
                                    .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(names(JSON.readTree(answer.body()).path("unmappedColumns"))).isEqualTo(expected);
            assertThat(answer.body()).doesNotContain(EXTRA_VALUE).doesNotContain("417");

            Path ack = data.resolve("sftp/dealer-nord/outbox/extra-columns.csv.ack.json");
            await().atMost(WAIT).until(() -> Files.exists(ack));
            String text = Files.readString(ack);
            assertThat(names(JSON.readTree(text).path("unmapped_columns"))).isEqualTo(expected);
            assertThat(text).doesNotContain(EXTRA_VALUE);
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asString()));
        return names;
    }

    private Map<String, String> localEnv() throws java.io.IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(data.resolve("local.env"))) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.endsWith("'")) {
                env.put(line.substring(0, eq), line.substring(eq + 2, line.length() - 1).replace("'\\''", "'"));
            }
        }
        return env;
    }
}
