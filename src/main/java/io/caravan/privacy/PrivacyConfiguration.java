package io.caravan.privacy;

import io.caravan.audit.AuditTrail;
import io.caravan.pseudonymise.Archive;
import tools.jackson.databind.ObjectMapper;
import io.caravan.pseudonymise.KeyRing;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the audit trail, erasure, re-identification and retention. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({PrivacyProperties.class, RetentionProperties.class})
class PrivacyConfiguration {

    @Bean
    AuditTrail auditTrail(DataSource dataSource, ObjectMapper json) {
        return new AuditTrail(dataSource, json);
    }

    @Bean
    Erasure erasure(DataSource dataSource, KeyRing keys, AuditTrail audit, Archive archive,
                    @Value("${caravan.data-products.enabled:false}") boolean dataProducts) {
        return new Erasure(dataSource, keys, audit, archive, dataProducts);
    }

    @Bean
    Replayer replayer(DataSource dataSource, Archive archive, io.caravan.ledger.Ledger ledger, AuditTrail audit) {
        return new Replayer(dataSource, archive, ledger, audit, java.time.Duration.ofSeconds(60));
    }

    @Bean
    SubjectAccess subjectAccess(DataSource dataSource, KeyRing keys, AuditTrail audit,
                                io.caravan.pseudonymise.ArchiveRetention retention) {
        return new SubjectAccess(dataSource, keys, audit, retention);
    }

    @Bean
    Rekeyer rekeyer(DataSource dataSource, KeyRing keys, AuditTrail audit) {
        return new Rekeyer(dataSource, keys, audit);
    }

    @Bean
    Reidentifier reidentifier(DataSource dataSource, KeyRing keys, AuditTrail audit) {
        return new Reidentifier(dataSource, keys, audit);
    }

    /** Named for the Quartz route {@code privacy-retention} ({@code bean: retentionPurge}). */
    @Bean
    @DependsOnDatabaseInitialization
    RetentionPurge retentionPurge(DataSource dataSource, AuditTrail audit, RetentionProperties retention, Archive archive) {
        RetentionPurge purge = new RetentionPurge(dataSource, audit, retention.maxAges(), retention.classMaxAges(),
                Clock.systemUTC(), archive);
        purge.validate();
        return purge;
    }
}
