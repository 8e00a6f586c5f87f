package io.caravan.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.DateTimeException;
import java.time.ZoneId;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Google Ads account's own settings, read before a report: {@code customer.time_zone} (the
 * zone the account's days are counted in, so the restatement window and {@code segments.date}
 * agree) and {@code customer.currency_code} (what {@code costMicros} is in). One
 * {@code searchStream} request ({@code SELECT ... FROM customer LIMIT 1}) under the same rules as
 * the report.
 *
 * @param timeZone the account's zone
 * @param currency ISO 4217 code
 */
record GoogleAdsAccount(ZoneId timeZone, String currency) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static GoogleAdsAccount read(SourceSpec spec, GuardedHttp http) {
        String what = "account settings (customer.time_zone)";
        URI uri = URI.create(spec.displayUrl());
        HttpResponse<InputStream> response = http.send(uri, GoogleAdsQuery.accountBody(), "application/json", what, true);
        JsonNode customer;
        try (InputStream body = response.body()) {
            JsonNode root = JSON.readTree(body.readNBytes(1 << 20));
            JsonNode batch = root != null && root.isArray() ? root.path(0) : root;
            customer = batch == null ? null : batch.path("results").path(0).path("customer");
        } catch (IOException | JacksonException e) {
            throw new FetchException(spec.connectorId() + ": " + what + ": unreadable answer (" + e.getClass().getSimpleName() + ")");
        }
        String zone = customer == null ? "" : customer.path("timeZone").asText("");
        String currency = customer == null ? "" : customer.path("currencyCode").asText("");
        try {
            return new GoogleAdsAccount(ZoneId.of(zone), currency.matches("[A-Z]{3}") ? currency : null);
        } catch (DateTimeException e) {
            throw new FetchException(spec.connectorId() + ": " + what + ": the answer has no valid customer.timeZone");
        }
    }
}
