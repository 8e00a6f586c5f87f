package io.caravan.pseudonymise;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.annotation.UserConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The key files of a first production deployment, as {@code docker/init-keys.sh} creates them. */
class ConfiguredKeyFilesTest {
    private static final PolicyRegistry SHIPPED = PolicyRegistry.load(Path.of("config/policies.yaml"));

    @TempDir
    Path temp;

    @Test
    void createdFilesStartTheConfiguredKeyRingWithAKeyForEveryPolicysDomain() throws Exception {
        Path keys = temp.resolve("secrets");
        ConfiguredKeyFiles.create(keys, SHIPPED);

        configuredRing(keys).run(context -> {
            assertThat(context).hasNotFailed();
            KeyRing ring = context.getBean(KeyRing.class);
            assertThat(ring).isInstanceOf(ConfiguredKeyRing.class);
            assertThat(ring.keys()).extracting(KeyInfo::domain).contains(KeyRing.WAREHOUSE, KeyRing.SUPPRESSION)
                    .containsAll(SHIPPED.all().stream().map(Policy::keyDomain).toList());
            assertThat(ring.identitySeal()).isNotNull();
            assertThat(ring.archiveCipher()).isNotNull();
            assertThat(ring.cipher().encrypt("email", "jane.doe@example.com")).isNotBlank();
        });
    }

    @Test
    void keysAndKeysetsAreOwnerOnlyFiles() throws Exception {
        Path keys = temp.resolve("secrets");
        ConfiguredKeyFiles.create(keys, SHIPPED);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
        for (String file : List.of(ConfiguredKeyFiles.KEYS, ConfiguredKeyFiles.ENCRYPTION_KEYSET, ConfiguredKeyFiles.VAULT_KEYSET,
                ConfiguredKeyFiles.ARCHIVE_KEYSET)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(file)))).as(file)
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aLaterRunKeepsEveryKeyAndAddsOnlyTheDomainOfANewPolicy() throws Exception {
        Path keys = temp.resolve("secrets");
        ConfiguredKeyFiles.create(keys, SHIPPED);
        String before = Files.readString(keys.resolve(ConfiguredKeyFiles.KEYS));
        String vault = Files.readString(keys.resolve(ConfiguredKeyFiles.VAULT_KEYSET));

        List<String> created = ConfiguredKeyFiles.create(keys, policies("warehouse", "new-partner"));

        assertThat(created).singleElement().asString().contains("(key domain new-partner)");
        assertThat(Files.readString(keys.resolve(ConfiguredKeyFiles.KEYS))).startsWith(before)
                .contains("caravan.keys.domains.new-partner.active=new-partner-");
        assertThat(Files.readString(keys.resolve(ConfiguredKeyFiles.VAULT_KEYSET))).isEqualTo(vault);
        assertThat(ConfiguredKeyFiles.create(keys, SHIPPED)).isEmpty();
    }

    @Test
    void reportsKeyIdsButNeverMaterial() throws Exception {
        Path keys = temp.resolve("secrets");
        List<String> created = ConfiguredKeyFiles.create(keys, SHIPPED);

        Properties written = load(keys.resolve(ConfiguredKeyFiles.KEYS));
        assertThat(created).anySatisfy(line -> assertThat(line).contains("(key domain warehouse)")
                .contains(written.getProperty("caravan.keys.domains.warehouse.active")));
        for (String name : written.stringPropertyNames()) {
            if (name.startsWith("caravan.keys.material.")) {
                assertThat(String.join("\n", created)).doesNotContain(written.getProperty(name));
            }
        }
    }

    /** The real wiring of a configured profile, with the created files as production configures them. */
    private static ApplicationContextRunner configuredRing(Path keys) throws Exception {
        Properties written = load(keys.resolve(ConfiguredKeyFiles.KEYS));
        List<String> properties = new ArrayList<>(List.of("caravan.keys.generate=false", "caravan.config-dir=config",
                "caravan.keys.encryption.keyset-file=" + keys.resolve(ConfiguredKeyFiles.ENCRYPTION_KEYSET),
                "caravan.keys.vault.keyset-file=" + keys.resolve(ConfiguredKeyFiles.VAULT_KEYSET),
                "caravan.keys.archive.keyset-file=" + keys.resolve(ConfiguredKeyFiles.ARCHIVE_KEYSET)));
        written.stringPropertyNames().forEach(name -> properties.add(name + "=" + written.getProperty(name)));
        return new ApplicationContextRunner()
                .withConfiguration(UserConfigurations.of(PseudonymiseConfiguration.class))
                .withPropertyValues(properties.toArray(String[]::new));
    }

    private PolicyRegistry policies(String... domains) throws Exception {
        StringBuilder yaml = new StringBuilder("policies:\n");
        for (String domain : domains) {
            yaml.append("  - id: to-").append(domain).append("\n    keyDomain: ").append(domain)
                    .append("\n    keep: [make]\n    fields: {email: hmac}\n");
        }
        Path file = temp.resolve("policies.yaml");
        Files.writeString(file, yaml);
        return PolicyRegistry.load(file);
    }

    private static Properties load(Path file) throws Exception {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            properties.load(reader);
        }
        return properties;
    }
}
