package io.caravan.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The descriptor's auth kinds and answer limits through the real steps into PostgreSQL, against a
 * real HTTP server: refresh-token and JWT-bearer grants, a revoked refresh token, static bearer
 * tokens, API keys in header or query, secret extra headers that stay on the API host, HTML error
 * pages, oversized and truncated answers. No secret ever reaches the ledger.
 */
class FetchAuthIT {
    private static final String RETRY = "  retry: { maxAttempts: 2, initialBackoff: PT0.01S, maxBackoff: PT0.02S, budget: PT10S }\n";
    private static final String LEAD_FIELDS = """
            naturalKey: [lead_id]
            fields:
              lead_id: { column: id, type: text, required: true }
              make: { column: make, type: text }
            """;
    private static final String REFRESH_TOKEN = "1//refresh-token-never-logged";
    private static final String CLIENT_SECRET = "client-secret-never-logged";
    private static final String DEV_TOKEN = "dev-token-never-logged";
    private static final String STATIC_TOKEN = "EAAB-static-never-logged";
    private static final String API_KEY = "api-key-never-logged";

    static WireMockServer partner;
    static FetchPipeline pipeline;
    static KeyPair serviceAccount;
    @TempDir
    static Path connectors;
    @TempDir
    static Path secrets;

    @BeforeAll
    static void start() throws Exception {
        partner = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        partner.start();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        serviceAccount = rsa.generateKeyPair();
        Path keyFile = secrets.resolve("sa.json");
        Files.writeString(keyFile, new ObjectMapper().writeValueAsString(Map.of("type", "service_account",
                "client_email", "caravan@proj.iam.gserviceaccount.com", "private_key_id", "kid-1",
                "private_key", "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder().encodeToString(serviceAccount.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n")));
        connector("refresh", """
                  auth:
                    type: oauth2-refresh-token
                    tokenUrl: "{{it.base-url}}/token"
                    clientId: "{{it.client-id}}"
                    clientSecret: "{{it.client-secret}}"
                    refreshToken: "{{it.refresh-token}}"
                  headers:
                    developer-token: { secret: "{{it.dev-token}}" }
                    login-customer-id: "{{it.login-customer:}}"
                  incremental: { field: updated_at, initial: "2026-01-01T00:00:00Z" }
                """);
        connector("jwt", """
                  auth:
                    type: oauth2-jwt-bearer
                    tokenUrl: "{{it.base-url}}/jwt-token"
                    keyFile: "{{it.key-file}}"
                    scope: https://www.googleapis.com/auth/adwords
                """);
        connector("bearer", """
                  auth: { type: bearer, token: "{{it.static-token}}" }
                  paging: { style: link-next, nextPath: next }
                  allowedHosts: ["127.0.0.1"]
                """);
        connector("apikey", """
                  auth: { type: api-key, keyName: api_key, in: query, key: "{{it.api-key}}" }
                  limits: { maxResponseBytes: 4096 }
                """);
        pipeline = new FetchPipeline("fetch_auth_it", connectors, Map.of("it.base-url", partner.baseUrl(),
                "it.client-id", "caravan-it", "it.client-secret", CLIENT_SECRET, "it.refresh-token", REFRESH_TOKEN,
                "it.dev-token", DEV_TOKEN, "it.key-file", keyFile.toString(), "it.static-token", STATIC_TOKEN,
                "it.api-key", API_KEY), "it-refresh", "it-jwt", "it-bearer", "it-apikey");
    }

    private static void connector(String name, String auth) throws Exception {
        FetchPipeline.write(connectors, name + ".yaml", "id: it-" + name + "\ntitle: IT " + name + "\npartner: it-partner\n"
                + "dataClass: second_party\nrecord: lead\nformat: { type: json, records: data }\nsource:\n"
                + "  baseUrl: \"{{it.base-url}}\"\n  path: /" + name + "\n" + auth + RETRY + LEAD_FIELDS);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        partner.stop();
    }

    @BeforeEach
    void reset() {
        partner.resetAll();
        pipeline.jdbc.update("DELETE FROM caravan.connector_state");
        pipeline.clock.advance(java.time.Duration.ofHours(2)); // tokens of earlier tests have expired
    }

