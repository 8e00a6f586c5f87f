package io.caravan.notify;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.ObjectMapper;

/**
 * POSTs a notification as JSON to a webhook over HTTPS, signed: header
 * {@code Caravan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}, plus
 * {@code Caravan-Notification-Id} and {@code Caravan-Notification-Kind}. A receiver checks the
 * signature and that {@code t} is recent, and de-duplicates retries by the id. Redirects are not
 * followed; anything but 2xx is a failure. Thread-safe.
 */
final class WebhookSender implements ChannelSender {
    static final String SIGNATURE = "Caravan-Signature";

    private final HttpClient http;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration timeout;

    WebhookSender(SSLContext ssl, ObjectMapper json, Clock clock, Duration timeout) {
        this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.json = json;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** The JSON body: id, kind, partner, createdAt, attempt, facts. */
    static Map<String, Object> body(Notification n, int attempt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", n.notificationId());
        body.put("kind", n.kind().label());
        body.put("partner", n.partnerId());
        body.put("createdAt", n.createdAt().toString());
        body.put("attempt", attempt);
        body.put("facts", n.facts());
        return body;
    }

    @Override
    public void send(NotificationRules.Channel channel, Notification n, int attempt) throws Failure {
        NotificationRules.Webhook webhook = (NotificationRules.Webhook) channel;
        String body = json.writeValueAsString(body(n, attempt));
        long t = clock.instant().getEpochSecond();
        String signature = "t=" + t + ",v1=" + webhook.signer().sign(t + "." + body);
        HttpRequest request = HttpRequest.newBuilder(webhook.url()).timeout(timeout)
                .header("Content-Type", "application/json")
                .header(SIGNATURE, signature)
                .header("Caravan-Notification-Id", n.notificationId())
                .header("Caravan-Notification-Kind", n.kind().label())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new Failure(e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw new Failure("HTTP " + response.statusCode());
        }
    }
}
