package io.caravan.notify;

import java.util.List;
import java.util.Map;

/**
 * Tells the subscribers of {@code notifications.yaml} that something happened to a partner.
 *
 * <p>Contract: {@code facts} carry ids, counts, dates and flags only, never personal data or a
 * secret; a value that is not a number, a boolean, an instant or date, or a short id-like text
 * ({@code [A-Za-z0-9._:+/-]}, no e-mail, phone number or VIN shape), or a list of those, is refused
 * with a {@link NotificationException} naming the fact. The call only queues: one notification per
 * subscribed channel, stored in {@code caravan.notification} before this returns, sent (and
 * retried with back-off) by a background dispatcher, so a slow or broken receiver never holds up the
 * caller. With a {@code dedupeKey}, a channel gets at most one notification per key, ever.
 * Thread-safe.
 */
public interface Notifier {

    /** Queues the notification for every matching subscription; answers their ids (empty when none subscribes). */
    default List<String> send(NotificationKind kind, String partnerId, Map<String, ?> facts) {
        return send(kind, partnerId, facts, null);
    }

    /** As {@link #send(NotificationKind, String, Map)}, at most once per channel and {@code dedupeKey} (null: no de-duplication). */
    List<String> send(NotificationKind kind, String partnerId, Map<String, ?> facts, String dedupeKey);
}
