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
}
