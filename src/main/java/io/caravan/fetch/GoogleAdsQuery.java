package io.caravan.fetch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Google Ads Query Language request a descriptor stands for: {@code SELECT} the fields its
 * mapping reads (the JSON names of the answer, {@code metrics.costMicros}, written as GAQL's
 * {@code metrics.cost_micros}), {@code FROM} the descriptor's resource, {@code WHERE} the date
 * segment lies in the restatement window ({@code ${window.from}}..{@code ${window.to}}, filled per
 * run in the account's time zone) and the descriptor's extra conditions. Immutable.
 *
 * @param version   the API version of the URL, e.g. {@code v26}
 * @param customerId the account (digits only; dashes as shown in the UI are removed)
 */
record GoogleAdsQuery(String version, String customerId, String resource, String dateSegment, List<String> fields,
                      List<String> where) {
    private static final Pattern FIELD = Pattern.compile("[a-z][A-Za-z_]*(\\.[A-Za-z0-9_]+)+");
    private static final Pattern VERSION = Pattern.compile("v[1-9][0-9]?");
    private static final Pattern RESOURCE = Pattern.compile("[a-z_]+");

    GoogleAdsQuery {
        customerId = customerId == null ? null : customerId.replace("-", "");
        fields = List.copyOf(fields);
        where = List.copyOf(where);
    }

    /** Problems with the settings (descriptor paths and rules, never values). */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (version == null || !VERSION.matcher(version).matches()) {
            problems.add("$.source.googleAds.version: must look like v26");
        }
        if (customerId == null || !customerId.matches("[0-9]{10}")) {
            problems.add("$.source.googleAds.customerId: must be the 10-digit customer id");
        }
        if (resource == null || !RESOURCE.matcher(resource).matches()) {
            problems.add("$.source.googleAds.resource: must be a GAQL resource name such as campaign");
        }
        for (String field : fields) {
            if (!FIELD.matcher(field).matches()) {
                problems.add("$.fields: column '" + field + "' is not a Google Ads field path (resource.field)");
            }
        }
        return problems;
    }

    /** The report request's path. */
    String path() {
        return "/" + version + "/customers/" + customerId + "/googleAds:searchStream";
    }

    /** The GAQL text, with {@code ${window.from}} and {@code ${window.to}} left for the run. */
    String gaql() {
        Set<String> select = new java.util.TreeSet<>(); // sorted: the same descriptor gives the same query text
        fields.forEach(f -> select.add(snake(f)));
        select.add(snake(dateSegment));
        StringBuilder q = new StringBuilder("SELECT ").append(String.join(", ", select)).append(" FROM ").append(resource)
                .append(" WHERE ").append(snake(dateSegment)).append(" BETWEEN '${window.from}' AND '${window.to}'");
        where.forEach(w -> q.append(" AND ").append(w));
        return q.toString();
    }

    /** The report request's body: {@code {"query": "..."}}. */
    String body() {
        return "{\"query\": " + quote(gaql()) + "}";
    }

    /** The body of the account query that gives the time zone and currency. */
    static String accountBody() {
        return "{\"query\": \"SELECT customer.id, customer.currency_code, customer.time_zone FROM customer LIMIT 1\"}";
    }

    /** {@code metrics.costMicros} → {@code metrics.cost_micros}; GAQL names stay as they are. */
    static String snake(String field) {
        StringBuilder out = new StringBuilder();
        for (char c : field.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
