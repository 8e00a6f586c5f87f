package io.caravan.fetch;

import io.caravan.error.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The source block: configuration placeholders, and problems named by file and path. */
class SourceSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void resolvesPlaceholdersInUrlsPathAndBodyAndKeepsRunVariables() throws Exception {
        var node = JSON.readTree("""
                {"baseUrl": "{{p.base}}", "path": "/customers/{{p.customer}}/googleAds:searchStream",
                 "body": "{\\"q\\": \\"{{p.customer}} ${window.from}\\"}", "paging": {"style": "stream"}}""");
        SourceSpec spec = SourceSpec.parse("c", "c.yaml", node, Map.of("p.base", "https://ads.example", "p.customer", "42")::get);

        assertThat(spec.displayUrl()).isEqualTo("https://ads.example/customers/42/googleAds:searchStream");
        assertThat(spec.body()).isEqualTo("{\"q\": \"42 ${window.from}\"}");
        assertThat(spec.method()).isEqualTo("POST");
    }

    @Test
    void aMissingSettingIsAConfigurationErrorNamingFileAndPath() throws Exception {
        var node = JSON.readTree("""
                {"baseUrl": "{{p.base}}", "paging": {"style": "cursor"},
                 "auth": {"type": "oauth2-client-credentials", "tokenUrl": "https://login.example/t", "clientId": "x",
                          "clientSecret": "{{p.secret}}"}}""");

        assertThatThrownBy(() -> SourceSpec.parse("c", "connectors/c.yaml", node, key -> null))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "connectors/c.yaml: $.source.baseUrl: configuration property 'p.base' is not set",
                        "connectors/c.yaml: $.source.paging.cursorPath: cursor paging needs the path of the next cursor",
                        "connectors/c.yaml: $.source.auth.clientSecret: configuration property 'p.secret' is not set"));
    }

    @Test
    void everyAuthKindParsesAndTheOpsViewMasksEverySecret() throws Exception {
        Map<String, String> config = Map.of("p.secret", "S1-client", "p.refresh", "S2-refresh", "p.dev", "S3-dev",
                "p.token", "S4-token", "p.key", "S5-key", "p.cert", "/run/secrets/client.pem", "p.pkey", "/run/secrets/client.key");
        for (String auth : new String[] {
                "{\"type\": \"oauth2-refresh-token\", \"tokenUrl\": \"https://oauth2.example/token\", \"clientId\": \"id\","
                        + " \"clientSecret\": \"{{p.secret}}\", \"refreshToken\": \"{{p.refresh}}\"}",
                "{\"type\": \"bearer\", \"token\": \"{{p.token}}\"}",
                "{\"type\": \"api-key\", \"keyName\": \"X-Key\", \"key\": \"{{p.key}}\"}",
                "{\"type\": \"mtls\"}"}) {
            var node = JSON.readTree("{\"baseUrl\": \"https://api.example\", \"auth\": " + auth + ","
                    + " \"headers\": {\"developer-token\": {\"secret\": \"{{p.dev}}\"}, \"login-customer-id\": \"123\"},"
                    + " \"tls\": {\"certificate\": \"{{p.cert}}\", \"key\": \"{{p.pkey}}\"}}");
            SourceSpec spec = SourceSpec.parse("c", "c.yaml", node, config::get);

            String shown = SourceViews.of(spec).toString() + spec;
            assertThat(shown).contains("developer-token=[secret: set]", "login-customer-id=123", "/run/secrets/client.key");
            assertThat(shown).doesNotContain("S1-", "S2-", "S3-", "S4-", "S5-");
        }
    }

    @Test
    void mtlsWithoutCertificateFilesAndAnUnknownKindAreNamed() throws Exception {
        assertThatThrownBy(() -> SourceSpec.parse("c", "c.yaml", JSON.readTree(
                "{\"baseUrl\": \"https://api.example\", \"auth\": {\"type\": \"mtls\"}}"), key -> null))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "c.yaml: $.source.tls: mtls authentication needs the client certificate and key (source.tls)"));
        assertThatThrownBy(() -> SourceSpec.parse("c", "c.yaml", JSON.readTree(
                "{\"baseUrl\": \"https://api.example\", \"auth\": {\"type\": \"kerberos\"}}"), key -> null))
                .satisfies(e -> assertThat(((ConfigException) e).problems().get(0)).startsWith(
                        "c.yaml: $.source.auth.type: unknown kind 'kerberos'"));
    }
}
