package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code POST /api/connectors/{id}/preview} on the real application: it answers what the flow would do
 * (the same counts the ledger then shows for the file), shows tokens and never a raw personal value,
 * writes nothing anywhere (ledger, warehouse, audit, files, log lines), and refuses hostile samples
 * within its limits.
 */
class PreviewIT {
    private static final Charset LATIN_1 = Charset.forName("ISO-8859-1");
    private static final Path NORD_SAMPLE = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 1024 * 1024;

    @TempDir
    static Path data;
    static CaravanApp app;
    static Map<String, String> env;
    static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

    @BeforeAll
    static void start() throws IOException {
        app = CaravanApp.start(data, "caravan.preview.max-bytes=" + MAX_BYTES);
        env = localEnv();
        LOG.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOG);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOG);
        app.close();
    }

    @Test
    void previewAnswersTheLedgerCountsOfTheLaterIngestionWithTokensAndWritesNothing() throws Exception {
        byte[] sample = Files.readAllBytes(NORD_SAMPLE);
        Map<String, Long> before = writtenState();
        List<String> filesBefore = files();
        LOG.list.clear();

        HttpResponse<String> answer = post("/api/connectors/dealer-nord-sales/preview?file=verkaeufe_2026-10.csv&rows=50",
                sample, "CARAVAN_OPERATOR");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode preview = JSON.readTree(answer.body());
        assertThat(preview.path("route").asString()).isEqualTo("dealer-nord-sales");
        assertThat(preview.path("table").asString()).isEqualTo("sale");
        assertThat(preview.path("steps").toString()).contains("consent:analytics", "pseudonymise:warehouse");
        JsonNode counts = preview.path("counts");
        assertThat(counts.path("rowsIn").asLong()).isEqualTo(counts.path("delivered").asLong() + counts.path("rejected").asLong()
                + counts.path("consentFiltered").asLong() + counts.path("suppressed").asLong() + counts.path("duplicate").asLong());
        assertThat(counts.path("rejected").asLong()).isPositive();
        JsonNode first = firstDelivered(preview.path("rows"));
        assertThat(first.path("fields").path("email_token").asString()).matches("[A-Za-z0-9_-]{20,}");
        assertThat(first.path("fields").has("email")).isFalse();
        assertThat(preview.path("rejections").get(0).path("field").asString()).isNotBlank();
        assertThat(preview.path("unmappedColumns").toString()).contains("Filiale");

        List<String> identifiers = SampleIdentifiers.of(List.of(NORD_SAMPLE, LATIN_1));
        assertThat(identifiers).isNotEmpty();
        assertThat(identifiers).noneMatch(value -> SampleIdentifiers.occursIn(value, answer.body()));
        assertThat(writtenState()).isEqualTo(before);
        assertThat(files()).isEqualTo(filesBefore);
        String logged = String.join("\n", LOG.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(identifiers).noneMatch(value -> SampleIdentifiers.occursIn(value, logged));

        Path inbox = data.resolve("sftp/dealer-nord/inbox");
        Files.write(inbox.resolve("after-preview.csv"), sample);
        Files.createFile(inbox.resolve("after-preview.csv.ready"));
        Map<String, Object> batch = app.awaitBatchOf("dealer-nord-sales", "after-preview.csv", Duration.ofSeconds(60));
        assertThat(batch.get("status")).isEqualTo("completed");
        assertThat(((Number) batch.get("rows_in")).longValue()).isEqualTo(counts.path("rowsIn").asLong());
        assertThat(((Number) batch.get("rows_delivered")).longValue()).isEqualTo(counts.path("delivered").asLong());
        assertThat(((Number) batch.get("rows_rejected")).longValue()).isEqualTo(counts.path("rejected").asLong());
        assertThat(((Number) batch.get("rows_duplicate")).longValue()).isEqualTo(counts.path("duplicate").asLong());

        HttpResponse<String> again = post("/api/connectors/dealer-nord-sales/preview", sample, "CARAVAN_OPERATOR");
        assertThat(JSON.readTree(again.body()).path("alreadyStored").asLong()).isEqualTo(counts.path("delivered").asLong());
    }

    @Test
    void previewOfAnApiConnectorWithoutBodyReadsTheSandboxsFirstPageAndStoresNoWatermark() throws Exception {
        Map<String, Long> before = writtenState();
        List<Map<String, Object>> state = app.jdbc().queryForList("SELECT * FROM caravan.connector_state");

        HttpResponse<String> answer = post("/api/connectors/versicherung-direkt-events-api/preview", new byte[0], "CARAVAN_OPERATOR");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode preview = JSON.readTree(answer.body());
        assertThat(preview.path("counts").path("rowsIn").asLong()).isPositive();
        assertThat(preview.path("source").asString()).startsWith("http");
        assertThat(writtenState()).isEqualTo(before);
        assertThat(app.jdbc().queryForList("SELECT * FROM caravan.connector_state")).isEqualTo(state);
    }

    @Test
    void hostileSamplesAreRefusedWithinTheLimitsAndLeaveNothingBehind() throws Exception {
        Map<String, Long> before = writtenState();
        List<String> filesBefore = files();

        String doctype = "<?xml version=\"1.0\"?>\n<!DOCTYPE adf [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<adf><prospect>&x;</prospect></adf>";
        assertRefused(post("/api/connectors/autoboerse-leads-adf/preview?file=evil.xml", doctype.getBytes(StandardCharsets.UTF_8),
                "CARAVAN_OPERATOR"), "DOCTYPE");

        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                gzip.write(zeros);
            }
        }
        assertRefused(post("/api/connectors/dealer-nord-sales/preview?file=bomb.csv.gz", zipped.toByteArray(), "CARAVAN_OPERATOR"),
                "compressed");

        StringBuilder wide = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            wide.append(i == 0 ? "" : ";").append("c").append(i);
        }
        wide.append('\n').append(";".repeat(1999)).append('\n');
        assertRefused(post("/api/connectors/dealer-nord-sales/preview?file=wide.csv",
                wide.toString().getBytes(StandardCharsets.UTF_8), "CARAVAN_OPERATOR"), "2000 columns");

        long started = System.nanoTime();
        EndlessLine gigabyte = new EndlessLine(1L << 30);
        try {
            HttpResponse<String> longLine = postStream("/api/connectors/dealer-nord-sales/preview?file=long.csv", gigabyte);
            assertRefused(longLine, "over the limit of " + MAX_BYTES + " bytes");
        } catch (IOException closedEarly) {
            // the server answered and closed the connection while the client was still sending: refused as well
        }
        assertThat(gigabyte.position).as("bytes sent before the refusal").isLessThan(64L * 1024 * 1024);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));

        assertThat(writtenState()).isEqualTo(before);
        assertThat(files()).isEqualTo(filesBefore);
    }

    @Test
    void viewersMayNotPreviewAndUnknownConnectorsAreNotFound() throws Exception {
        byte[] sample = Files.readAllBytes(NORD_SAMPLE);
        assertThat(post("/api/connectors/dealer-nord-sales/preview", sample, "CARAVAN_VIEWER").statusCode()).isEqualTo(403);
        HttpResponse<String> unknown = post("/api/connectors/no-such-connector/preview", sample, "CARAVAN_OPERATOR");
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> empty = post("/api/connectors/dealer-nord-sales/preview", new byte[0], "CARAVAN_OPERATOR");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(empty.body()).path("field").asString()).isEqualTo("body");
    }

    private static void assertRefused(HttpResponse<String> answer, String reason) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        assertThat(answer.body()).contains(reason);
    }

    private static JsonNode firstDelivered(JsonNode rows) {
        for (JsonNode row : rows) {
            if (row.path("outcome").asString().equals("delivered")) {
                return row;
            }
        }
        throw new AssertionError("no delivered row in the preview");
    }

    /** Row counts of every table a flow writes to. */
    static Map<String, Long> writtenState() {
        Map<String, Long> counts = new HashMap<>();
        for (String table : List.of("batch", "rejection", "batch_warning", "sale", "lead", "insurance", "contract",
                "audit_event", "connector_state")) {
            counts.put(table, app.jdbc().queryForObject("SELECT count(*) FROM caravan." + table, Long.class));
        }
        return counts;
    }

    /** Every file under the data directory except PostgreSQL's own. */
    static List<String> files() throws IOException {
        try (Stream<Path> all = Files.walk(data)) {
            return all.filter(Files::isRegularFile).map(p -> data.relativize(p).toString())
                    .filter(p -> !p.startsWith("pg")).sorted().toList();
        }
    }

    private static HttpResponse<String> post(String path, byte[] body, String role) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(env.get("CARAVAN_API_URL") + path))
                .header("Authorization", basic(role)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private static HttpResponse<String> postStream(String path, InputStream body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(env.get("CARAVAN_API_URL") + path))
                .header("Authorization", basic("CARAVAN_OPERATOR")).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String role) {
        return "Basic " + Base64.getEncoder().encodeToString((env.get(role + "_USER") + ":" + env.get(role + "_PASSWORD"))
                .getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, String> localEnv() throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(data.resolve("local.env"))) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.endsWith("'")) {
                values.put(line.substring(0, eq), line.substring(eq + 2, line.length() - 1).replace("'\\''", "'"));
            }
        }
        return values;
    }

    /** A header row, then one line of {@code length} bytes, generated as it is read (never held in memory). */
    private static final class EndlessLine extends InputStream {
        private final byte[] header = "Verkaufsnr;Filiale\n".getBytes(StandardCharsets.US_ASCII);
        private final long length;
        private volatile long position;

        EndlessLine(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            if (position >= header.length + length) {
                return -1;
            }
            return position < header.length ? header[(int) position++] : (position++ % 7 == 0 ? 'x' : 'a');
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = 0;
            while (n < len) {
                int c = read();
                if (c < 0) {
                    return n == 0 ? -1 : n;
                }
                b[off + n++] = (byte) c;
            }
            return n;
        }
    }
}
