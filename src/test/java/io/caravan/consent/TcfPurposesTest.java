package io.caravan.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.iabtcf.encoder.TCStringEncoder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IAB TCF v2 strings, built with the IAB's own encoder, mapped onto Caravan purposes by config/tcf.yaml. */
class TcfPurposesTest {
    private static final Instant UPDATED = Instant.parse("2026-11-01T08:00:00Z");
    private static final PurposeRegistry PURPOSES = PurposeRegistry.load(Path.of("config/purposes.yaml"));

    private static String tcString(int... purposes) throws Exception {
        TCStringEncoder.Builder builder = TCStringEncoder.newBuilder().version(2).created(UPDATED).lastUpdated(UPDATED)
                .cmpId(7).cmpVersion(1).consentScreen(1).consentLanguage("DE").vendorListVersion(150)
                .tcfPolicyVersion(4).isServiceSpecific(true).publisherCC("DE");
        for (int purpose : purposes) {
            builder.addPurposesConsent(purpose);
        }
        return builder.encode();
    }

    @Test
    void aPurposeIsGrantedOnlyWhenEveryMappedTcfPurposeIsConsented() throws Exception {
        TcfPurposes tcf = TcfPurposes.load(Path.of("config/tcf.yaml"), PURPOSES);

        TcfPurposes.Decision all = tcf.decide(tcString(1, 3, 4, 7, 8, 9));
        TcfPurposes.Decision measurementOnly = tcf.decide(tcString(1, 8, 9));
        TcfPurposes.Decision none = tcf.decide(tcString());

        assertThat(all.statuses()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "analytics", ConsentStatus.GRANTED, "marketing_activation", ConsentStatus.GRANTED));
        assertThat(measurementOnly.statuses()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "analytics", ConsentStatus.GRANTED, "marketing_activation", ConsentStatus.WITHDRAWN));
        assertThat(none.statuses()).containsOnly(Map.entry("analytics", ConsentStatus.WITHDRAWN),
                Map.entry("marketing_activation", ConsentStatus.WITHDRAWN));
        assertThat(all.lastUpdated()).isEqualTo(UPDATED);
    }

    @Test
    void theSampleFeedsStringsDecodeAsTheirPurposesSay() {
        TcfPurposes tcf = new TcfPurposes(Map.of("analytics", List.of(8), "marketing_activation", List.of(4)));
        assertThat(tcf.decide("CQtBW8AQtBW8AAHABBDECWEgALOAAAAAAAYgAAAAAAAA").statuses())
                .containsEntry("analytics", ConsentStatus.GRANTED).containsEntry("marketing_activation", ConsentStatus.GRANTED);
        assertThat(tcf.decide("CQtBW8AQtBW8AAHABBDECWEgAIGAAAAAAAYgAAAAAAAA").statuses())
                .containsEntry("analytics", ConsentStatus.GRANTED).containsEntry("marketing_activation", ConsentStatus.WITHDRAWN);
    }

    @Test
    void anUndecodableStringIsRefusedWithoutEchoingIt() {
        TcfPurposes tcf = TcfPurposes.load(Path.of("config/tcf.yaml"), PURPOSES);
        assertThatThrownBy(() -> tcf.decide("CQ-not-a-consent-string"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a decodable TCF v2 consent string");
    }

    @Test
    void aMappingToAnUnknownPurposeIsAConfigurationError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("tcf.yaml");
        java.nio.file.Files.writeString(file, "purposes:\n  profiling: [1]\n");
        assertThatThrownBy(() -> TcfPurposes.load(file, PURPOSES)).hasMessageContaining("$.purposes.profiling: unknown purpose");
    }
}
