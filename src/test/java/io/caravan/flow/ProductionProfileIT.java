package io.caravan.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.CaravanApplication;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.MissingKeyException;
import io.caravan.testing.TestDatabase;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.daead.DeterministicAeadConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.SchedulerMetaData;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real application started as production starts it ({@code --spring.profiles.active=prod}):
 * without configured keys it refuses to start, naming the missing key; with them it starts and
 * generates nothing. Key material appears in no output.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProductionProfileIT {
    @TempDir
    Path data;

    private List<String> prodArgs(String database, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.profiles.active=prod",
                "--spring.datasource.url=" + TestDatabase.jdbcUrl(database),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=unused",
                "--caravan.security.users[0].name=operator",
                "--caravan.security.users[0].password={noop}operator-password-1",
                "--caravan.security.users[0].roles[0]=operator",
                "--caravan.security.users[1].name=viewer",
                "--caravan.security.users[1].password={noop}viewer-password-1",
                "--caravan.security.users[1].roles[0]=viewer",
                "--caravan.data-dir=" + data,
                "--caravan.samples.seed=false",
                "--caravan.sftp.gateway.port=0",
                "--caravan.sftp.gateway.demo-keys=false",
                "--server.port=0",
                // the partner APIs of the repository's routes, as a production deployment configures them
                "--caravan.partners.autoboerse.base-url=https://api.autoboerse.example/leads-api",
                "--caravan.partners.autoboerse.token-url=https://api.autoboerse.example/oauth/token",
                "--caravan.partners.autoboerse.client-id=caravan",
                "--caravan.partners.autoboerse.client-secret=not-a-real-secret",
                "--caravan.partners.versicherung-direkt.base-url=https://api.versicherung-direkt.example",
                "--caravan.partners.google-ads.customer-id=1234567890",
                "--caravan.partners.google-ads.client-id=caravan",
                "--caravan.partners.google-ads.client-secret=not-a-real-secret",
                "--caravan.partners.google-ads.refresh-token=not-a-real-refresh-token",
                "--caravan.partners.google-ads.developer-token=not-a-real-developer-token",
                "--caravan.partners.meta-ads.account-id=9988776655",
                "--caravan.partners.meta-ads.access-token=not-a-real-token"));
        for (String e : extra) {
            args.add("--" + e);
        }
        return args;
    }

    @Test
    void refusesToStartWithoutAPartnerDomainsKeyNamingIt() throws Exception {
        TestDatabase.fresh("prod_profile_partner");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String vault = vaultKeyset().toString();
        String archive = archiveKeyset().toString();
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class).run(prodArgs("prod_profile_partner",
                "caravan.keys.vault.keyset-file=" + vault, "caravan.keys.archive.keyset-file=" + archive,
                "caravan.keys.encryption.keyset-file=" + encryptionKeyset(),
                "caravan.keys.domains.suppression.active=suppression-prod-1",
                "caravan.keys.material.suppression-prod-1=" + randomKey(),
                "caravan.keys.domains.warehouse.active=warehouse-prod-1",
                "caravan.keys.material.warehouse-prod-1=" + Base64.getEncoder().encodeToString(key)).toArray(String[]::new)).close())
                .satisfies(e -> Assertions.assertThat(rootCause(e)).isInstanceOf(MissingKeyException.class)
                        .hasMessageContaining("key domain 'dealer-nord'")
                        .hasMessageNotContaining(Base64.getEncoder().encodeToString(key)));
    }

    @Test
    void refusesToStartWithoutConfiguredKeysNamingTheMissingOne(CapturedOutput output) {
        TestDatabase.fresh("prod_profile_nokeys");
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class)
                .run(prodArgs("prod_profile_nokeys").toArray(String[]::new)).close())
                .satisfies(e -> Assertions.assertThat(rootCause(e)).isInstanceOf(MissingKeyException.class)
                        .hasMessageContaining("caravan.keys.domains.warehouse.active"));
        assertThat(data.resolve("keys")).doesNotExist();
    }

    @Test
    void refusesToStartWithoutTheVaultKeysetNamingIt() throws Exception {
        TestDatabase.fresh("prod_profile_novault");
        List<String> keyArgs = new ArrayList<>();
        for (String domain : DOMAINS) {
            keyArgs.add("caravan.keys.domains." + domain + ".active=" + domain + "-prod-1");
            keyArgs.add("caravan.keys.material." + domain + "-prod-1=" + randomKey());
        }
        keyArgs.add("caravan.keys.archive.keyset-file=" + archiveKeyset());
        keyArgs.add("caravan.keys.encryption.keyset-file=" + encryptionKeyset());
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class).run(prodArgs("prod_profile_novault",
                keyArgs.toArray(String[]::new)).toArray(String[]::new)).close())
                .satisfies(e -> Assertions.assertThat(rootCause(e)).isInstanceOf(MissingKeyException.class)
                        .hasMessageContaining("caravan.keys.vault.keyset-file"));
    }

    @Test
    void refusesToStartWithoutTheArchiveKeysetNamingIt() throws Exception {
        TestDatabase.fresh("prod_profile_noarchive");
        List<String> keyArgs = new ArrayList<>(List.of("caravan.keys.vault.keyset-file=" + vaultKeyset(),
                "caravan.keys.encryption.keyset-file=" + encryptionKeyset()));
        for (String domain : DOMAINS) {
            keyArgs.add("caravan.keys.domains." + domain + ".active=" + domain + "-prod-1");
            keyArgs.add("caravan.keys.material." + domain + "-prod-1=" + randomKey());
        }
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class).run(prodArgs("prod_profile_noarchive",
                keyArgs.toArray(String[]::new)).toArray(String[]::new)).close())
                .satisfies(e -> Assertions.assertThat(rootCause(e)).isInstanceOf(MissingKeyException.class)
                        .hasMessageContaining("caravan.keys.archive.keyset-file"));
    }

    private Path archiveKeyset() throws Exception {
        com.google.crypto.tink.aead.AeadConfig.register();
        Path file = data.resolve("archive-keyset.json");
        Files.writeString(file, TinkJsonProtoKeysetFormat.serializeKeyset(
                KeysetHandle.generateNew(KeyTemplates.get("AES256_GCM")), InsecureSecretKeyAccess.get()));
        return file;
    }

    /** Every key domain a policy of config/policies.yaml names (the warehouse and one per partner export), and suppression. */
    private static final List<String> DOMAINS = List.of("warehouse", "suppression", "dealer-nord", "dealer-sued",
            "autoboerse", "allsecura", "fahrbank-leasing");

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** The encrypt action's keyset: a shipped policy (warehouse-leads) encrypts the marketplace leads' contact details. */
    private Path encryptionKeyset() throws Exception {
        DeterministicAeadConfig.register();
        Path file = data.resolve("encryption-keyset.json");
        Files.writeString(file, TinkJsonProtoKeysetFormat.serializeKeyset(
                KeysetHandle.generateNew(KeyTemplates.get("AES256_SIV")), InsecureSecretKeyAccess.get()));
        return file;
    }

    private Path vaultKeyset() throws Exception {
        DeterministicAeadConfig.register();
        Path file = data.resolve("vault-keyset.json");
        Files.writeString(file, TinkJsonProtoKeysetFormat.serializeKeyset(
                KeysetHandle.generateNew(KeyTemplates.get("AES256_SIV")), InsecureSecretKeyAccess.get()));
        return file;
    }

    @Test
    void startsWithConfiguredKeysAndShowsNoMaterial(CapturedOutput output) throws Exception {
        TestDatabase.fresh("prod_profile_keys");
        List<String> materials = new ArrayList<>();
        List<String> keyArgs = new ArrayList<>(List.of("logging.level.io.caravan=DEBUG",
                "caravan.keys.vault.keyset-file=" + vaultKeyset(), "caravan.keys.archive.keyset-file=" + archiveKeyset(),
                "caravan.keys.encryption.keyset-file=" + encryptionKeyset()));
        for (String domain : DOMAINS) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            String material = Base64.getEncoder().encodeToString(key);
            materials.add(material);
            keyArgs.add("caravan.keys.domains." + domain + ".active=" + domain + "-prod-1");
            keyArgs.add("caravan.keys.material." + domain + "-prod-1=" + material);
        }
        String material = materials.get(0);
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(CaravanApplication.class).run(prodArgs(
                "prod_profile_keys", keyArgs.toArray(String[]::new)).toArray(String[]::new))) {
            KeyRing keys = app.getBean(KeyRing.class);
            assertThat(keys.tokeniser(KeyRing.WAREHOUSE).keyId()).isEqualTo("warehouse-prod-1");
            assertThat(keys.toString()).doesNotContain(material);
            // the prod profile's Quartz properties reach camel-quartz: schedules run on the clustered JDBC store
            SchedulerMetaData quartz = app.getBean(CamelContext.class).getComponent("quartz", QuartzComponent.class)
                    .getScheduler().getMetaData();
            assertThat(quartz.getJobStoreClass()).isEqualTo(JobStoreTX.class);
            assertThat(quartz.isJobStoreClustered()).isTrue();
        }
        assertThat(data.resolve("keys")).doesNotExist();
        assertThat(materials).allSatisfy(m -> assertThat(output.getAll()).doesNotContain(m));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
