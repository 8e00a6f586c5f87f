package io.caravan.gate;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.FieldSpec;
import io.caravan.connector.GateSpec;
import io.caravan.harmonise.FileProfile;
import io.caravan.ledger.QuarantineReason;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges one file's {@link FileProfile} against its connector's {@link GateSpec} and history, and
 * answers the gates it fails (empty: it passes). Pure, deterministic and thread-safe; every reason
 * names gates, fields, columns and figures, never a value.
 *
 * <ul>
 * <li><b>columns</b> (headed CSV only; other formats have no fixed header): against the columns of
 *     the previous accepted delivery. A column missing now that the descriptor still maps is
 *     <em>removed</em>; a new column the descriptor does not map is <em>added</em>; a removed column
 *     whose position a new column took is <em>renamed</em> (unless the descriptor was changed to map
 *     the new name instead of the old one: an agreed change is no drift). A file without a row shows
 *     no columns and is not judged by it.</li>
 * <li><b>volume</b>: the row count against the median of the connector's latest completed batches,
 *     when there are at least {@code minHistory} of them and the file or the median has at least
 *     {@code minRows} rows.</li>
 * <li><b>rejection_rate</b>, <b>required_nulls</b>, <b>vin_validity</b>, <b>dates</b>: shares of the
 *     file's rows, judged only for files of at least {@code minRows} rows.</li>
 * </ul>
 */
final class GateEvaluator {

    private GateEvaluator() {
    }

    /** What the gates compare a file with. */
    record History(List<String> previousColumns, List<Long> recentRows) {
        History {
            previousColumns = previousColumns == null ? null : List.copyOf(previousColumns);
            recentRows = List.copyOf(recentRows);
        }
    }

    /** Whether the column gate can judge this connector's files (a headed CSV). */
    static boolean hasHeader(ConnectorDescriptor connector) {
        return "csv".equals(connector.format().type()) && connector.format().header();
    }

    /** The date fields the date gate checks: those declared, else every required date or timestamp field. */
    static Set<String> dateFields(ConnectorDescriptor connector) {
        List<String> declared = connector.gates().dates().fields();
        if (!declared.isEmpty()) {
            return new LinkedHashSet<>(declared);
        }
        Set<String> fields = new LinkedHashSet<>();
        for (FieldSpec spec : new TreeMap<>(connector.fields()).values()) {
            if (spec.required() && (spec.type() == io.caravan.connector.FieldType.DATE
                    || spec.type() == io.caravan.connector.FieldType.TIMESTAMP)) {
                fields.add(spec.name());
            }
        }
        return fields;
    }

    static List<QuarantineReason> evaluate(ConnectorDescriptor connector, FileProfile profile, History history,
                                           String window) {
        GateSpec spec = connector.gates();
        List<QuarantineReason> reasons = new ArrayList<>();
        if (hasHeader(connector) && history.previousColumns() != null && !profile.columns().isEmpty()) {
            columns(connector, spec.columns(), profile.columns(), history.previousColumns(), reasons);
        }
        volume(spec.volume(), spec.minRows(), profile.rows(), history.recentRows(), reasons);
        if (profile.rows() >= spec.minRows()) {
            rates(connector, spec, profile, window, reasons);
        }
        return reasons;
    }

