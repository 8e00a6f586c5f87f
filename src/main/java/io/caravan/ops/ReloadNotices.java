package io.caravan.ops;

import io.caravan.notify.NotificationKind;
import io.caravan.notify.Notifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A route file, connector descriptor or configuration file that a reload rejects or rolls back
 * becomes a {@code reload_failed} notification (file, line, route, outcome; the message stays in
 * {@code GET /api/reloads}). Nothing where the
 * application has no notifier.
 */
@Configuration(proxyBeanMethods = false)
class ReloadNotices {

    @Bean
    Object reloadFailureNotices(ReloadAttempts reloads, ObjectProvider<Notifier> notifiers) {
        Notifier notifier = notifiers.getIfAvailable();
        if (notifier != null) {
            reloads.addFailureListener(attempt -> {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("file", attempt.file());
                facts.put("line", attempt.line());
                facts.put("routeId", attempt.route());
                facts.put("outcome", attempt.outcome());
                facts.put("at", attempt.at());
                notifier.send(NotificationKind.RELOAD_FAILED, null, facts);
            });
        }
        return notifiers;
    }
}
