package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.exchange.SftpGateway;
import io.caravan.testing.LocalEnvFile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The file-based partner kinds end to end, on ONE application started as README command 1 (samples
 * seeded): Autoboerse ADF/XML leads, AllSecura insurance CSV, Fahrbank Leasing contract CSV and
 * Kreditwerk fixed-width contracts, each through harmonise, consent, pseudonymise and warehouse into
 * the embedded PostgreSQL; then uploads through the real SFTP gateway with a MINA SFTP client and
 * the partner's demo key.
 */
@ExtendWith(OutputCaptureExtension.class)
class FilePartnerFlowsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path data;
    private static CaravanApp app;

    @BeforeAll
    static void startWithSamples() {
        app = CaravanApp.start(data, "caravan.samples.seed=true");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void autoboerseAdfLeadsOneRowPerVehicleOfInterestWithRejectionsByRowAndField() throws Exception {
        List<Map<String, Object>> batches = app.awaitBatches("autoboerse-leads-adf", 2, WAIT);
        Map<String, Object> first = bySource(batches, "leads_2026-11-02.xml");
        Map<String, Object> second = bySource(batches, "leads_2026-11-03.xml");

        // status, in, delivered, rejected, consent-filtered, suppressed, duplicate, warnings
        // issue #14: the prospect without requestdate (row 5) is a lead at the file's arrival time, with a warning
        assertThat(counts(first)).containsExactly("completed", 9L, 6L, 3L, 0L, 0L, 0L, 2L);
        assertThat(counts(second)).containsExactly("completed", 6L, 3L, 2L, 0L, 0L, 1L, 0L);
        assertThat(rejections(first)).containsExactly(
                "4:vehicle:no vehicle of interest in the prospect (trade-ins are not leads)",
                "8:lead_at:not a timestamp (ISO-8601 or the descriptor's timestamp pattern)",
                "9:make:required value missing");
        assertThat(rejections(second)).containsExactly(
                "4:request_type:unknown request_type spelling",
                "5:model_year:not a number");
        assertThat(warnings(first)).containsExactly("prospect.requestdate:missing: the file's arrival time is used",
                "vin:VIN must have 17 characters");

        assertThat(app.jdbc().queryForList("SELECT lead_id FROM caravan.lead WHERE connector_id = 'autoboerse-leads-adf' ORDER BY lead_id", String.class)).containsExactly(
                "AB-2026-110001/1", "AB-2026-110002/1", "AB-2026-110002/2", "AB-2026-110004/1", "AB-2026-110005/1", "AB-2026-110006/1",
                "AB-2026-110101/1", "AB-2026-110102/1", "AB-2026-110105/1");
        Map<String, Object> lead = app.jdbc().queryForMap("SELECT * FROM caravan.lead WHERE lead_id = 'AB-2026-110001/1'");
        assertThat(lead).containsEntry("connector_id", "autoboerse-leads-adf").containsEntry("partner_id", "autoboerse")
                .containsEntry("data_class", "second_party").containsEntry("policy_id", "warehouse-leads")
                .containsEntry("request_type", "quote").containsEntry("funnel_stage", "intent").containsEntry("channel", "marketplace")
                .containsEntry("dealer_id", "HH-01").containsEntry("make", "Volkswagen").containsEntry("model", "ID.4")
                .containsEntry("model_year", 2026).containsEntry("postcode_area", "20");
        assertThat(lead.get("lead_at").toString()).isEqualTo("2026-11-02 07:14:00.0");
        assertThat(lead.get("email_token")).isEqualTo(IndependentHmac.warehouseToken(data, "lena.berger@example.com"));
        assertThat(lead.get("phone_token")).isEqualTo(IndependentHmac.warehouseToken(data, "+494066969101"));
        assertThat(lead.get("subject_token")).isEqualTo(lead.get("email_token"));
        assertThat(lead.get("vin_token")).isNull();
        Map<String, Object> testDrive = app.jdbc().queryForMap("SELECT * FROM caravan.lead WHERE lead_id = 'AB-2026-110002/1'");
        assertThat(testDrive).containsEntry("request_type", "test_drive").containsEntry("model", "A3 Sportback");
        assertThat(testDrive.get("vin_token")).isEqualTo(IndependentHmac.warehouseToken(data, "WAUZZZGY1PA012345"));
        Map<String, Object> phoneOnly = app.jdbc().queryForMap("SELECT * FROM caravan.lead WHERE lead_id = 'AB-2026-110006/1'");
        assertThat(phoneOnly).containsEntry("request_type", "finance").containsEntry("email_token", null);
        assertThat(phoneOnly.get("subject_token")).isEqualTo(IndependentHmac.warehouseToken(data, "+494066969104"));
        assertThat(app.jdbc().queryForObject("SELECT subject_token FROM caravan.lead WHERE lead_id = 'AB-2026-110105/1'", String.class))
                .as("a prospect without customer is still a lead, without subject").isNull();
    }

    @Test
    void allsecuraInsuranceEventsLandWithRenewalDateAndPremiumBand() throws Exception {
        Map<String, Object> batch = app.awaitBatches("allsecura-policies", 1, WAIT).get(0);

        assertThat(counts(batch)).containsExactly("completed", 12L, 7L, 4L, 0L, 0L, 1L, 1L);
        assertThat(rejections(batch)).containsExactly(
                "5:event:unknown event spelling",
                "6:vin:VIN may only use A-H, J-N, P, R-Z and 0-9",
                "7:insurance_id:required value missing",
                "8:event_date:not a date in the descriptor's date pattern");
        assertThat(warnings(batch)).containsExactly("email:e-mail must have exactly one @ after a local part");
        assertThat(app.jdbc().queryForList("SELECT insurance_id || ':' || event FROM caravan.insurance WHERE partner_id = 'allsecura' ORDER BY insurance_id", String.class))
                .containsExactly("AS-2026-100001:quote", "AS-2026-100002:policy", "AS-2026-100003:renewal", "AS-2026-100004:quote",
                        "AS-2026-100009:policy", "AS-2026-100010:renewal", "AS-2026-100011:quote");
        Map<String, Object> policy = app.jdbc().queryForMap("SELECT * FROM caravan.insurance WHERE insurance_id = 'AS-2026-100002'");
        assertThat(policy).containsEntry("partner_id", "allsecura").containsEntry("data_class", "second_party")
                .containsEntry("event_date", java.sql.Date.valueOf(LocalDate.of(2026, 10, 2)))
                .containsEntry("renewal_date", java.sql.Date.valueOf(LocalDate.of(2027, 1, 1)))
                .containsEntry("premium_band", "750-999").containsEntry("make", "BMW").containsEntry("postcode_area", "20");
        assertThat(policy.get("vin_token")).isEqualTo(IndependentHmac.warehouseToken(data, "WBA5R11070FH00102"));
        assertThat(policy.get("email_token")).isEqualTo(IndependentHmac.warehouseToken(data, "lukas.meier@example.com"));
        Map<String, Object> nulledEmail = app.jdbc().queryForMap("SELECT * FROM caravan.insurance WHERE insurance_id = 'AS-2026-100010'");
        assertThat(nulledEmail.get("email_token")).isNull();
        assertThat(nulledEmail.get("subject_token")).isEqualTo(IndependentHmac.warehouseToken(data, "+494066969210"));
    }

    @Test
    void fahrbankAndKreditwerkContractsLandWithProductAndLeaseEndDate() throws Exception {
        Map<String, Object> fahrbank = app.awaitBatches("fahrbank-leasing-contracts", 1, WAIT).get(0);
        Map<String, Object> kreditwerk = app.awaitBatches("kreditwerk-contracts", 1, WAIT).get(0);

        assertThat(counts(fahrbank)).containsExactly("completed", 12L, 8L, 4L, 0L, 0L, 0L, 1L);
        assertThat(rejections(fahrbank)).containsExactly(
                "5:product:unknown product spelling",
                "6:vin:VIN must have 17 characters",
                "7:start_date:required value missing",
                "8:end_date:not a date in the descriptor's date pattern");
        assertThat(warnings(fahrbank)).containsExactly("phone:phone number is not a valid number");
        assertThat(counts(kreditwerk)).containsExactly("completed", 10L, 6L, 4L, 0L, 0L, 0L, 0L);
        assertThat(rejections(kreditwerk)).containsExactly(
                "7:row:ragged row: 120 characters where the layout needs 173",
                "8:product:unknown product spelling",
                "9:start_date:not a date in the descriptor's date pattern",
                "10:vin:VIN may only use A-H, J-N, P, R-Z and 0-9");

        assertThat(app.jdbc().queryForList("SELECT connector_id || ':' || product || ':' || count(*) FROM caravan.contract"
                        + " WHERE batch_id IN (?, ?) GROUP BY connector_id, product ORDER BY 1", String.class,
                fahrbank.get("batch_id"), kreditwerk.get("batch_id")))
                .containsExactly("fahrbank-leasing-contracts:balloon:2", "fahrbank-leasing-contracts:lease:4", "fahrbank-leasing-contracts:loan:2",
                        "kreditwerk-contracts:balloon:1", "kreditwerk-contracts:lease:3", "kreditwerk-contracts:loan:2");
        Map<String, Object> lease = app.jdbc().queryForMap("SELECT * FROM caravan.contract WHERE contract_id = 'FL-2026-000104'");
        assertThat(lease).containsEntry("connector_id", "fahrbank-leasing-contracts").containsEntry("product", "lease")
                .containsEntry("start_date", java.sql.Date.valueOf("2026-10-10")).containsEntry("end_date", java.sql.Date.valueOf("2028-10-09"))
                .containsEntry("term_months", 24).containsEntry("monthly_amount", new java.math.BigDecimal("1049.00"))
                .containsEntry("currency", "EUR").containsEntry("make", "Mercedes-Benz").containsEntry("postcode_area", "60");
        assertThat(lease.get("email_token")).isEqualTo(IndependentHmac.warehouseToken(data, "leon.wagner@example.test"));
        Map<String, Object> fixed = app.jdbc().queryForMap("SELECT * FROM caravan.contract WHERE contract_id = 'KW2026000303'");
        assertThat(fixed).containsEntry("connector_id", "kreditwerk-contracts").containsEntry("partner_id", "kreditwerk")
                .containsEntry("product", "balloon").containsEntry("end_date", java.sql.Date.valueOf("2030-10-05"))
                .containsEntry("term_months", 48).containsEntry("monthly_amount", new java.math.BigDecimal("199.00"))
                .containsEntry("model", "Austral").containsEntry("postcode_area", "60");
        assertThat(fixed.get("vin_token")).isEqualTo(IndependentHmac.warehouseToken(data, "VF1RHN00070000303"));
        assertThat(fixed.get("phone_token")).isEqualTo(IndependentHmac.warehouseToken(data, "+496990009403"));
    }

    @Test
    void noRawIdentifierFromTheFileSamplesReachesAnyTableOrTheLog(CapturedOutput output) throws Exception {
        app.awaitBatches("autoboerse-leads-adf", 2, WAIT);
        app.awaitBatches("allsecura-policies", 1, WAIT);
        app.awaitBatches("fahrbank-leasing-contracts", 1, WAIT);
        app.awaitBatches("kreditwerk-contracts", 1, WAIT);

        StringBuilder dump = new StringBuilder();
        for (String table : app.jdbc().queryForList(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'caravan'", String.class)) {
            app.jdbc().queryForList("SELECT t::text FROM caravan." + table + " t", String.class).forEach(r -> dump.append(r).append('\n'));
        }
        List<String> identifiers = sampleIdentifiers();
        assertThat(identifiers).hasSizeGreaterThan(150);
        String tables = dump.toString();
        String log = output.getAll();
        assertThat(identifiers).allSatisfy(id -> {
            assertThat(SampleIdentifiers.occursIn(id, tables)).as("an identifier from the samples in a table").isFalse();
            assertThat(SampleIdentifiers.occursIn(id, log)).as("an identifier from the samples in the log").isFalse();
        });
    }

    @Test
    void partnersUploadThroughTheSftpGatewayAndADoctypeFailsTheBatchNamingTheFile() throws Exception {
        app.awaitBatches("kreditwerk-contracts", 1, WAIT);
        app.awaitBatches("autoboerse-leads-adf", 2, WAIT);
        String kwLine = Files.readAllLines(Path.of("samples/kreditwerk/KWVERTR_202610.TXT"), Charset.forName("ISO-8859-1")).get(0)
                .replace("KW2026000301", "KW2026000399");
        String doctype = "<?xml version=\"1.0\"?>\n<!DOCTYPE adf [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
                + "<adf><prospect><id>&xxe;</id><requestdate>2026-11-04T08:00:00Z</requestdate><vehicle><make>Kia</make></vehicle></prospect></adf>\n";

        upload("kreditwerk", "KWVERTR_202611.TXT", (kwLine + "\r\n").getBytes(Charset.forName("ISO-8859-1")));
        upload("autoboerse", "leads_2026-11-04.xml", doctype.getBytes(StandardCharsets.UTF_8));

        Map<String, Object> uploaded = app.awaitBatches("kreditwerk-contracts", 2, WAIT).get(1);
        assertThat(uploaded.get("source")).isEqualTo("KWVERTR_202611.TXT");
        assertThat(counts(uploaded)).containsExactly("completed", 1L, 1L, 0L, 0L, 0L, 0L, 0L);
        assertThat(app.jdbc().queryForObject("SELECT term_months FROM caravan.contract WHERE contract_id = 'KW2026000399'", Integer.class))
                .isEqualTo(36);

        Map<String, Object> refused = bySource(app.awaitBatches("autoboerse-leads-adf", 3, WAIT), "leads_2026-11-04.xml");
        assertThat(refused.get("status")).isEqualTo("failed");
        assertThat(refused.get("error")).isEqualTo("leads_2026-11-04.xml: DOCTYPE declarations are refused (line 2)");
        assertThat(app.jdbc().queryForObject("SELECT count(*) FROM caravan.lead WHERE connector_id = 'autoboerse-leads-adf'", Long.class)).isEqualTo(9L);
        Path failed = data.resolve("sftp/autoboerse/inbox/.failed");
        // kept encrypted (.tink) once the archiver has taken it from .failed/
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(failed).isDirectory();
            try (Stream<Path> files = Files.list(failed)) {
                assertThat(files.map(p -> p.getFileName().toString())).singleElement().asString().endsWith("-leads_2026-11-04.xml.tink");
            }
        });
    }

    /** Uploads as the partner would: MINA SFTP client, the partner's demo key, the port the app published in local.env. */
    private static void upload(String partner, String name, byte[] content) throws Exception {
        int port = Integer.parseInt(LocalEnvFile.in(data).get("CARAVAN_SFTP_PORT"));
        KeyPair key = new FileKeyPairProvider(data.resolve("partners/" + partner + "/id_ed25519")).loadKeys(null).iterator().next();
        try (SshClient client = SshClient.setUpDefaultClient()) {
            PublicKey hostKey = app.bean(SftpGateway.class).hostKey();
            client.setServerKeyVerifier((session, address, offered) -> KeyUtils.compareKeys(offered, hostKey));
            client.start();
            try (ClientSession session = client.connect(partner, new InetSocketAddress("127.0.0.1", port)).verify(WAIT).getSession()) {
                session.addPublicKeyIdentity(key);
                session.auth().verify(WAIT);
                try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
                     OutputStream out = sftp.write("inbox/" + name)) {
                    out.write(content);
                }
            }
        }
    }

    /**
     * Every raw personal value in the file samples, found independently of the readers under test:
     * e-mail addresses and phone numbers by pattern, VINs by the partners' column names or layout
     * positions, names and streets by the partners' column names and the ADF contact elements.
     */
    private static List<String> sampleIdentifiers() throws IOException {
        Set<String> values = new LinkedHashSet<>();
        List<String> texts = List.of(
                Files.readString(Path.of("samples/autoboerse/leads_2026-11-02.xml")),
                Files.readString(Path.of("samples/autoboerse/leads_2026-11-03.xml")),
                Files.readString(Path.of("samples/allsecura/versicherung_ereignisse_2026-10.csv")),
                Files.readString(Path.of("samples/fahrbank-leasing/vertraege_2026-10.csv"), Charset.forName("ISO-8859-1")),
                Files.readString(Path.of("samples/kreditwerk/KWVERTR_202610.TXT"), Charset.forName("ISO-8859-1")));
        for (String text : texts) {
            all(Pattern.compile("[\\w.+-]+(@|\\(at\\))[\\w-]+\\.[\\w.]+"), text, 0).forEach(e -> {
                values.add(e);
                values.add(e.toLowerCase(java.util.Locale.ROOT));
            });
            all(Pattern.compile("\\b0\\d{2} ?\\d{8}\\b"), text, 0).forEach(p -> {
                String digits = p.replace(" ", "");
                values.add(p);
                values.add(digits);
                values.add("+49" + digits.substring(1));
            });
            all(Pattern.compile("<vin>([^<]+)</vin>"), text, 1).forEach(values::add);
            all(Pattern.compile("<name part=\"(?:first|last|full)\">([^<]+)</name>"), text, 1).stream()
                    .filter(n -> !n.equals("Autoboerse")).forEach(values::add);
            all(Pattern.compile("<street[^>]*>([^<]+)</street>"), text, 1).forEach(values::add);
        }
        SampleIdentifiers.of(List.of(Path.of("samples/allsecura/versicherung_ereignisse_2026-10.csv"), StandardCharsets.UTF_8))
                .forEach(values::add);
        for (String line : texts.get(3).split("\r?\n")) {
            String[] cols = line.split(";", -1);
            if (cols.length == 16 && !cols[0].equals("Vertragsnummer")) {
                for (int i : new int[] {9, 10, 11, 12}) { // FIN, Vorname, Nachname, Straße
                    if (cols[i].length() >= 4) {
                        values.add(cols[i]);
                    }
                }
            }
        }
        for (String line : texts.get(4).split("\r?\n")) {
            if (line.length() >= 108) {
                values.add(line.substring(91, 108).strip()); // FIN, positions 92-108 of the bank's specification
            }
        }
        values.removeIf(v -> v.length() < 4);
        return new ArrayList<>(values);
    }

    private static List<String> all(Pattern pattern, String text, int group) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(group).strip());
        }
        return found;
    }

    private static Map<String, Object> bySource(List<Map<String, Object>> batches, String source) {
        return batches.stream().filter(b -> source.equals(b.get("source"))).findFirst()
                .orElseThrow(() -> new AssertionError("no batch of " + source));
    }

    private static List<Object> counts(Map<String, Object> batch) {
        return List.of(batch.get("status"), batch.get("rows_in"), batch.get("rows_delivered"), batch.get("rows_rejected"),
                batch.get("rows_consent_filtered"), batch.get("rows_suppressed"), batch.get("rows_duplicate"), batch.get("warnings"));
    }

    private static List<String> rejections(Map<String, Object> batch) {
        return app.jdbc().queryForList("SELECT row_number || ':' || field || ':' || reason FROM caravan.rejection WHERE batch_id = ? ORDER BY row_number",
                String.class, batch.get("batch_id"));
    }

    private static List<String> warnings(Map<String, Object> batch) {
        return app.jdbc().queryForList("SELECT field || ':' || reason FROM caravan.batch_warning WHERE batch_id = ? ORDER BY field",
                String.class, batch.get("batch_id"));
    }
}
