package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.consent.PurposeRegistry;
import io.caravan.error.ConfigException;
import io.caravan.pseudonymise.GeneratedKeyRing;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.PolicyRegistry;
import io.caravan.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
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
 * Data classes enforced at export time, in the export query, against the real warehouse: one sale
 * of each class, each with its own subject, exported under agreements, policies and purposes that
 * restrict the classes in turn. A row of a class not allowed is left out of the file, counted in
 * {@code rows_class_filtered} and never logged as a disclosure.
 */
class DataClassExportIT {
    private static final String PARTNER = "fahrbank-leasing";
    private static final List<String> CLASSES = List.of("first_party", "zero_party", "second_party", "third_party");

    private static DataSource database;
    private static JdbcTemplate jdbc;

    @TempDir
    Path dir;
    private CamelContext camel;
    private KeyRing keys;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.fresh("data_class_export_it");
        jdbc = new JdbcTemplate(database);
    }

    @BeforeEach
    void oneSaleOfEachClass() throws Exception {
        jdbc.update("TRUNCATE caravan.sale, caravan.consent_event, caravan.export_log, caravan.export");
        for (String dataClass : CLASSES) {
            jdbc.update("INSERT INTO caravan.sale (record_key, connector_id, partner_id, data_class, batch_id, ingested_at,"
                    + " sale_id, make, subject_token) VALUES (?, 'test', 'p', ?, 'b-test', now(), ?, 'VW', ?)",
                    "rk-" + dataClass, dataClass, "S-" + dataClass, subject(dataClass));
        }
        keys = GeneratedKeyRing.open(dir.resolve("keys"), List.of(KeyRing.WAREHOUSE));
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterEach
    void stopCamel() throws Exception {
        camel.close();
    }

    @Test
    void thirdPartyDataNeverReachesAnAgreementThatDoesNotNameIt() throws Exception {
        Exporter.Result result = exporter("", "", "").run("share");

        assertThat(result.status()).isEqualTo("completed");
        assertThat(exported()).containsExactlyInAnyOrder("S-first_party", "S-zero_party", "S-second_party");
        assertThat(result.classFiltered()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT rows_class_filtered FROM caravan.export WHERE export_id = ?", Long.class,
                result.exportId())).isEqualTo(1L);
        assertThat(jdbc.queryForList("SELECT subject_token FROM caravan.export_log", String.class))
                .hasSize(3).doesNotContain(subject("third_party"));
    }

    @Test
    void anAgreementThatNamesThirdPartyDataReceivesItAndOnlyTheClassesItNames() throws Exception {
        Exporter.Result result = exporter("", "", "[third_party, zero_party]").run("share");

        assertThat(exported()).containsExactlyInAnyOrder("S-third_party", "S-zero_party");
        assertThat(result.classFiltered()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT subject_token FROM caravan.export_log", String.class))
                .containsExactlyInAnyOrder(subject("third_party"), subject("zero_party"));
    }

    @Test
    void aPolicyRestrictsTheClassesItReleases() throws Exception {
        Exporter.Result result = exporter("", "[first_party, third_party]", "").run("share");

        assertThat(exported()).containsExactly("S-first_party");
        assertThat(result.classFiltered()).isEqualTo(3);
    }

    @Test
    void aPurposeRestrictsTheClassesProcessedForIt() throws Exception {
        Exporter.Result result = exporter("[second_party, third_party]", "", "[second_party, third_party]").run("share");

        assertThat(exported()).containsExactlyInAnyOrder("S-second_party", "S-third_party");
        assertThat(result.classFiltered()).isEqualTo(2);
    }

    @Test
    void zeroPartyDataCanBeTheOnlyClassAnAgreementTakes() throws Exception {
        Exporter.Result result = exporter("[zero_party, first_party]", "[zero_party, second_party]", "[zero_party]").run("share");

        assertThat(exported()).containsExactly("S-zero_party");
        assertThat(result.classFiltered()).isEqualTo(3);
    }

    @Test
    void anAgreementWhoseClassesItsPolicyAndPurposeDoNotAllowIsRefusedAtStartUpWithFileAndPath() {
        assertThatThrownBy(() -> exporter("[first_party]", "[first_party, zero_party]", "[third_party]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("agreements.yaml") + ": $.agreements[0].dataClasses: no data class is allowed")
                .hasMessageContaining("third_party");
    }

    @Test
    void anUnknownClassIsNamedWithFileAndPath() {
        assertThatThrownBy(() -> exporter("", "[first_party, fourth_party]", ""))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("policies.yaml") + ": $.policies[0].dataClasses[1]");
        assertThatThrownBy(() -> exporter("[zeroth_party]", "", ""))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("purposes.yaml") + ": $.purposes.sharing.dataClasses[0]");
    }

    private Exporter exporter(String purposeClasses, String policyClasses, String agreementClasses) throws IOException {
        Files.writeString(dir.resolve("purposes.yaml"), """
                purposes:
                  sharing:
                    basis: legitimate_interest
                    title: Sharing
                %s""".formatted(purposeClasses.isEmpty() ? "" : "    dataClasses: " + purposeClasses + "\n"));
        Files.writeString(dir.resolve("policies.yaml"), """
                policies:
                  - id: partner-x
                    keyDomain: fahrbank-leasing
                %s    keep: [sale_id, make]
                    fields: { email: hmac }
                """.formatted(policyClasses.isEmpty() ? "" : "    dataClasses: " + policyClasses + "\n"));
        Files.writeString(dir.resolve("agreements.yaml"), """
                agreements:
                  - id: share
                    partner: fahrbank-leasing
                    dataset: { table: sale, columns: [sale_id, make, subject_token] }
                    purpose: sharing
                    policy: partner-x
                %s    validUntil: 2099-12-31
                    format: csv
                    transport: { type: outbox }
                """.formatted(agreementClasses.isEmpty() ? "" : "    dataClasses: " + agreementClasses + "\n"));
        PurposeRegistry purposes = PurposeRegistry.load(dir.resolve("purposes.yaml"));
        PolicyRegistry policies = PolicyRegistry.load(dir.resolve("policies.yaml"));
        AgreementRegistry agreements = AgreementRegistry.load(dir.resolve("agreements.yaml"), policies, purposes,
                new WarehouseColumns(database), s -> s);
        return new Exporter(agreements, policies, purposes, keys, database, new WarehouseColumns(database),
                dir.resolve("sftp"), dir.resolve("staging"), camel, Runnable::run, Clock.systemUTC(),
                new io.caravan.audit.AuditTrail(database, new tools.jackson.databind.ObjectMapper()));
    }

    /** The sale ids in the exported file. */
    private List<String> exported() throws IOException {
        Path outbox = dir.resolve("sftp").resolve(PARTNER).resolve("outbox");
        try (Stream<Path> files = Files.list(outbox)) {
            Path csv = files.filter(p -> p.getFileName().toString().endsWith(".csv")).findFirst().orElseThrow();
            return Files.readAllLines(csv).stream().skip(1).map(line -> line.split(",")[0]).toList();
        }
    }

    private static String subject(String dataClass) {
        return String.valueOf((char) ('a' + CLASSES.indexOf(dataClass))).repeat(64);
    }
}
