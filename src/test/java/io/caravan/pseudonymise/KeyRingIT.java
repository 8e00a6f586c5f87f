package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.annotation.UserConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class KeyRingIT {
    private static final String KEY_A = Base64.getEncoder().encodeToString(bytes(0x11));
    private static final String KEY_B = Base64.getEncoder().encodeToString(bytes(0x22));

    @TempDir
    Path temp;

    private static byte[] bytes(int value) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    // ---- the embedded default: generated keys ----

    @Test
    void generatesOwnerOnlyKeysOnFirstStart() throws Exception {
        Path root = temp.resolve("data/keys");
        GeneratedKeyRing ring = GeneratedKeyRing.open(root, List.of("warehouse"));

        Tokeniser warehouse = ring.tokeniser("warehouse");
        assertThat(warehouse.keyId()).matches("warehouse-\\d{8}-[0-9a-f]{4}");
        assertThat(permissions(root)).isEqualTo("rwx------");
        assertThat(permissions(root.resolve("hmac/warehouse"))).isEqualTo("rwx------");
        assertThat(permissions(root.resolve("hmac/warehouse/" + warehouse.keyId() + ".key"))).isEqualTo("rw-------");
        assertThat(permissions(root.resolve("hmac/warehouse/active"))).isEqualTo("rw-------");
        assertThat(permissions(root.resolve("encrypt/aes256-siv.json"))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(root.resolve("hmac/warehouse/" + warehouse.keyId() + ".key")).strip()))
                .hasSize(32);
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
        assertThat(ring.keys()).containsExactly(new KeyInfo(warehouse.keyId(), "warehouse", KeyStatus.ACTIVE));
    }

    @Test
    void reusesTheSameKeysOnRestart() {
        Path root = temp.resolve("keys");
        GeneratedKeyRing first = GeneratedKeyRing.open(root, List.of("warehouse"));
        String token = first.tokeniser("warehouse").token("jane.doe@example.com");
        String ciphertext = first.cipher().encrypt("email", "jane.doe@example.com");

        GeneratedKeyRing second = GeneratedKeyRing.open(root, List.of("warehouse"));

        assertThat(second.tokeniser("warehouse").keyId()).isEqualTo(first.tokeniser("warehouse").keyId());
        assertThat(second.tokeniser("warehouse").token("jane.doe@example.com")).isEqualTo(token);
        assertThat(second.cipher().decrypt("email", ciphertext)).isEqualTo("jane.doe@example.com");
        assertThat(second.cipher().encrypt("email", "jane.doe@example.com")).isEqualTo(ciphertext);
    }

    @Test
    void createsPartnerDomainsOnDemandWithUnrelatedTokens() {
        Path root = temp.resolve("keys");
        GeneratedKeyRing ring = GeneratedKeyRing.open(root, List.of("warehouse"));

        Tokeniser partner = ring.tokeniser("insurer-a");

        assertThat(partner.keyId()).startsWith("insurer-a-");
        assertThat(partner.token("jane.doe@example.com"))
                .isNotEqualTo(ring.tokeniser("warehouse").token("jane.doe@example.com"));
        assertThat(GeneratedKeyRing.open(root, List.of("warehouse")).tokeniser("insurer-a").keyId())
                .isEqualTo(partner.keyId());
        assertThatThrownBy(() -> ring.tokeniser("../escape")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rotationActivatesANewKeyAndKeepsTheOldOneReadable() {
        Path root = temp.resolve("keys");
        GeneratedKeyRing ring = GeneratedKeyRing.open(root, List.of("warehouse"));
        Tokeniser old = ring.tokeniser("warehouse");

        KeyInfo fresh = ring.rotate("warehouse");

        assertThat(fresh.keyId()).isNotEqualTo(old.keyId());
        assertThat(ring.tokeniser("warehouse").keyId()).isEqualTo(fresh.keyId());
        assertThat(ring.readable("warehouse")).extracting(Tokeniser::keyId).containsExactly(fresh.keyId(), old.keyId());
        assertThat(ring.byKeyId(old.keyId())).get().extracting(t -> t.token("x@example.com"))
                .isEqualTo(old.token("x@example.com"));
        GeneratedKeyRing restarted = GeneratedKeyRing.open(root, List.of("warehouse"));
        assertThat(restarted.keys()).containsExactly(
                new KeyInfo(fresh.keyId(), "warehouse", KeyStatus.ACTIVE),
                new KeyInfo(old.keyId(), "warehouse", KeyStatus.RETIRED));
    }

    @Test
    void refusesToStartWithAKeyFileOthersCanRead() throws Exception {
        Path root = temp.resolve("keys");
        String keyId = GeneratedKeyRing.open(root, List.of("warehouse")).tokeniser("warehouse").keyId();
        Path keyFile = root.resolve("hmac/warehouse/" + keyId + ".key");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> GeneratedKeyRing.open(root, List.of("warehouse")))
                .isInstanceOf(MissingKeyException.class)
                .hasMessageContaining(keyFile.toString())
                .hasMessageContaining("chmod 600")
                .hasMessageNotContaining(Files.readString(keyFile).strip());
    }

    @Test
    void refusesACorruptKeyFileWithoutQuotingIt() throws Exception {
        Path root = temp.resolve("keys");
        String keyId = GeneratedKeyRing.open(root, List.of("warehouse")).tokeniser("warehouse").keyId();
        Path keyFile = root.resolve("hmac/warehouse/" + keyId + ".key");
        Files.writeString(keyFile, "secret-not-base64!");

        assertThatThrownBy(() -> GeneratedKeyRing.open(root, List.of("warehouse")))
                .isInstanceOf(MissingKeyException.class)
                .hasMessage(keyFile + ": is not base64");
    }

    // ---- configured keys (any other profile) ----

    private static KeyProperties configured(Map<String, KeyProperties.Domain> domains, Map<String, String> material,
                                            Map<String, String> files) {
        return new KeyProperties(false, List.of("warehouse"), domains, material, files, null, null, null);
    }

    @Test
    void configuredKeysTokeniseWithTheGivenMaterial() {
        ConfiguredKeyRing ring = ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-20261123-1a2b", List.of("warehouse-20250101-0000"))),
                // as bound from CARAVAN_KEYS_MATERIAL_WAREHOUSE_20261123_1A2B
                Map.of("warehouse.20261123.1a2b", KEY_A, "warehouse-20250101-0000", KEY_B), Map.of()));

        assertThat(ring.tokeniser("warehouse").keyId()).isEqualTo("warehouse-20261123-1a2b");
        assertThat(ring.tokeniser("warehouse").token("jane.doe@example.com"))
                .isEqualTo(new Tokeniser(bytes(0x11)).token("jane.doe@example.com"));
        assertThat(ring.keys()).extracting(KeyInfo::status).containsExactly(KeyStatus.ACTIVE, KeyStatus.RETIRED);
        assertThatThrownBy(() -> ring.rotate("warehouse")).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("caravan.keys.domains.warehouse.active");
    }

    @Test
    void configuredKeyMayComeFromAFile() throws Exception {
        Path file = temp.resolve("warehouse.key");
        Files.writeString(file, KEY_A + "\n", StandardCharsets.US_ASCII);
        ConfiguredKeyRing ring = ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-20261123-1a2b", null)),
                Map.of(), Map.of("warehouse-20261123-1a2b", file.toString())));

        assertThat(ring.tokeniser("warehouse").token("a@example.com"))
                .isEqualTo(new Tokeniser(bytes(0x11)).token("a@example.com"));
    }

    @Test
    void missingWarehouseDomainRefusesNamingTheProperty() {
        assertThatThrownBy(() -> ConfiguredKeyRing.from(configured(Map.of(), Map.of("other-1", KEY_A), Map.of())))
                .isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("key domain 'warehouse'")
                .hasMessageContaining("caravan.keys.domains.warehouse.active")
                .hasMessageNotContaining(KEY_A);
    }

    @Test
    void missingKeyMaterialRefusesNamingTheKeyAndNoMaterial() {
        assertThatThrownBy(() -> ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-20261123-1a2b", null),
                        "dealer-nord", new KeyProperties.Domain("dealer-nord-20261123-0001", null)),
                Map.of("warehouse-20261123-1a2b", KEY_A), Map.of())))
                .isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("caravan.keys.material.dealer-nord-20261123-0001")
                .hasMessageContaining("key domain 'dealer-nord'")
                .hasMessageNotContaining(KEY_A);
    }

    @Test
    void malformedKeyMaterialRefusesWithoutQuotingIt() {
        String notBase64 = "s3cr3t!material#";
        String tooShort = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)), Map.of("warehouse-1", notBase64), Map.of())))
                .isInstanceOf(MissingKeyException.class)
                .hasMessage("caravan.keys.material.warehouse-1: is not base64 (key domain 'warehouse')");
        assertThatThrownBy(() -> ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)), Map.of("warehouse-1", tooShort), Map.of())))
                .isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("must be 32 random bytes")
                .hasMessageNotContaining(tooShort);
    }

    @Test
    void unconfiguredPartnerDomainAndEncryptionKeysetAreNamedWhenAsked() {
        ConfiguredKeyRing ring = ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)), Map.of("warehouse-1", KEY_A), Map.of()));
        assertThatThrownBy(() -> ring.tokeniser("insurer-a")).isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("caravan.keys.domains.insurer-a.active");
        assertThatThrownBy(ring::cipher).isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("caravan.keys.encryption.keyset-file");
    }

    @Test
    void propertiesToStringShowsNoMaterial() {
        KeyProperties properties = configured(Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)),
                Map.of("warehouse-1", KEY_A), Map.of());
        assertThat(properties.toString()).contains("warehouse-1").doesNotContain(KEY_A);
        assertThat(ConfiguredKeyRing.from(properties).toString()).doesNotContain(KEY_A);
    }

    // ---- Spring wiring: which ring a deployment gets ----

    /**
     * A key for every partner key domain the policies of config/policies.yaml name and the
     * suppression domain (they are checked at start-up), the vault keyset the warehouse policy seals with and the
     * encryption keyset of the encrypt action (policy warehouse-leads).
     */
    private static String[] partnerDomainKeys() throws Exception {
        String vault = com.google.crypto.tink.TinkJsonProtoKeysetFormat.serializeKeyset(FieldCipher.newKeyset(),
                com.google.crypto.tink.InsecureSecretKeyAccess.get());
        String encryption = com.google.crypto.tink.TinkJsonProtoKeysetFormat.serializeKeyset(FieldCipher.newKeyset(),
                com.google.crypto.tink.InsecureSecretKeyAccess.get()); // policy warehouse-leads encrypts
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("caravan.keys.vault.keyset=" + vault,
                        "caravan.keys.encryption.keyset=" + encryption),
                java.util.stream.Stream.of("suppression", "dealer-nord", "dealer-sued", "autoboerse", "allsecura", "fahrbank-leasing")
                .flatMap(domain -> java.util.stream.Stream.of("caravan.keys.domains." + domain + ".active=" + domain + "-1",
                        "caravan.keys.material." + domain + "-1=" + KEY_A)))
                .toArray(String[]::new);
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(UserConfigurations.of(PseudonymiseConfiguration.class))
                .withPropertyValues("caravan.data-dir=" + temp.resolve("data"), "caravan.config-dir=config");
    }

    @Test
    void embeddedDefaultGeneratesKeysInTheDataDirectory() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(KeyRing.class)).isInstanceOf(GeneratedKeyRing.class);
            assertThat(temp.resolve("data/keys/hmac/warehouse/active")).exists();
            assertThat(temp.resolve("data/keys/hmac/suppression/active")).exists();
            Path vault = temp.resolve("data/keys/vault/aes256-siv.json");
            assertThat(java.nio.file.Files.getPosixFilePermissions(vault))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            assertThat(java.nio.file.Files.readString(vault))
                    .isNotEqualTo(java.nio.file.Files.readString(temp.resolve("data/keys/encrypt/aes256-siv.json")));
            assertThat(java.nio.file.Files.getPosixFilePermissions(temp.resolve("data/keys/archive/aes256-gcm.json")))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            // kept: a seal made now opens after a restart
            String sealed = context.getBean(KeyRing.class).identitySeal().seal(Map.of("email_token", "a@example.com"));
            assertThat(GeneratedKeyRing.open(temp.resolve("data/keys"), List.of()).identitySeal().open(sealed))
                    .containsEntry("email_token", "a@example.com");
        });
    }

    @Test
    void configuredRingWithoutAVaultKeysetRefusesSealingNamingTheProperty() {
        ConfiguredKeyRing ring = ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)), Map.of("warehouse-1", KEY_A), Map.of()));
        assertThatThrownBy(ring::identitySeal).isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("caravan.keys.vault.keyset-file");
        assertThatThrownBy(() -> ConfiguredKeyRing.from(new KeyProperties(false, List.of("warehouse"),
                Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)), Map.of("warehouse-1", KEY_A), Map.of(),
                null, new KeyProperties.Encryption("{not a keyset " + KEY_A + "}", null), null)))
                .isInstanceOf(MissingKeyException.class)
                .hasMessage("caravan.keys.vault.keyset: is not a usable Tink AES256_SIV keyset");
    }

    @Test
    void configuredRingWithoutAnArchiveKeysetRefusesArchivingNamingTheProperty() {
        ConfiguredKeyRing ring = ConfiguredKeyRing.from(configured(
                Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)), Map.of("warehouse-1", KEY_A), Map.of()));
        assertThatThrownBy(ring::archiveCipher).isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("caravan.keys.archive.keyset-file").hasMessageContaining("AES256_GCM");
        assertThatThrownBy(() -> ConfiguredKeyRing.from(new KeyProperties(false, List.of("warehouse"),
                Map.of("warehouse", new KeyProperties.Domain("warehouse-1", null)), Map.of("warehouse-1", KEY_A), Map.of(),
                null, null, new KeyProperties.Encryption("{not a keyset " + KEY_A + "}", null))))
                .isInstanceOf(MissingKeyException.class)
                .hasMessage("caravan.keys.archive.keyset: is not a usable Tink AES256_GCM keyset");
    }

    @Test
    void anyOtherProfileRefusesToStartWithoutConfiguredKeys() {
        runner().withInitializer(context -> context.getEnvironment().setActiveProfiles("prod"))
                .withPropertyValues("caravan.keys.material.unrelated-1=" + KEY_A)
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause()
                            .isInstanceOf(MissingKeyException.class)
                            .hasMessageContaining("caravan.keys.domains.warehouse.active")
                            .hasMessageNotContaining(KEY_A);
                    assertThat(temp.resolve("data/keys")).doesNotExist();
                });
    }

    @Test
    void otherProfileStartsWithConfiguredKeys() throws Exception {
        runner().withInitializer(context -> context.getEnvironment().setActiveProfiles("prod"))
                .withPropertyValues("caravan.keys.domains.warehouse.active=warehouse-20261123-1a2b",
                        "caravan.keys.material.warehouse-20261123-1a2b=" + KEY_A)
                .withPropertyValues(partnerDomainKeys())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(KeyRing.class).tokeniser("warehouse").keyId())
                            .isEqualTo("warehouse-20261123-1a2b");
                    assertThat(context.getBean(Pseudonymisers.class).forPolicy("warehouse")).isPresent();
                });
    }
}
