package io.caravan.connector;

import tools.jackson.databind.JsonNode;
import java.nio.charset.Charset;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * How a source is read: the reader type and its options. Patterns and the charset are resolved
 * once, when the descriptor loads, so a bad one is a start-up error.
 *
 * @param columns raw {@code columns} option (header names without a header row, or fixed-width layout); may be null
 */
public record FormatSpec(
        String type, Charset charset, char delimiter, char quote, boolean header, JsonNode columns,
        char decimalSeparator, List<DateTimeFormatter> datePatterns, List<DateTimeFormatter> timestampPatterns,
        ZoneId zone, String records, JsonNode raw) {

    public FormatSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(charset, "charset");
        datePatterns = List.copyOf(datePatterns);
        timestampPatterns = List.copyOf(timestampPatterns);
        Objects.requireNonNull(zone, "zone");
    }
}
