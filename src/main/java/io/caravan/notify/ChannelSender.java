package io.caravan.notify;

/**
 * Sends one notification over one kind of channel. Contract: returns when the receiver accepted it
 * (a webhook answered 2xx, the SMTP server took the mail); throws {@link Failure} otherwise, with a
 * reason that names the status or the error type, never a URL, address, secret or body.
 * Thread-safe.
 */
interface ChannelSender {
    void send(NotificationRules.Channel channel, Notification notification, int attempt) throws Failure;

    /** Why the receiver did not take it: {@code HTTP 503}, {@code ConnectException}. */
    final class Failure extends Exception implements io.caravan.error.SafeMessage {
        Failure(String reason) {
            super(reason);
        }
    }
}
