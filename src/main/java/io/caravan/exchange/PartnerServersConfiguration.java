package io.caravan.exchange;

import io.caravan.ledger.Ledger;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What routes need to poll or push to partners' own SFTP servers with Camel's {@code sftp}
 * component, without Java of their own:
 * <ul>
 *   <li>{@link SftpHostKeyPinning}: every {@code sftp:} endpoint must pin the partner's host key;</li>
 *   <li>{@code partnerFiles}: camel-sql's {@link JdbcMessageIdRepository} on
 *       {@code caravan.partner_file_consumed} in the warehouse database, so a file is consumed once
 *       across restarts (routes: {@code idempotent: true}, {@code idempotentRepository: "#partnerFiles"},
 *       {@code idempotentKey} with partner, name, size and modification time);</li>
 *   <li>{@code partnerPollErrors}: a poll strategy that records a failed connection in the ledger.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class PartnerServersConfiguration {

    @Bean
    static SftpHostKeyPinning sftpHostKeyPinning() {
        return new SftpHostKeyPinning();
    }

    @Bean
    PartnerPollErrors partnerPollErrors(Ledger ledger, CamelContext camel) {
        return new PartnerPollErrors(ledger, camel, Clock.systemUTC());
    }

    @Bean
    @DependsOnDatabaseInitialization
    JdbcMessageIdRepository partnerFiles(DataSource dataSource) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository(dataSource, "partner-sftp");
        String table = "caravan.partner_file_consumed";
        repository.setTableName(table);
        repository.setCreateTableIfNotExists(false);
        repository.setTableExistsString("SELECT 1 FROM " + table + " WHERE 1 = 0");
        repository.setQueryString("SELECT COUNT(*) FROM " + table + " WHERE processorName = ? AND messageId = ?");
        repository.setInsertString("INSERT INTO " + table + " (processorName, messageId, createdAt) VALUES (?, ?, ?)");
        repository.setDeleteString("DELETE FROM " + table + " WHERE processorName = ? AND messageId = ?");
        repository.setClearString("DELETE FROM " + table + " WHERE processorName = ?");
        return repository;
    }
}
