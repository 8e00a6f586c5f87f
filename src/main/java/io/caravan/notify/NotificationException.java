package io.caravan.notify;

import io.caravan.error.SafeMessage;

/** A notification refused before it was queued: its message names the fact, never its value. */
public final class NotificationException extends IllegalArgumentException implements SafeMessage {
    public NotificationException(String message) {
        super(message);
    }
}
