package io.caravan.consent;

import io.caravan.error.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PurposeRegistryTest {
    @TempDir
    Path temp;

    @Test
    void shippedPurposesCarryTheirLegalBasis() {
        PurposeRegistry purposes = PurposeRegistry.load(Path.of("config/purposes.yaml"));
        assertThat(purposes.ids()).containsExactly("analytics", "dealer_follow_up", "marketing_activation", "partner_sharing");
        assertThat(purposes.require("analytics").basis()).isEqualTo(LegalBasis.LEGITIMATE_INTEREST);
        assertThat(purposes.require("marketing_activation").basis()).isEqualTo(LegalBasis.CONSENT);
        assertThat(purposes.require("partner_sharing").basis()).isEqualTo(LegalBasis.CONSENT);
        assertThat(purposes.require("analytics").title()).isEqualTo("Analytics");
    }

    @Test
    void unknownBasisIsNamedWithFileAndPath() throws Exception {
        Path file = temp.resolve("purposes.yaml");
        Files.writeString(file, "purposes:\n  analytics:\n    basis: contract\n    title: Analytics\n");
        assertThatThrownBy(() -> PurposeRegistry.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": $.purposes.analytics.basis");
    }

    @Test
    void duplicatePurposeIsRefused() throws Exception {
        Path file = temp.resolve("purposes.yaml");
        Files.writeString(file, "purposes:\n  a: {basis: consent, title: A}\n  a: {basis: consent, title: B}\n");
        assertThatThrownBy(() -> PurposeRegistry.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not valid YAML")
                .hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void unknownPurposeNamesTheKnownOnes() {
        PurposeRegistry purposes = PurposeRegistry.load(Path.of("config/purposes.yaml"));
        assertThatThrownBy(() -> purposes.require("profiling"))
                .hasMessage("unknown purpose 'profiling' (config/purposes.yaml defines [analytics, dealer_follow_up, marketing_activation, partner_sharing])");
    }

    @Test
    void optInPassesOnlyGrantedAndOptOutPassesAllButWithdrawn() {
        Purpose optIn = new Purpose("m", LegalBasis.CONSENT, "M", null);
        Purpose optOut = new Purpose("a", LegalBasis.LEGITIMATE_INTEREST, "A", null);
        assertThat(optIn.permits(null)).isFalse();
        assertThat(optIn.permits(ConsentStatus.GRANTED)).isTrue();
        assertThat(optIn.permits(ConsentStatus.WITHDRAWN)).isFalse();
        assertThat(optOut.permits(null)).isTrue();
        assertThat(optOut.permits(ConsentStatus.GRANTED)).isTrue();
        assertThat(optOut.permits(ConsentStatus.WITHDRAWN)).isFalse();
    }
}
