package io.caravan.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

class PartnerApiHealthRegistryTest {
    private final PartnerApiHealthRegistry registry =
            new PartnerApiHealthRegistry(Clock.fixed(Instant.parse("2026-11-23T01:00:00Z"), ZoneOffset.UTC));

    @Test
    void aRegisteredConnectorIsUnknownUntilItsFirstCall() {
        registry.register("ads-meta");
        assertThat(indicator("ads-meta").health().getStatus()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void failuresDegradeAndCountAndTheNextSuccessRestoresUp() {
        registry.succeeded("ads-meta");
        registry.failed("ads-meta", "HTTP 503");
        registry.failed("ads-meta", "timeout");
        assertThat(indicator("ads-meta").health().getStatus()).isEqualTo(PartnerApiHealthRegistry.DEGRADED);
        assertThat(indicator("ads-meta").health().getDetails())
                .containsEntry("consecutiveFailures", 2L).containsEntry("reason", "timeout")
                .containsEntry("lastCallAt", "2026-11-23T01:00:00Z");

        registry.succeeded("ads-meta");
        assertThat(indicator("ads-meta").health().getStatus()).isEqualTo(Status.UP);
        assertThat(indicator("ads-meta").health().getDetails()).doesNotContainKeys("reason", "consecutiveFailures");
    }

    @Test
    void connectorsReportedLaterAppearInNameOrderAndUnknownNamesHaveNoContributor() {
        registry.failed("b-api", null);
        registry.succeeded("a-api");
        List<String> names = new ArrayList<>();
        registry.forEach(named -> names.add(named.name()));
        assertThat(names).containsExactly("a-api", "b-api");
        assertThat(indicator("b-api").health().getDetails()).containsEntry("reason", "call failed");
        assertThat(registry.getContributor("c-api")).isNull();
    }

    @Test
    void blankIdsAreIgnoredAndLongReasonsAreCut() {
        registry.failed(" ", "x");
        registry.succeeded(null);
        assertThat(registry.iterator().hasNext()).isFalse();
        registry.failed("api", "r".repeat(500));
        assertThat((String) indicator("api").health().getDetails().get("reason")).hasSize(120);
    }

    private HealthIndicator indicator(String name) {
        return (HealthIndicator) registry.getContributor(name);
    }
}
