package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.caravan.consent.PurposeRegistry;
import io.caravan.exchange.PartnerSandbox;
import io.caravan.exchange.SftpHostKeyPinning;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.PolicyRegistry;
import io.caravan.testing.TestDatabase;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Exports under sharing agreements against the real warehouse schema in PostgreSQL: exact
 * columns, formula neutralisation, manifest, consent at export time, export log, refusals, JSON,
 * an interrupted export, and the partner's own SFTP server and an HTTPS endpoint as transports.
 */
class ExporterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARTNER = "fahrbank-leasing";
    private static final String ALICE = token('a');
    private static final String BOB = token('b');
    private static final String CAROL = token('c');
    private static final String COLUMNS = "[sale_id, sale_date, make, model, price_amount, financed, subject_token]";

    private static DataSource database;
    private static JdbcTemplate jdbc;

    @TempDir
    Path dir;

    private KeyRing keys;
    private Path outbox;
    private CamelContext camel;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.fresh("exporter_it");
        jdbc = new JdbcTemplate(database);
    }

    @BeforeEach
    void setUp() throws IOException {
        jdbc.update("TRUNCATE caravan.sale, caravan.consent_event, caravan.suppression, caravan.export_log, caravan.export");
        jdbc.update("DROP VIEW IF EXISTS caravan.sale_failing");
        keys = GeneratedKeyRing.open(dir.resolve("keys"), List.of(KeyRing.WAREHOUSE));
        outbox = dir.resolve("sftp").resolve(PARTNER).resolve("outbox");
        Files.createDirectories(outbox);
        sale("S-1", "Volkswagen", "-12.50", ALICE);
        sale("S-2", "=HYPERLINK(\"http://evil.test\";\"x\")", "21990.00", BOB);
        sale("S-3", "BMW", "35000.00", CAROL);
        sale("S-4", "Audi", "1.00", null);
        consent(ALICE, "granted", "2026-10-01T10:00:00Z");
        consent(BOB, "granted", "2026-10-01T10:00:00Z");
        // Carol never granted partner_sharing (an opt-in purpose)
    }

    @AfterEach
    void stopCamel() throws Exception {
        if (camel != null) {
            camel.close();
        }
    }

    @Test
    void csvHoldsExactlyTheAgreementsColumnsNeutralisesFormulasAndTheManifestHashMatches() throws Exception {
        Exporter.Result result = exporter(agreement("csv", "{ type: outbox }")).run("sales-share");

        assertThat(result.status()).isEqualTo("completed");
        Path file = outbox.resolve(result.fileName());
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("sale_id,sale_date,make,model,price_amount,financed,subject_token");
        assertThat(lines).hasSize(1 + 3);
        String partnerAlice = hmac(partnerKey(), ALICE);
        assertThat(lines).contains("S-1,2026-10-15,Volkswagen,Golf,-12.50,true," + partnerAlice)
                .anySatisfy(line -> assertThat(line).startsWith("S-2,2026-10-15,\"'=HYPERLINK(\"\"http://evil.test\"\";\"\"x\"\")\",Golf,"))
                .contains("S-4,2026-10-15,Audi,Golf,1.00,true,");
        assertThat(String.join("\n", lines)).doesNotContain(ALICE).doesNotContain(BOB).doesNotContain("S-3");

        JsonNode manifest = JSON.readTree(outbox.resolve(result.fileName() + ".manifest.json").toFile());
        assertThat(manifest.path("sha256").asString()).isEqualTo(sha256(file)).isEqualTo(result.sha256());
        assertThat(manifest.path("rows").asLong()).isEqualTo(3);
        assertThat(manifest.path("policy").asString()).isEqualTo("partner-" + PARTNER);
        assertThat(manifest.path("key_id").asString()).isEqualTo(keys.tokeniser(PARTNER).keyId());
        assertThat(manifest.path("agreement").asString()).isEqualTo("sales-share");
        assertThat(manifest.path("export_id").asString()).isEqualTo(result.exportId());
        assertThat(Instant.parse(manifest.path("created_at").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(listNames(outbox)).containsExactlyInAnyOrder(result.fileName(), result.fileName() + ".manifest.json");

        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM caravan.export WHERE export_id = ?", result.exportId());
        assertThat(row).containsEntry("status", "completed").containsEntry("partner_id", PARTNER)
                .containsEntry("rows_exported", 3L).containsEntry("rows_consent_filtered", 1L)
                .containsEntry("sha256", sha256(file)).containsEntry("transport", "outbox");
    }

    @Test
    void exportLogListsTheWarehouseTokensOfExactlyTheSubjectsSent() {
        Exporter.Result result = exporter(agreement("csv", "{ type: outbox }")).run("sales-share");

        assertThat(jdbc.queryForList("SELECT subject_token FROM caravan.export_log WHERE export_id = ? AND partner_id = ? "
                + "AND agreement_id = 'sales-share'", String.class, result.exportId(), PARTNER))
                .containsExactlyInAnyOrder(ALICE, BOB);
    }

    @Test
    void aWithdrawalStopsTheNextExportOfARecordThatEnteredEarlier() throws Exception {
        Exporter exporter = exporter(agreement("csv", "{ type: outbox }"));
        Exporter.Result first = exporter.run("sales-share");
        consent(ALICE, "withdrawn", "2026-11-01T10:00:00Z");

        Exporter.Result second = exporter.run("sales-share");

        assertThat(first.rows()).isEqualTo(3);
        assertThat(second.rows()).isEqualTo(2);
        assertThat(second.consentFiltered()).isEqualTo(2);
        assertThat(Files.readString(outbox.resolve(second.fileName()))).doesNotContain("S-1").contains("S-2");
        assertThat(jdbc.queryForList("SELECT subject_token FROM caravan.export_log WHERE export_id = ?", String.class,
                second.exportId())).containsExactly(BOB);
    }

    @Test
    void expiredAgreementIsRefusedAndExportsNothing() throws IOException {
        Exporter exporter = exporter(agreement("csv", "{ type: outbox }").replace("2099-12-31", "2026-01-31"));

        Exporter.Result result = exporter.run("sales-share");

        assertThat(result.status()).isEqualTo("refused");
        assertThat(jdbc.queryForMap("SELECT status, error, rows_exported FROM caravan.export WHERE export_id = ?",
                result.exportId())).containsEntry("status", "refused").containsEntry("rows_exported", 0L)
                .containsEntry("error", "agreement sales-share expired on 2026-01-31: nothing exported");
        assertThat(listNames(outbox)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.export_log", Long.class)).isZero();
    }

    @Test
    void missingAgreementIsRefusedAndSaysSo() {
        Exporter.Result result = exporter(agreement("csv", "{ type: outbox }")).run("no-such-agreement");

        assertThat(result.status()).isEqualTo("refused");
        assertThat(jdbc.queryForObject("SELECT error FROM caravan.export WHERE export_id = ? AND status = 'refused'",
                String.class, result.exportId())).contains("no agreement 'no-such-agreement'");
        assertThat(listNames(outbox)).isEmpty();
    }

    @Test
    void jsonExportIsAnArrayOfObjectsWithTheAgreementsColumnsAndTypes() throws Exception {
        Exporter.Result result = exporter(agreement("json", "{ type: outbox }")).run("sales-share");

        JsonNode rows = JSON.readTree(outbox.resolve(result.fileName()).toFile());
        assertThat(rows).hasSize(3);
        JsonNode alice = rows.findParents("sale_id").stream().filter(r -> r.path("sale_id").asString().equals("S-1"))
                .findFirst().orElseThrow();
        assertThat(alice.propertyNames())
                .containsExactly("sale_id", "sale_date", "make", "model", "price_amount", "financed", "subject_token");
        assertThat(alice.path("price_amount").isNumber()).isTrue();
        assertThat(alice.path("price_amount").decimalValue()).isEqualByComparingTo("-12.50");
        assertThat(alice.path("financed").asBoolean()).isTrue();
        assertThat(alice.path("sale_date").asString()).isEqualTo("2026-10-15");
        assertThat(alice.path("subject_token").asString()).isEqualTo(hmac(partnerKey(), ALICE));
        assertThat(JSON.readTree(outbox.resolve(result.fileName() + ".manifest.json").toFile()).path("sha256").asString())
                .isEqualTo(sha256(outbox.resolve(result.fileName())));
    }

    @Test
    void anExportInterruptedMidWriteLeavesNoFileUnderItsFinalNameAndNoLog() throws Exception {
        // rows stream out until row 5000, where PostgreSQL fails the query in the middle of the file
        jdbc.execute("CREATE VIEW caravan.sale_failing AS SELECT 'S-' || g AS sale_id, "
                + "CASE WHEN g = 5000 THEN (1 / (g - 5000))::text ELSE 'VW' END AS make, "
                + "'" + ALICE + "'::text AS subject_token, 'first_party'::text AS data_class FROM generate_series(1, 6000) g");
        String yaml = agreement("csv", "{ type: outbox }").replace("table: sale", "table: sale_failing")
                .replace(COLUMNS, "[sale_id, make, subject_token]");

        Exporter.Result result = exporter(yaml).run("sales-share");

        assertThat(result.status()).isEqualTo("failed");
        assertThat(result.reason()).contains("SQLSTATE 22012");
        assertThat(listNames(outbox)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT status FROM caravan.export WHERE export_id = ?", String.class,
                result.exportId())).isEqualTo("failed");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.export_log", Long.class)).isZero();
    }

    @Test
    void partnersOwnSftpServerReceivesTheFileUnderItsFinalNameOnlyWhenComplete() throws Exception {
        try (PartnerSandbox server = PartnerSandbox.start(dir.resolve("partner-server"), 0, List.of(PARTNER))) {
            String transport = "{ type: sftp, host: 127.0.0.1, port: " + server.port() + ", username: caravan, "
                    + "privateKeyFile: '" + server.clientKey() + "', knownHostsFile: '" + server.knownHosts() + "', "
                    + "directory: " + PARTNER + "/inbox }";

            Exporter.Result result = exporter(agreement("csv", transport)).run("sales-share");

            assertThat(result.status()).as(result.reason()).isEqualTo("completed");
            Path inbox = server.root().resolve(PARTNER).resolve("inbox");
            assertThat(listNames(inbox)).containsExactlyInAnyOrder(result.fileName(), result.fileName() + ".manifest.json");
            assertThat(JSON.readTree(inbox.resolve(result.fileName() + ".manifest.json").toFile()).path("sha256").asString())
                    .isEqualTo(sha256(inbox.resolve(result.fileName())));
            assertThat(listNames(dir.resolve("staging"))).isEmpty();
        }
    }

    @Test
    void anSftpUploadCutOffMidFileLeavesNothingUnderTheFinalNameAndNoLog() throws Exception {
        Path keys = dir.resolve("flaky");
        PartnerSandbox.start(keys, 0, List.of(PARTNER)).close(); // only for its key files
        jdbc.update("INSERT INTO caravan.sale (record_key, connector_id, data_class, batch_id, ingested_at, sale_id, make, "
                + "subject_token) SELECT 'rk-big-' || g, 'test', 'first_party', 'b-test', now(), 'BIG-' || g, "
                + "'Volkswagen Golf Variant', ? FROM generate_series(1, 20000) g", ALICE);
        KeyPair host = new FileKeyPairProvider(keys.resolve("ssh_host_ed25519_key")).loadKeys(null).iterator().next();
        PublicKey client = AuthorizedKeyEntry.readAuthorizedKeys(keys.resolve("caravan_ed25519.pub")).get(0)
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        Path root = keys.resolve("root").toAbsolutePath();
        SshServer flaky = SshServer.setUpDefaultServer();
        flaky.setHost("127.0.0.1");
        flaky.setPort(0);
        flaky.setKeyPairProvider(KeyPairProvider.wrap(host));
        flaky.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(client, key));
        flaky.setFileSystemFactory(new VirtualFileSystemFactory(root));
        SftpSubsystemFactory subsystem = new SftpSubsystemFactory.Builder().build();
        subsystem.addSftpEventListener(new SftpEventListener() {
            @Override
            public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset,
                                byte[] data, int dataOffset, int dataLen) throws IOException {
                if (offset > 100_000) {
                    session.close(true); // the connection drops in the middle of the file
                    throw new IOException("connection dropped");
                }
            }
        });
        flaky.setSubsystemFactories(List.of(subsystem));
        flaky.start();
        try {
            Path pins = keys.resolve("known_hosts_flaky");
            Files.writeString(pins, PartnerSandbox.knownHostsLine("127.0.0.1", flaky.getPort(), host.getPublic()));
            String transport = "{ type: sftp, host: 127.0.0.1, port: " + flaky.getPort() + ", username: caravan, "
                    + "privateKeyFile: '" + keys.resolve("caravan_ed25519").toAbsolutePath() + "', knownHostsFile: '" + pins
                    + "', directory: " + PARTNER + "/inbox }";

            Exporter.Result result = exporter(agreement("csv", transport)).run("sales-share");

            assertThat(result.status()).isEqualTo("failed");
            assertThat(result.reason()).startsWith("sftp upload of " + result.fileName() + " to 127.0.0.1:" + flaky.getPort());
            Path inbox = root.resolve(PARTNER).resolve("inbox");
            // the upload had begun (a partial temporary file is left), but only under its temporary name
            assertThat(listNames(inbox)).containsExactly("." + result.fileName() + ".part");
            assertThat(inbox.resolve(result.fileName())).doesNotExist();
            assertThat(inbox.resolve(result.fileName() + ".manifest.json")).doesNotExist();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.export_log WHERE export_id = ?", Long.class,
                    result.exportId())).isZero();
        } finally {
            flaky.stop(true);
        }
    }

    @Test
    void httpsEndpointReceivesFileAndManifestAndAnUntrustedCertificateFailsTheExport() throws Exception {
        Path keystore = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "partner", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        Path certificate = dir.resolve("partner.pem");
        keytool("-exportcert", "-rfc", "-alias", "partner", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", certificate.toString());
        Map<String, byte[]> received = new ConcurrentHashMap<>();
        HttpsServer server = https(keystore, received);
        try {
            String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/caravan/inbox";

            Exporter.Result result = exporter(agreement("csv", "{ type: https, url: '" + url + "', trustCertificate: '"
                    + certificate + "' }")).run("sales-share");
            Exporter.Result untrusted = exporter(agreement("csv", "{ type: https, url: '" + url + "' }")).run("sales-share");

            assertThat(result.status()).as(result.reason()).isEqualTo("completed");
            byte[] file = received.get("/caravan/inbox/" + result.fileName());
            assertThat(file).isNotNull();
            assertThat(new String(file, StandardCharsets.UTF_8)).startsWith("sale_id,sale_date,make");
            JsonNode manifest = JSON.readTree(received.get("/caravan/inbox/" + result.fileName() + ".manifest.json"));
            assertThat(manifest.path("sha256").asString()).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(file)));
            assertThat(untrusted.status()).isEqualTo("failed");
            assertThat(untrusted.reason()).contains("https upload").contains("127.0.0.1");
            assertThat(received).doesNotContainKey("/caravan/inbox/" + untrusted.fileName());
            assertThat(jdbc.queryForObject("SELECT count(*) FROM caravan.export_log WHERE export_id = ?", Long.class,
                    untrusted.exportId())).isZero();
        } finally {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------------------------------

    private Exporter exporter(String agreementsYaml) {
        try {
            Path file = dir.resolve("agreements-" + System.nanoTime() + ".yaml");
            Files.writeString(file, agreementsYaml);
            PolicyRegistry policies = PolicyRegistry.load(Path.of("config/policies.yaml"));
            PurposeRegistry purposes = PurposeRegistry.load(Path.of("config/purposes.yaml"));
            AgreementRegistry agreements = AgreementRegistry.load(file, policies, purposes, new WarehouseColumns(database),
                    s -> s);
            if (camel == null) {
                camel = new DefaultCamelContext();
                camel.addLifecycleStrategy(new SftpHostKeyPinning());
                camel.start();
            }
            return new Exporter(agreements, policies, purposes, keys, database, new WarehouseColumns(database),
                    dir.resolve("sftp"), dir.resolve("staging"), camel, Runnable::run, Clock.systemUTC(),
                new io.caravan.audit.AuditTrail(database, new tools.jackson.databind.ObjectMapper()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String agreement(String format, String transport) {
        return """
                agreements:
                  - id: sales-share
                    partner: fahrbank-leasing
                    dataset:
                      table: sale
                      columns: %s
                    purpose: partner_sharing
                    policy: partner-fahrbank-leasing
                    validUntil: 2099-12-31
                    format: %s
                    transport: %s
                """.formatted(COLUMNS, format, transport);
    }

    private static void sale(String id, String make, String price, String subject) {
        jdbc.update("INSERT INTO caravan.sale (record_key, connector_id, partner_id, data_class, batch_id, ingested_at, "
                        + "sale_id, sale_date, make, model, price_amount, financed, subject_token, email_token) "
                        + "VALUES (?, 'test', 'dealer-nord', 'first_party', 'b-test', now(), ?, DATE '2026-10-15', ?, 'Golf', "
                        + "?::numeric, true, ?, ?)", "rk-" + id, id, make, price, subject, subject);
    }

    private static void consent(String subject, String status, String at) {
        jdbc.update("INSERT INTO caravan.consent_event (event_id, subject_token, purpose, status, basis, captured_at, source) "
                + "VALUES (?, ?, 'partner_sharing', ?, 'consent', ?::timestamptz, 'test')",
                java.util.UUID.randomUUID().toString(), subject, status, at);
    }

    private static String token(char c) {
        return String.valueOf(c).repeat(64);
    }

    private byte[] partnerKey() throws IOException {
        String keyId = keys.tokeniser(PARTNER).keyId();
        try (Stream<Path> files = Files.walk(dir.resolve("keys"))) {
            Path file = files.filter(p -> p.getFileName().toString().equals(keyId + ".key")).findFirst().orElseThrow();
            return java.util.Base64.getDecoder().decode(Files.readString(file).strip());
        }
    }

    private static String hmac(byte[] key, String value) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<String> listNames(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("keytool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private static HttpsServer https(Path keystore, Map<String, byte[]> received) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/caravan/inbox/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("PUT".equals(exchange.getRequestMethod())) {
                received.put(exchange.getRequestURI().getPath(), body);
                exchange.sendResponseHeaders(201, -1);
            } else {
                exchange.sendResponseHeaders(405, -1);
            }
            exchange.close();
        });
        server.start();
        return server;
    }
}