    @Test
    void theRefreshTokenGrantGetsATokenAndSecretHeadersGoToTheApi() {
        partner.stubFor(post(urlPathEqualTo("/token")).willReturn(okJson("{\"access_token\":\"ya29.t\",\"expires_in\":3599,\"token_type\":\"Bearer\"}")));
        partner.stubFor(get(urlPathEqualTo("/refresh")).willReturn(okJson(page("R-1"))));

        pipeline.run("it-refresh");

        assertThat(pipeline.counts(pipeline.lastBatch("it-refresh"))).containsExactly("completed", 1L, 1L, 0L, 0L);
        LoggedRequest token = partner.findAll(postRequestedFor(urlPathEqualTo("/token"))).get(0);
        assertThat(form(token.getBodyAsString())).containsEntry("grant_type", "refresh_token")
                .containsEntry("refresh_token", REFRESH_TOKEN).containsEntry("client_id", "caravan-it")
                .containsEntry("client_secret", CLIENT_SECRET);
        partner.verify(getRequestedFor(urlPathEqualTo("/refresh")).withHeader("Authorization", equalTo("Bearer ya29.t"))
                .withHeader("developer-token", equalTo(DEV_TOKEN)).withHeader("login-customer-id", absent()));
    }

    @Test
    void aRevokedRefreshTokenFailsTheBatchWithTheErrorCodeAndKeepsTheWatermark() {
        pipeline.states().reset("it-refresh", "2026-11-01T00:00:00Z", null, "test");
        partner.stubFor(post(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\": \"invalid_grant\", \"error_description\": \"Token has been expired or revoked.\"}")));

        pipeline.run("it-refresh");

