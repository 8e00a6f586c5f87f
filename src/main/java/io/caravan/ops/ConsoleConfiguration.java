package io.caravan.ops;

import io.caravan.exchange.SftpGateway;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The console's read models (dashboards, privacy counts, partner exports), the health
 * contributors {@code sftpGateway} and {@code partnerApis}, and the console's address: {@code /}
 * and {@code /console} lead to {@code /console/} (static files under {@code static/console}).
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfiguration implements WebMvcConfigurer {

    @Bean
    MediaSpendVsSales mediaSpendVsSales(JdbcTemplate jdbc) {
        return new MediaSpendVsSales(jdbc);
    }

    @Bean
    PrivacyStats privacyStats(JdbcTemplate jdbc) {
        return new PrivacyStats(jdbc);
    }

    @Bean
    PartnerExports partnerExports(JdbcTemplate jdbc) {
        return new PartnerExports(jdbc);
    }

    /** Health component {@code partnerApis}; inject {@link PartnerApiHealth} to report to it. */
    @Bean
    PartnerApiHealthRegistry partnerApisHealthContributor(ObjectProvider<Clock> clock) {
        return new PartnerApiHealthRegistry(clock.getIfUnique(Clock::systemUTC));
    }

    /** Health component {@code sftpGateway}. */
    @Bean
    SftpGatewayHealth sftpGatewayHealthIndicator(ObjectProvider<SftpGateway> gateway) {
        return new SftpGatewayHealth(gateway);
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/console/");
        registry.addRedirectViewController("/console", "/console/");
        registry.addViewController("/console/").setViewName("forward:/console/index.html");
    }
}
