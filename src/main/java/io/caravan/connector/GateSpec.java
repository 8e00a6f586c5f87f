package io.caravan.connector;

import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The drift and quality gates of one connector ({@code gates:} in its descriptor), every value
 * with a safe default (the defaults are those of {@code connector.schema.json}). A file that fails
 * a gate is quarantined before anything reaches the warehouse.
 *
 * @param enabled                false turns every gate off for this connector
 * @param minRows                the rate gates (rejections, nulls, VINs, dates) judge only files of at least this many
 *                               rows; the volume gate only when the file or the median has as many
 * @param columns                what a column added, removed or renamed against the previous accepted delivery does
 * @param volume                 row count against the trailing median of the connector's completed batches
 * @param maxRejectedPercent     highest share of rows harmonise may reject
 * @param maxRequiredNullPercent highest share of readable rows in which any one required field may be empty
 * @param minVinValidPercent     lowest share of present VINs that must be valid
 * @param dates                  date range plausibility
 */
public record GateSpec(boolean enabled, int minRows, Columns columns, Volume volume, double maxRejectedPercent,
                       double maxRequiredNullPercent, double minVinValidPercent, Dates dates) {

    public static final GateSpec DEFAULTS = new GateSpec(true, 20, Columns.DEFAULTS, Volume.DEFAULTS, 20, 10, 90,
            Dates.DEFAULTS);

    public GateSpec {
        Objects.requireNonNull(columns, "columns");
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(dates, "dates");
        if (minRows < 1) {
            throw new IllegalArgumentException("gates.minRows must be at least 1");
        }
        percent(maxRejectedPercent, "gates.maxRejectedPercent");
        percent(maxRequiredNullPercent, "gates.maxRequiredNullPercent");
        percent(minVinValidPercent, "gates.minVinValidPercent");
    }

    /** What a drifted column does to the file. */
    public enum Action { QUARANTINE, ALLOW }

    /**
     * @param added   a column the previous accepted delivery did not have and the descriptor does not map
     * @param removed a column the previous accepted delivery had and the descriptor still maps
     * @param renamed a removed column whose position a new column took
     */
    public record Columns(Action added, Action removed, Action renamed) {
        public static final Columns DEFAULTS = new Columns(Action.ALLOW, Action.QUARANTINE, Action.QUARANTINE);

        public Columns {
            Objects.requireNonNull(added, "added");
            Objects.requireNonNull(removed, "removed");
            Objects.requireNonNull(renamed, "renamed");
        }
    }

    /**
     * @param tolerancePercent how far (either way) the row count may stray from the trailing median
     * @param history          how many of the connector's latest completed batches make the median
     * @param minHistory       fewer completed batches than this and the volume gate does not judge
     */
    public record Volume(double tolerancePercent, int history, int minHistory) {
        public static final Volume DEFAULTS = new Volume(50, 12, 3);

        public Volume {
            if (!(tolerancePercent >= 0) || tolerancePercent > 1000) {
                throw new IllegalArgumentException("gates.volume.tolerancePercent must be between 0 and 1000");
            }
            if (history < 1 || minHistory < 1 || minHistory > history) {
                throw new IllegalArgumentException("gates.volume: need 1 <= minHistory <= history");
            }
        }
    }

    /**
     * @param fields     the date or timestamp fields checked; empty means every required one
     * @param maxAgeDays a date older than this many days before the delivery is implausible
     * @param futureDays a date more than this many days after the delivery is implausible
     * @param maxPercent highest share of checked values that may be implausible
     */
    public record Dates(List<String> fields, int maxAgeDays, int futureDays, double maxPercent) {
        public static final Dates DEFAULTS = new Dates(List.of(), 1825, 1, 0);

        public Dates {
            fields = List.copyOf(fields);
            if (maxAgeDays < 1 || futureDays < 0) {
                throw new IllegalArgumentException("gates.dates: maxAgeDays must be at least 1, futureDays at least 0");
            }
            percent(maxPercent, "gates.dates.maxPercent");
        }
    }

    /** The spec of a validated descriptor's {@code gates} node (missing node or keys take the defaults). */
    public static GateSpec from(JsonNode gates) {
        GateSpec d = DEFAULTS;
        if (gates == null || gates.isMissingNode() || gates.isNull()) {
            return d;
        }
        JsonNode c = gates.path("columns");
        JsonNode v = gates.path("volume");
        JsonNode t = gates.path("dates");
        List<String> fields = new java.util.ArrayList<>();
        t.path("fields").forEach(n -> fields.add(n.asString()));
        return new GateSpec(gates.path("enabled").asBoolean(d.enabled()), gates.path("minRows").asInt(d.minRows()),
                new Columns(action(c, "added", d.columns().added()), action(c, "removed", d.columns().removed()),
                        action(c, "renamed", d.columns().renamed())),
                new Volume(v.path("tolerancePercent").asDouble(d.volume().tolerancePercent()),
                        v.path("history").asInt(d.volume().history()), v.path("minHistory").asInt(d.volume().minHistory())),
                gates.path("maxRejectedPercent").asDouble(d.maxRejectedPercent()),
                gates.path("maxRequiredNullPercent").asDouble(d.maxRequiredNullPercent()),
                gates.path("minVinValidPercent").asDouble(d.minVinValidPercent()),
                new Dates(fields, t.path("maxAgeDays").asInt(d.dates().maxAgeDays()),
                        t.path("futureDays").asInt(d.dates().futureDays()), t.path("maxPercent").asDouble(d.dates().maxPercent())));
    }

    private static Action action(JsonNode node, String key, Action fallback) {
        return node.has(key) ? Action.valueOf(node.get(key).asString().toUpperCase(java.util.Locale.ROOT)) : fallback;
    }

    private static void percent(double value, String name) {
        if (!(value >= 0 && value <= 100)) {
            throw new IllegalArgumentException(name + " must be between 0 and 100");
        }
    }
}
