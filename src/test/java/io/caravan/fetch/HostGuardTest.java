package io.caravan.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The outbound host rules of the operations contract, with names resolved by a fixed table. */
class HostGuardTest {
    private static final Map<String, String> DNS = Map.of(
            "graph.partner.example", "203.0.113.10",
            "internal.partner.example", "10.1.2.3",
            "sneaky.partner.example", "169.254.169.254",
            "loop.partner.example", "127.0.0.5",
            "v6.partner.example", "fd00::1");

    private static HostGuard guard() throws Exception {
        var source = new ObjectMapper().readTree("""
                {"baseUrl": "https://api.partner.example/v1", "allowedHosts": ["*.partner.example", "10.9.8.7"],
                 "auth": {"type": "oauth2-client-credentials", "tokenUrl": "https://login.partner.example/token",
                          "clientId": "id", "clientSecret": "{{secret}}"}}""");
        SourceSpec spec = SourceSpec.parse("guard-test", "guard-test.yaml", source, key -> "not-printed");
        return new HostGuard(spec, host -> {
            String ip = DNS.get(host);
            if (ip == null) {
                throw new UnknownHostException("not in the table");
            }
            return new InetAddress[] {InetAddress.getByName(ip)};
        });
    }

    @Test
    void allowsTheConfiguredHostsAndPublicAddressesUnderAnAllowedSuffix() throws Exception {
        HostGuard guard = guard();
        guard.check(URI.create("https://api.partner.example/v1/x?y=1"), "page 1");
        guard.check(URI.create("https://login.partner.example/token"), "token request");
        guard.check(URI.create("https://graph.partner.example/next"), "page 2");
        guard.check(URI.create("http://10.9.8.7:8080/reports"), "page 3"); // a private address the configuration names
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://internal.partner.example/", "https://sneaky.partner.example/latest/meta-data",
            "https://loop.partner.example/", "https://v6.partner.example/"})
    void refusesAnAllowedNameThatResolvesToAnInternalAddress(String url) throws Exception {
        assertThatThrownBy(() -> guard().check(URI.create(url), "page 2")).isInstanceOf(FetchException.class)
                .hasMessage("guard-test: page 2: request refused: host resolves to a loopback, private or link-local "
                        + "address the connector does not name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example/", "http://169.254.169.254/latest/meta-data", "http://127.0.0.1:8080/",
            "https://partner.example.evil.test/", "ftp://api.partner.example/x", "https://user:pw@api.partner.example/"})
    void refusesHostsAndUrlsOutsideTheAllowlist(String url) throws Exception {
        assertThatThrownBy(() -> guard().check(URI.create(url), "page 4")).isInstanceOf(FetchException.class)
                .hasMessageStartingWith("guard-test: page 4: request refused: ")
                .hasMessageNotContaining("pw").hasMessageNotContaining("meta-data");
    }

    @Test
    void theSpecNeverPrintsTheClientSecret() throws Exception {
        var source = new ObjectMapper().readTree("""
                {"baseUrl": "https://api.partner.example", "auth": {"type": "oauth2-client-credentials",
                 "tokenUrl": "https://login.partner.example/token", "clientId": "id", "clientSecret": "{{s}}"}}""");
        SourceSpec spec = SourceSpec.parse("c", "c.yaml", source, key -> "TOP-SECRET-VALUE");
        assertThat(spec.toString()).doesNotContain("TOP-SECRET-VALUE");
        assertThat(spec.auth().toString()).doesNotContain("TOP-SECRET-VALUE");
    }
}
