package io.caravan.ops;

import io.caravan.api.ApiException;
import io.caravan.notify.Notification;
import io.caravan.notify.NotificationDispatcher;
import io.caravan.notify.NotificationKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/notifications?partner=&kind=&status=&limit=} (viewer): notifications sent or
 * being sent, newest first (default 100, at most 1000), each with its channel, status
 * ({@code pending}, {@code sent}, {@code failed}), attempts, next attempt, last error and every
 * attempt; a webhook that is down shows here as its attempts fail. Bad filters are {@code 400}.
 */
@RestController
class NotificationsController {
    private static final Set<String> STATUSES = Set.of("pending", "sent", "failed");

    private final ObjectProvider<NotificationDispatcher> dispatchers;

    NotificationsController(ObjectProvider<NotificationDispatcher> dispatchers) {
        this.dispatchers = dispatchers;
    }

    @GetMapping("/api/notifications")
    List<Map<String, Object>> notifications(@RequestParam(name = "partner", required = false) String partner,
                                            @RequestParam(name = "kind", required = false) String kind,
                                            @RequestParam(name = "status", required = false) String status,
                                            @RequestParam(name = "limit", defaultValue = "100") int limit) {
        NotificationDispatcher dispatcher = dispatchers.getIfAvailable();
        if (dispatcher == null) {
            throw ApiException.notFound("notifications are not configured in this application");
        }
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("limit must be between 1 and 1000", "limit");
        }
        String kindFilter = blank(kind) ? null : kind.strip();
        if (kindFilter != null && NotificationKind.of(kindFilter).isEmpty()) {
            throw ApiException.badRequest("unknown kind (valid: delivery_late, delivery_missing, batch_failed, reload_failed, "
                    + "agreement_expiring, erasure, quarantine)", "kind");
        }
        String statusFilter = blank(status) ? null : status.strip();
        if (statusFilter != null && !STATUSES.contains(statusFilter)) {
            throw ApiException.badRequest("unknown status (valid: pending, sent, failed)", "status");
        }
        return dispatcher.recent(blank(partner) ? null : partner.strip(), kindFilter, statusFilter, limit).stream()
                .map(n -> view(n, dispatcher.attempts(n.notificationId()))).toList();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Map<String, Object> view(Notification n, List<Map<String, Object>> attempts) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", n.notificationId());
        view.put("kind", n.kind().label());
        view.put("partner", n.partnerId());
        view.put("channel", n.channel());
        view.put("channelType", n.channelType());
        view.put("status", n.status());
        view.put("attempts", n.attempts());
        view.put("nextAttemptAt", n.nextAttemptAt());
        view.put("lastError", n.lastError());
        view.put("createdAt", n.createdAt());
        view.put("sentAt", n.sentAt());
        view.put("facts", n.facts());
        view.put("log", attempts);
        return view;
    }
}
