package io.caravan.exchange;

import io.caravan.error.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartnersFileTest {

    private static String ed25519Line;
    private static String otherEd25519Line;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws IOException {
        ed25519Line = line(KeyFiles.generateEd25519(), "ops@dealer-nord.example");
        otherEd25519Line = line(KeyFiles.generateEd25519(), "it@dealer-sued.example");
    }

    @Test
    void readsPartnersWithKeysAndRoutes() throws IOException {
        List<Partner> partners = load("""
                partners:
                  - id: dealer-nord
                    name: Autohaus Nord
                    publicKeys: ["%s"]
                    routes: [dealer-nord-sales]
                  - id: allsecura
                    name: AllSecura
                """.formatted(ed25519Line));

        assertThat(partners).extracting(Partner::id).containsExactly("dealer-nord", "allsecura");
        assertThat(partners.get(0).publicKeys()).hasSize(1);
        assertThat(partners.get(0).routes()).containsExactly("dealer-nord-sales");
        assertThat(partners.get(1).publicKeys()).isEmpty();
    }

    @Test
    void shippedPartnersFileListsOneDemoPartnerPerSamplePartner() {
        List<Partner> partners = PartnersFile.load(Path.of("config/partners.yaml"), "config/partners.yaml");

        assertThat(partners).extracting(Partner::id).containsExactly("dealer-nord", "dealer-sued", "autoboerse",
                "allsecura", "fahrbank-leasing", "kreditwerk", "preference-centre", "google-ads");
    }

    @Test
    void rejectsIdWithCapitalsNamingFileAndPath() {
        assertThatThrownBy(() -> load("""
                partners:
                  - { id: dealer-nord, name: Nord }
                  - { id: dealer-sued, name: Sued }
                  - { id: Dealer_West, name: West }
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config/partners.yaml: $.partners[2].id: ")
                .hasMessageContaining("[a-z0-9-]+");
    }

    @Test
    void rejectsMissingNameAndUnknownProperty() {
        assertThatThrownBy(() -> load("""
                partners:
                  - { id: dealer-nord, password: hunter2 }
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("$.partners[0]: required property 'name' not found")
                .hasMessageContaining("'password' is not defined")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void rejectsDuplicateIds() {
        assertThatThrownBy(() -> load("""
                partners:
                  - { id: dealer-nord, name: Nord }
                  - { id: dealer-nord, name: Nord again }
                """))
                .hasMessage("config/partners.yaml: $.partners[1].id: duplicate of $.partners[0].id");
    }

    @Test
    void rejectsUnparseableKeyWithoutRepeatingIt() {
        assertThatThrownBy(() -> load("""
                partners:
                  - { id: dealer-nord, name: Nord, publicKeys: ["ssh-ed25519 notbase64!! ops@dealer-nord.example"] }
                """))
                .hasMessageStartingWith("config/partners.yaml: $.partners[0].publicKeys[0]: not an OpenSSH public key line")
                .hasMessageNotContaining("notbase64")
                .hasMessageNotContaining("ops@dealer-nord.example");
    }

    @Test
    void rejectsShortRsaKey() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        String rsa1024 = line(generator.generateKeyPair(), "old@dealer-nord.example");

        assertThatThrownBy(() -> load("""
                partners:
                  - { id: dealer-nord, name: Nord, publicKeys: ["%s"] }
                """.formatted(rsa1024)))
                .hasMessage("config/partners.yaml: $.partners[0].publicKeys[0]: RSA key has 1024 bits, at least 2048 are required");
    }

    @Test
    void rejectsOneKeyAuthorisedForTwoPartners() {
        assertThatThrownBy(() -> load("""
                partners:
                  - { id: dealer-nord, name: Nord, publicKeys: ["%s", "%s"] }
                  - { id: dealer-sued, name: Sued, publicKeys: ["%s"] }
                """.formatted(ed25519Line, otherEd25519Line, ed25519Line)))
                .hasMessage("config/partners.yaml: $.partners[1].publicKeys[0]: same key as $.partners[0].publicKeys[0]");
    }

    @Test
    void reportsMissingFileWithTheWayOut() {
        assertThatThrownBy(() -> PartnersFile.load(dir.resolve("absent.yaml"), "config/partners.yaml"))
                .hasMessageStartingWith("config/partners.yaml: file not found")
                .hasMessageContaining("caravan.sftp.gateway.enabled=false");
    }

    @Test
    void reportsBrokenYamlByLineWithoutContent() {
        assertThatThrownBy(() -> load("partners:\n  - { id: dealer-nord, name: \"secret-value\n"))
                .hasMessageStartingWith("config/partners.yaml: not valid YAML at line ")
                .hasMessageNotContaining("secret-value");
    }

    @Test
    void partnerToStringCountsKeysWithoutShowingThem() {
        Partner partner = load("""
                partners:
                  - { id: dealer-nord, name: Nord, publicKeys: ["%s"] }
                """.formatted(ed25519Line)).get(0);

        assertThat(partner.toString()).contains("keys=1").doesNotContain("AAAA").doesNotContain("example");
    }

    private List<Partner> load(String yaml) {
        try {
            Path file = dir.resolve("partners.yaml");
            Files.writeString(file, yaml);
            return PartnersFile.load(file, "config/partners.yaml");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String line(KeyPair pair, String comment) {
        return PublicKeyEntry.toString(pair.getPublic()) + " " + comment;
    }
}