    private static void columns(ConnectorDescriptor connector, GateSpec.Columns rules, List<String> now,
                                List<String> before, List<QuarantineReason> reasons) {
        Set<String> mapped = new HashSet<>();
        connector.fields().values().forEach(f -> mapped.add(f.column()));
        Set<String> nowSet = new HashSet<>(now);
        Set<String> beforeSet = new HashSet<>(before);
        Set<String> paired = new HashSet<>();
        List<String> renamed = new ArrayList<>();
        List<String> renamedDetail = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            String old = before.get(i);
            if (nowSet.contains(old) || i >= now.size()) {
                continue;
            }
            String fresh = now.get(i);
            if (beforeSet.contains(fresh) || paired.contains(fresh)) {
                continue;
            }
            paired.add(old);
            paired.add(fresh);
            boolean agreed = mapped.contains(fresh) && !mapped.contains(old);
            if (!agreed) {
                renamed.add(old);
                renamed.add(fresh);
                renamedDetail.add(old + " → " + fresh + " (position " + (i + 1) + ")");
            }
        }
        List<String> removed = before.stream().filter(c -> !nowSet.contains(c) && !paired.contains(c) && mapped.contains(c)).toList();
        List<String> added = now.stream().filter(c -> !beforeSet.contains(c) && !paired.contains(c) && !mapped.contains(c)).toList();
        if (!renamed.isEmpty() && rules.renamed() == GateSpec.Action.QUARANTINE) {
            reasons.add(new QuarantineReason("columns", (renamedDetail.size() == 1 ? "column renamed: " : "columns renamed: ")
                    + String.join(", ", renamedDetail) + " against the previous accepted delivery", null, null, renamed));
        }
        if (!removed.isEmpty() && rules.removed() == GateSpec.Action.QUARANTINE) {
            reasons.add(new QuarantineReason("columns", (removed.size() == 1 ? "column removed: " : "columns removed: ")
                    + String.join(", ", removed) + " (mapped by the descriptor, in the previous accepted delivery)", null, null,
                    removed));
        }
        if (!added.isEmpty() && rules.added() == GateSpec.Action.QUARANTINE) {
            reasons.add(new QuarantineReason("columns", (added.size() == 1 ? "column added: " : "columns added: ")
                    + String.join(", ", added) + " (not in the previous accepted delivery)", null, null, added));
        }
    }

    private static void volume(GateSpec.Volume rules, int minRows, long rows, List<Long> recent,
                               List<QuarantineReason> reasons) {
        if (recent.size() < rules.minHistory()) {
            return;
        }
        List<Long> window = recent.subList(0, Math.min(rules.history(), recent.size()));
        double median = median(window);
        if (median <= 0 || Math.max(rows, median) < minRows) {
            return; // a few rows more or less in a tiny delivery is noise, not drift
        }
        double change = (rows - median) / median * 100;
        if (Math.abs(change) > rules.tolerancePercent()) {
            reasons.add(new QuarantineReason("volume", String.format(Locale.ROOT,
                    "%d rows, %s%% %s the median of %s rows of the last %d completed deliveries (tolerance ±%s%%)",
                    rows, figure(Math.abs(change)), change < 0 ? "below" : "above", figure(median), window.size(),
                    figure(rules.tolerancePercent())), round(change), rules.tolerancePercent(), List.of()));
        }
    }

    private static void rates(ConnectorDescriptor connector, GateSpec spec, FileProfile profile, String window,
                              List<QuarantineReason> reasons) {
        double rejected = percent(profile.rejected(), profile.rows());
        if (rejected > spec.maxRejectedPercent()) {
            reasons.add(new QuarantineReason("rejection_rate", String.format(Locale.ROOT,
                    "%d of %d rows (%s%%) would be rejected (limit %s%%)", profile.rejected(), profile.rows(),
                    figure(rejected), figure(spec.maxRejectedPercent())), round(rejected), spec.maxRejectedPercent(), List.of()));
        }
        if (profile.readable() > 0) {
            for (Map.Entry<String, Long> missing : new TreeMap<>(profile.requiredMissing()).entrySet()) {
                double share = percent(missing.getValue(), profile.readable());
                if (share > spec.maxRequiredNullPercent()) {
                    String column = connector.fields().get(missing.getKey()).column();
                    reasons.add(new QuarantineReason("required_nulls", String.format(Locale.ROOT,
                            "required field %s (column %s) is empty in %d of %d rows (%s%%, limit %s%%)", missing.getKey(),
                            column, missing.getValue(), profile.readable(), figure(share), figure(spec.maxRequiredNullPercent())),
                            round(share), spec.maxRequiredNullPercent(), List.of(missing.getKey(), column)));
                }
            }
        }
        if (profile.vinsPresent() > 0) {
            double valid = percent(profile.vinsPresent() - profile.vinsInvalid(), profile.vinsPresent());
            if (valid < spec.minVinValidPercent()) {
                reasons.add(new QuarantineReason("vin_validity", String.format(Locale.ROOT,
                        "%d of %d VINs (%s%%) are valid (minimum %s%%)", profile.vinsPresent() - profile.vinsInvalid(),
                        profile.vinsPresent(), figure(valid), figure(spec.minVinValidPercent())), round(valid),
                        spec.minVinValidPercent(), List.of()));
            }
        }
        for (Map.Entry<String, FileProfile.DateCounts> date : new TreeMap<>(profile.dates()).entrySet()) {
            FileProfile.DateCounts counts = date.getValue();
            if (counts.checked() == 0) {
                continue;
            }
            double share = percent(counts.implausible(), counts.checked());
            if (share > spec.dates().maxPercent()) {
                reasons.add(new QuarantineReason("dates", String.format(Locale.ROOT,
                        "%s: %d of %d dates (%s%%) outside %s: %d too old, %d in the future (limit %s%%)", date.getKey(),
                        counts.implausible(), counts.checked(), figure(share), window, counts.tooOld(), counts.future(),
                        figure(spec.dates().maxPercent())), round(share), spec.dates().maxPercent(), List.of(date.getKey())));
            }
        }
    }

    static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : part * 100.0 / whole;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** A figure as people write it: at most one decimal, none when whole. */
    private static String figure(double value) {
        double rounded = round(value);
        return rounded == Math.rint(rounded) ? String.valueOf((long) rounded) : String.valueOf(rounded);
    }
}
