package io.caravan.notify;

import java.time.Instant;
import java.util.Map;

/**
 * One queued notification to one channel, as stored in {@code caravan.notification}.
 *
 * @param attempts attempts made so far
 */
public record Notification(String notificationId, NotificationKind kind, String partnerId, String channel,
                           String channelType, Map<String, Object> facts, String status, int attempts,
                           Instant nextAttemptAt, String lastError, Instant createdAt, Instant sentAt) {
    public Notification {
        facts = facts == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(facts));
    }
}
