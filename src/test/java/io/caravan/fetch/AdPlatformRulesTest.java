package io.caravan.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ad platforms' rules that need no server: GAQL text, error codes, proofs, usage headers, next links. */
class AdPlatformRulesTest {

    @Test
    void gaqlSelectsTheMappedColumnsInGaqlSpellingOverTheWindow() {
        GoogleAdsQuery query = new GoogleAdsQuery("v26", "123-456-7890", "ad_group", "segments.date",
                List.of("metrics.costMicros", "adGroup.id", "segments.date"), List.of("ad_group.status = 'ENABLED'"));

        assertThat(query.problems()).isEmpty();
        assertThat(query.path()).isEqualTo("/v26/customers/1234567890/googleAds:searchStream");
        assertThat(query.gaql()).isEqualTo("SELECT ad_group.id, metrics.cost_micros, segments.date FROM ad_group "
                + "WHERE segments.date BETWEEN '${window.from}' AND '${window.to}' AND ad_group.status = 'ENABLED'");
    }

    @Test
    void badGoogleAdsSettingsAreNamedByPath() {
        assertThat(new GoogleAdsQuery("26", "12", "campaign;DROP", "segments.date", List.of("costMicros"), List.of()).problems())
                .containsExactly("$.source.googleAds.version: must look like v26",
                        "$.source.googleAds.customerId: must be the 10-digit customer id",
                        "$.source.googleAds.resource: must be a GAQL resource name such as campaign",
                        "$.fields: column 'costMicros' is not a Google Ads field path (resource.field)");
    }

    @Test
    void googleAdsFailuresAreReadByKindAndCodeAndNeverByMessage() {
        String body = "[{\"error\":{\"code\":400,\"message\":\"secret in message\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{"
                + "\"@type\":\"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure\",\"errors\":[{\"errorCode\":"
                + "{\"queryError\":\"PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE\"},\"message\":\"secret\"}],\"requestId\":\"r1\"}]}}]";
        Dialect.Verdict verdict = GoogleAdsErrors.INSTANCE.onError(400, headers(Map.of()), body.getBytes(StandardCharsets.UTF_8), true);

        assertThat(verdict).isEqualTo(new Dialect.Verdict.Fail("Google Ads API error queryError "
                + "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE (HTTP 400, INVALID_ARGUMENT), request id r1"));
        assertThat(GoogleAdsErrors.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoogleAdsErrors.INSTANCE.onError(503, headers(Map.of()), "<html>".getBytes(StandardCharsets.UTF_8), true))
                .isEqualTo(new Dialect.Verdict.Standard());
    }

    @Test
    void appSecretProofIsHmacSha256AsRfc4231Defines() {
        assertThat(MetaGraph.proof("Jefe", "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertThat(new MetaGraph(null).proofParameters("t")).isEmpty();
        assertThat(new MetaGraph(new SourceSpec.Secret("s")).toString()).doesNotContain("s]").contains("on");
    }

    @Test
    void metaNextLinksLoseTheTokenAndKeepTheCursor() {
        URI cleaned = new MetaGraph(null).clean(URI.create(
                "https://graph.facebook.com/v24.0/act_1/insights?access_token=EAAB&level=campaign&appsecret_proof=ab&after=QVFI"));

        assertThat(cleaned).hasToString("https://graph.facebook.com/v24.0/act_1/insights?level=campaign&after=QVFI");
    }

    @Test
    void metaUsageHeadersPauseOnlyNearTheLimit() {
        MetaGraph meta = new MetaGraph(null);
        assertThat(meta.pauseAfter(headers(Map.of("x-ad-account-usage", "{\"acc_id_util_pct\":40,\"reset_time_duration\":0}"))))
                .isZero();
        assertThat(meta.pauseAfter(headers(Map.of("x-ad-account-usage", "{\"acc_id_util_pct\":99.1,\"reset_time_duration\":120}"))))
                .isEqualTo(Duration.ofSeconds(120));
        assertThat(meta.pauseAfter(headers(Map.of("x-business-use-case-usage",
                "{\"1\":[{\"type\":\"ads_insights\",\"call_count\":20,\"estimated_time_to_regain_access\":3}]}"))))
                .isEqualTo(Duration.ofMinutes(3));
        assertThat(meta.pauseAfter(headers(Map.of("x-ad-account-usage", "not json")))).isZero();
    }

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> map = new java.util.HashMap<>();
        values.forEach((k, v) -> map.put(k, List.of(v)));
        return HttpHeaders.of(map, (a, b) -> true);
    }
}