        Map<String, Object> batch = pipeline.lastBatch("it-refresh");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(failure(batch)).isEqualTo("it-refresh: token request: refused by the token endpoint (HTTP 400, invalid_grant): "
                + "the refresh token, service-account key or authorisation grant was revoked or has expired; issue a new one");
        partner.verify(0, getRequestedFor(urlPathEqualTo("/refresh")));
        assertThat(pipeline.watermark("it-refresh")).isEqualTo("2026-11-01T00:00:00Z");
    }

    @Test
    void theServiceAccountSignsAJwtAssertionTheTokenEndpointCanVerify() throws Exception {
        partner.stubFor(post(urlPathEqualTo("/jwt-token")).willReturn(okJson("{\"access_token\":\"ya29.sa\",\"expires_in\":3600}")));
        partner.stubFor(get(urlPathEqualTo("/jwt")).willReturn(okJson(page("J-1"))));

        pipeline.run("it-jwt");

        assertThat(pipeline.counts(pipeline.lastBatch("it-jwt"))).containsExactly("completed", 1L, 1L, 0L, 0L);
        Map<String, String> form = form(partner.findAll(postRequestedFor(urlPathEqualTo("/jwt-token"))).get(0).getBodyAsString());
        assertThat(form).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        String[] jwt = form.get("assertion").split("\\.");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(serviceAccount.getPublic());
        rs256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rs256.verify(Base64.getUrlDecoder().decode(jwt[2]))).isTrue();
        JsonNode header = json(jwt[0]);
        JsonNode claims = json(jwt[1]);
        assertThat(header.get("alg").asString()).isEqualTo("RS256");
        assertThat(header.get("kid").asString()).isEqualTo("kid-1");
        assertThat(claims.get("iss").asString()).isEqualTo("caravan@proj.iam.gserviceaccount.com");
        assertThat(claims.get("aud").asString()).isEqualTo(partner.baseUrl() + "/jwt-token");
        assertThat(claims.get("scope").asString()).isEqualTo("https://www.googleapis.com/auth/adwords");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(3600);
        assertThat(claims.get("iat").asLong()).isEqualTo(pipeline.clock.instant().getEpochSecond());
        partner.verify(getRequestedFor(urlPathEqualTo("/jwt")).withHeader("Authorization", equalTo("Bearer ya29.sa")));
    }

    @Test
    void aStaticBearerTokenGoesToTheApiHostOnlyNotToANextLinkElsewhere() {
        String other = "http://127.0.0.1:" + partner.port();
        partner.stubFor(get(urlPathEqualTo("/bearer"))
                .willReturn(okJson("{\"data\":[{\"id\":\"B-1\"}],\"next\":\"" + other + "/elsewhere?after=1\"}")));
        partner.stubFor(get(urlPathEqualTo("/elsewhere")).willReturn(okJson("{\"data\":[{\"id\":\"B-2\"}]}")));

        pipeline.run("it-bearer");

        Map<String, Object> batch = pipeline.lastBatch("it-bearer");
        assertThat(pipeline.counts(batch)).as(failure(batch)).containsExactly("completed", 2L, 2L, 0L, 0L);
        partner.verify(getRequestedFor(urlPathEqualTo("/bearer")).withHeader("Authorization", equalTo("Bearer " + STATIC_TOKEN)));
        partner.verify(getRequestedFor(urlPathEqualTo("/elsewhere")).withHeader("Authorization", absent()));
    }

    @Test
    void anApiKeyInTheQueryIsSentButNeverRecorded() {
        partner.stubFor(get(urlPathEqualTo("/apikey")).willReturn(okJson(page("K-1"))));

        pipeline.run("it-apikey");

        Map<String, Object> batch = pipeline.lastBatch("it-apikey");
        assertThat(pipeline.counts(batch)).containsExactly("completed", 1L, 1L, 0L, 0L);
        partner.verify(getRequestedFor(urlPathEqualTo("/apikey")).withQueryParam("api_key", equalTo(API_KEY)));
        assertThat(String.valueOf(batch.get("source"))).isEqualTo(partner.baseUrl() + "/apikey");
    }

    @Test
    void anHtmlErrorPageIsRefusedWithTheReason() {
        partner.stubFor(get(urlPathEqualTo("/apikey")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html; charset=utf-8").withBody("<html><body>Maintenance</body></html>")));

        pipeline.run("it-apikey");

        assertThat(failure(pipeline.lastBatch("it-apikey"))).isEqualTo("it-apikey: page 1: the answer is an HTML page, not JSON "
                + "(an error or login page in front of the API?); refused");
    }

    @Test
    void anAnswerLargerThanTheLimitIsRefused() {
        partner.stubFor(get(urlPathEqualTo("/apikey")).willReturn(okJson(big(5000))));

        pipeline.run("it-apikey");

        assertThat(failure(pipeline.lastBatch("it-apikey")))
                .isEqualTo("it-apikey: page 1: the answer is larger than 4096 bytes (source.limits.maxResponseBytes); refused");
        assertThat(pipeline.lastBatch("it-apikey").get("rows_delivered")).isEqualTo(0L);
    }

    @Test
    void aStreamedAnswerThatGrowsPastTheLimitIsRefusedWhileReading() {
        partner.stubFor(get(urlPathEqualTo("/apikey")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withChunkedDribbleDelay(4, 10).withBody(big(20000))));

        pipeline.run("it-apikey");

        Map<String, Object> batch = pipeline.lastBatch("it-apikey");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(failure(batch)).isEqualTo("it-apikey: page 1: the answer is larger than 4096 bytes (source.limits.maxResponseBytes); refused");
    }

    @Test
    void aTruncatedAnswerFailsTheBatchAndDeliversNothing() {
        partner.stubFor(get(urlPathEqualTo("/apikey")).willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

        pipeline.run("it-apikey");

        Map<String, Object> batch = pipeline.lastBatch("it-apikey");
        assertThat(batch.get("status")).isEqualTo("failed");
        assertThat(failure(batch)).startsWith("it-apikey: page 1: the answer broke off before its end (");
        assertThat(pipeline.jdbc.queryForObject("SELECT count(*) FROM caravan.lead WHERE connector_id = 'it-apikey'", Long.class)).isZero();
    }

    @Test
    void noSecretReachesTheLedger() {
        partner.stubFor(post(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"invalid_client\",\"error_description\":\"" + CLIENT_SECRET + "\"}")));
        pipeline.run("it-refresh");
        partner.stubFor(get(urlPathEqualTo("/apikey")).willReturn(aResponse().withStatus(403).withBody("{\"key\":\"" + API_KEY + "\"}")));
        pipeline.run("it-apikey");

        String ledger = String.join("\n", pipeline.jdbc.queryForList(
                "SELECT coalesce(error, '') || ' ' || coalesce(source, '') FROM caravan.batch", String.class));
        assertThat(ledger).contains("invalid_client", "HTTP 403 is not retried");
        for (String secret : new String[] {REFRESH_TOKEN, CLIENT_SECRET, DEV_TOKEN, STATIC_TOKEN, API_KEY}) {
            assertThat(ledger).doesNotContain(secret);
        }
    }

    private static String page(String id) {
        return "{\"data\":[{\"id\":\"" + id + "\",\"make\":\"VW\",\"updated_at\":\"2026-11-20T00:00:00Z\"}]}";
    }

    private static String big(int bytes) {
        StringBuilder b = new StringBuilder("{\"data\":[");
        int i = 0;
        while (b.length() < bytes) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"X-").append(i++).append("\",\"make\":\"VW\"}");
        }
        return b.append("]}").toString();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> values = new java.util.HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    private static JsonNode json(String base64url) {
        return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(base64url));
    }

    private static String failure(Map<String, Object> batch) {
        return String.valueOf(batch.get("error"));
    }
}
