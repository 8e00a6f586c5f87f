package io.caravan.notify;

import io.caravan.audit.AuditTrail;
import io.caravan.calendar.Delivery;
import io.caravan.calendar.DeliveryMonitor;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.error.ConfigException;
import io.caravan.ledger.BatchSummary;
import io.caravan.ledger.Ledger;
import io.caravan.pipeline.BatchContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.mail.javamail.JavaMailSender;
import tools.jackson.databind.ObjectMapper;

/**
 * Notifications: the rules of {@code ${caravan.config-dir}/notifications.yaml}, the dispatcher
 * ({@code caravan.notifications.retry.*}, {@code poll}), the senders (webhooks trusting the JDK's
 * CAs or {@code caravan.notifications.trust-store}; e-mail through {@code spring.mail.*} from
 * {@code caravan.notifications.mail-from}), and what feeds it: late and missing deliveries, failed
 * batches and agreements that expire within {@code caravan.notifications.agreement-expiry-warning}.
 * Reload failures, erasures and quarantines call {@link Notifier} where they happen.
 */
@Configuration(proxyBeanMethods = false)
class NotifyConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyConfiguration.class);

    @Bean
    NotificationRules notificationRules(@Value("${caravan.config-dir:config}") Path configDir, Environment environment) {
        return NotificationRules.load(configDir.resolve("notifications.yaml"), environment::getProperty);
    }

    @Bean(destroyMethod = "close")
    NotificationDispatcher notificationDispatcher(NotificationRules rules, DataSource dataSource, Clock clock, AuditTrail audit,
                                                  ObjectProvider<JavaMailSender> mail, Environment env,
                                                  @Value("${caravan.notifications.retry.max-attempts:6}") int maxAttempts,
                                                  @Value("${caravan.notifications.retry.initial-backoff:PT30S}") Duration initial,
                                                  @Value("${caravan.notifications.retry.max-backoff:PT1H}") Duration max,
                                                  @Value("${caravan.notifications.poll:PT5S}") Duration poll,
                                                  @Value("${caravan.notifications.timeout:PT10S}") Duration timeout,
                                                  @Value("${caravan.notifications.mail-from:caravan@localhost}") String from) {
        JavaMailSender mailSender = mail.getIfAvailable();
        if (rules.hasEmail() && mailSender == null) {
            throw new ConfigException(ConfigException.Code.MISSING_KEY,
                    "notifications.yaml: $.channels: e-mail channels need an SMTP server; set spring.mail.host (and port, user, password)");
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, ChannelSender> senders = Map.of(
                "webhook", new WebhookSender(sslContext(env), json, clock, timeout),
                "email", new MailSender(mailSender, from));
        return new NotificationDispatcher(rules, dataSource, json, clock,
                new NotificationDispatcher.Retry(maxAttempts, initial, max), senders, audit, poll);
    }

    /** The JDK's trusted CAs, or those of {@code caravan.notifications.trust-store} (PKCS12) when set. */
    private static SSLContext sslContext(Environment env) {
        String store = env.getProperty("caravan.notifications.trust-store");
        try {
            if (store == null || store.isBlank()) {
                return SSLContext.getDefault();
            }
            char[] password = env.getProperty("caravan.notifications.trust-store-password", "").toCharArray();
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(Path.of(store))) {
                trusted.load(in, password);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(ConfigException.Code.MISSING_KEY, "caravan.notifications.trust-store: cannot be read as PKCS12 ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Late and missing deliveries become notifications about the partner, once per delivery and outcome. */
    @Bean
    Object deliveryNotices(DeliveryMonitor monitor, Notifier notifier) {
        DeliveryMonitor.Listener listener = change -> {
            Delivery delivery = change.delivery();
            if (delivery.outcome() != Delivery.Outcome.MISSING && delivery.outcome() != Delivery.Outcome.LATE) {
                return;
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("flow", delivery.flow());
            facts.put("deadline", delivery.deadline());
            if (delivery.outcome() == Delivery.Outcome.MISSING && change.missed() > 1) {
                facts.put("missedDeliveries", change.missed());
                facts.put("firstMissedDeadline", change.firstDeadline());
            }
            if (delivery.batchId() != null) {
                facts.put("batchId", delivery.batchId());
                facts.put("arrivedAt", delivery.arrivedAt());
                facts.put("latenessSeconds", delivery.latenessSeconds());
            }
            NotificationKind kind = delivery.outcome() == Delivery.Outcome.MISSING ? NotificationKind.DELIVERY_MISSING : NotificationKind.DELIVERY_LATE;
            notifier.send(kind, delivery.partnerId(), facts, kind.label() + ":" + delivery.flow() + ":" + delivery.deadline());
        };
        monitor.addListener(listener);
        return listener;
    }

    /** A failed batch becomes a notification about its partner. */
    @Bean
    Ledger.BatchListener failedBatchNotices(Ledger ledger, Notifier notifier) {
        Ledger.BatchListener listener = new Ledger.BatchListener() {
            @Override
            public void opened(BatchContext batch) {
            }

            @Override
            public void finished(BatchSummary summary) {
                if (!BatchSummary.FAILED.equals(summary.status())) {
                    return;
                }
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("batchId", summary.batchId());
                facts.put("routeId", summary.routeId());
                facts.put("connectorId", summary.connectorId());
                facts.put("startedAt", summary.startedAt());
                facts.put("rowsIn", summary.rowsIn());
                try {
                    notifier.send(NotificationKind.BATCH_FAILED, summary.partnerId(), facts, "batch_failed:" + summary.batchId());
                } catch (RuntimeException e) {
                    LOG.warn("could not queue the notification of failed batch {} ({})", summary.batchId(), e.getClass().getSimpleName());
                }
            }
        };
        ledger.addListener(listener);
        return listener;
    }

    /** Checks every {@code caravan.notifications.agreement-check-every} for agreements that run out soon. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService agreementExpiryNotices(ObjectProvider<AgreementRegistry> agreements, Notifier notifier, Clock clock,
                                                    @Value("${caravan.notifications.agreement-expiry-warning:P30D}") Period warning,
                                                    @Value("${caravan.notifications.agreement-check-every:PT1H}") Duration every) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-agreement-expiry");
            t.setDaemon(true);
            return t;
        });
        AgreementRegistry registry = agreements.getIfAvailable();
        if (registry != null && !every.isZero()) {
            timer.scheduleWithFixedDelay(() -> {
                try {
                    expiring(registry, notifier, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC), warning);
                } catch (RuntimeException e) {
                    LOG.warn("agreement expiry check failed ({})", e.getClass().getSimpleName());
                }
            }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        }
        return timer;
    }

    /** Queues one notice per agreement and last valid day, once it is at most {@code warning} away. */
    static int expiring(AgreementRegistry registry, Notifier notifier, LocalDate today, Period warning) {
        int sent = 0;
        for (AgreementRegistry.Validity v : registry.validities()) {
            if (!v.validUntil().isBefore(today) && !today.plus(warning).isBefore(v.validUntil())) {
                sent += notifier.send(NotificationKind.AGREEMENT_EXPIRING, v.partnerId(), Map.of("agreementId", v.agreementId(),
                        "validUntil", v.validUntil(), "daysLeft", ChronoUnit.DAYS.between(today, v.validUntil())),
                        "agreement_expiring:" + v.agreementId() + ":" + v.validUntil()).size();
            }
        }
        return sent;
    }
}
