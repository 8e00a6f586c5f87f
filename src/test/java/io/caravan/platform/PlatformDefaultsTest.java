package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/** The built-in configuration files say what the platform contract promises. */
class PlatformDefaultsTest {

    @Test
    void noProfileMeansEmbeddedAndProdMeansExternal() throws IOException {
        assertThat(load("application.yaml").getProperty("caravan.embedded.enabled")).isEqualTo(true);
        PropertySource<?> prod = load("application-prod.yaml");
        assertThat(prod.getProperty("caravan.embedded.enabled")).isEqualTo(false);
        assertThat(String.valueOf(prod.getProperty("spring.datasource.url"))).isEqualTo("${CARAVAN_DB_URL}");
        assertThat(String.valueOf(prod.getProperty("caravan.security.users[0].password"))).isEqualTo("${CARAVAN_OPERATOR_PASSWORD}");
    }

    @Test
    void onlyHealthAndPrometheusAreExposedAndHealthDetailsNeedAuthorization() throws IOException {
        PropertySource<?> defaults = load("application.yaml");
        assertThat(String.valueOf(defaults.getProperty("management.endpoints.web.exposure.include"))).isEqualTo("health,prometheus");
        assertThat(String.valueOf(defaults.getProperty("management.endpoint.health.show-details"))).isEqualTo("when-authorized");
        assertThat(String.valueOf(defaults.getProperty("spring.flyway.schemas"))).isEqualTo("caravan");
    }

    private static PropertySource<?> load(String name) throws IOException {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load(name, new ClassPathResource(name));
        assertThat(sources).hasSize(1);
        return sources.get(0);
    }
}
