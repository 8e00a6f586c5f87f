package io.caravan.pseudonymise;

import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the archive of kept partner files: the {@link Archive} over {@code caravan.archive} with the
 * key ring's archive master key (so a profile without {@code caravan.keys.archive.*} refuses to
 * start, naming the property) and the notifier that archives what file routes consumed, for every
 * inbox under {@code caravan.sftp.root}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ArchiveRetention.class)
class ArchiveConfiguration {

    @Bean
    Archive archive(DataSource dataSource, KeyRing keys, ArchiveRetention retention) {
        return new Archive(dataSource, keys, retention, Clock.systemUTC());
    }

    @Bean
    ArchivingNotifier archivingNotifier(Archive archive, Environment environment) {
        return new ArchivingNotifier(archive, Path.of(environment.getProperty("caravan.sftp.root",
                environment.getProperty("caravan.data-dir", "data") + "/sftp")));
    }
}
