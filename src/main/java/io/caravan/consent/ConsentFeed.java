package io.caravan.consent;

import java.nio.charset.Charset;
import java.util.Map;
import java.util.Objects;

/**
 * One consent feed of {@code config/consent-feeds.yaml}: where its rows come from and which source
 * column holds each consent field.
 *
 * @param columns    consent field ({@code eventId}, {@code email}, {@code phone}, {@code purpose},
 *                   {@code status}, {@code capturedAt}, {@code tcString}) → source column or property
 * @param purposes   the feed's purpose spellings → Caravan purpose ids (a Caravan id maps to itself)
 * @param statuses   the feed's status spellings → {@code granted}/{@code withdrawn}
 * @param recordsPath JSON only: the property holding the records array, or null for a top-level array
 */
record ConsentFeed(String id, String partner, String source, String phoneRegion, String formatType, char delimiter,
                   Charset charset, String recordsPath, long maxBytes, Map<String, String> columns,
                   Map<String, String> purposes, Map<String, String> statuses) {
    ConsentFeed {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(partner, "partner");
        columns = Map.copyOf(columns);
        purposes = Map.copyOf(purposes);
        statuses = Map.copyOf(statuses);
    }

    String column(String field) {
        return columns.get(field);
    }
}
