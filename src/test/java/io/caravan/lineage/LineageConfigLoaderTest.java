package io.caravan.lineage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.error.ConfigException;
import io.openlineage.client.transports.HttpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineageConfigLoaderTest {
    @TempDir
    Path dir;

    private LineageConfigLoader.Loaded load(Map<String, String> env) {
        return new LineageConfigLoader(env, dir, dir.resolve("home")).load();
    }

    @Test
    void noFileAndNoVariableIsTheEmbeddedDefault() {
        assertThat(load(Map.of()).embeddedDefault()).isTrue();
    }

    @Test
    void readsHttpTransportFromOpenlineageYmlInTheWorkingDirectory() throws Exception {
        Files.writeString(dir.resolve("openlineage.yml"), """
                transport:
                  type: http
                  url: http://marquez.internal:5000
                  endpoint: /api/v1/lineage
                  timeoutInMillis: 2000
                """);
        LineageConfigLoader.Loaded loaded = load(Map.of());
        assertThat(loaded.transportType()).isEqualTo("http");
        HttpConfig http = (HttpConfig) loaded.config().orElseThrow().getTransportConfig();
        assertThat(http.getUrl()).hasToString("http://marquez.internal:5000");
        assertThat(http.getTimeoutInMillis()).isEqualTo(2000);
    }

    @Test
    void environmentVariablesOverrideTheFileLeafByLeaf() throws Exception {
        Files.writeString(dir.resolve("ol.yml"), "transport:\n  type: http\n  url: http://old:5000\n");
        LineageConfigLoader.Loaded loaded = load(Map.of("OPENLINEAGE_CONFIG", "ol.yml",
                "OPENLINEAGE__TRANSPORT__URL", "https://lineage.example.org",
                "OPENLINEAGE__TRANSPORT__TIMEOUT_IN_MILLIS", "1500"));
        HttpConfig http = (HttpConfig) loaded.config().orElseThrow().getTransportConfig();
        assertThat(http.getUrl()).hasToString("https://lineage.example.org");
        assertThat(http.getTimeoutInMillis()).isEqualTo(1500);
    }

    @Test
    void environmentAloneConfiguresAConsoleTransport() {
        assertThat(load(Map.of("OPENLINEAGE__TRANSPORT__TYPE", "console")).transportType()).isEqualTo("console");
    }

    @Test
    void malformedYamlNamesTheFileAndLine() throws Exception {
        Files.writeString(dir.resolve("openlineage.yml"), "transport:\n  type: http\n   url: [\n");
        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("openlineage.yml: not valid YAML (line");
    }

    @Test
    void unknownTransportTypeNamesFileAndPath() throws Exception {
        Files.writeString(dir.resolve("openlineage.yml"), "transport:\n  type: htp\n");
        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("openlineage.yml: $.transport.type: unknown transport type 'htp' (valid: console, file, http, kafka)");
    }

    @Test
    void unknownTransportTypeFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> load(Map.of("OPENLINEAGE__TRANSPORT__TYPE", "carrier-pigeon")))
                .hasMessageStartingWith("OPENLINEAGE__TRANSPORT__TYPE: unknown transport type 'carrier-pigeon'");
    }

    @Test
    void unsupportedUrlSchemeIsRefusedWithoutQuotingTheUrl() throws Exception {
        Files.writeString(dir.resolve("openlineage.yml"), "transport:\n  type: http\n  url: ftp://user:s3cret@host/x\n");
        assertThatThrownBy(() -> load(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("openlineage.yml: $.transport.url: unsupported URL scheme 'ftp' (valid: http, https)")
                .message().doesNotContain("s3cret");
    }

    @Test
    void unsupportedUrlSchemeFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> load(Map.of("OPENLINEAGE__TRANSPORT__TYPE", "http", "OPENLINEAGE__TRANSPORT__URL", "file:///tmp/x")))
                .hasMessage("OPENLINEAGE__TRANSPORT__URL: unsupported URL scheme 'file' (valid: http, https)");
    }

    @Test
    void aConfigFileVariableNamingNothingIsAnError() {
        assertThatThrownBy(() -> load(Map.of("OPENLINEAGE_CONFIG", "missing.yml")))
                .hasMessageStartingWith("OPENLINEAGE_CONFIG: names ");
    }

    @Test
    void kafkaNeedsTopicAndBrokers() throws Exception {
        Files.writeString(dir.resolve("openlineage.yml"), "transport:\n  type: kafka\n  topicName: lineage\n");
        assertThatThrownBy(() -> load(Map.of()))
                .hasMessage("openlineage.yml: $.transport.properties.bootstrap.servers: missing: the Kafka brokers");
    }

    @Test
    void disabledTurnsLineageOff() {
        assertThat(load(Map.of("OPENLINEAGE_DISABLED", "true")).disabled()).isTrue();
    }
}
