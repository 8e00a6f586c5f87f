package io.caravan.governance;

import io.caravan.governance.ProcessingRecord.Activity;
import io.caravan.governance.ProcessingRecord.DataCategory;
import io.caravan.governance.ProcessingRecord.Recipient;
import io.caravan.governance.ProcessingRecord.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What changed between two versions of the record, as a DPO reads it: purposes added or removed, a
 * legal basis changed, sources and recipients added or removed, an agreement's validity changed,
 * retention shortened or extended, a field newly carried or no longer carried, a field's protection
 * weakened (e.g. now kept instead of dropped) or strengthened, a DPIA criterion newly met. Each
 * change names the file that caused it. Pure and thread-safe; changes name configuration only.
 */
final class RecordDiff {
    /** Protections from the strongest to the weakest. */
    private static final List<String> STRENGTH = List.of("keep", "generalise", "encrypt", "hmac", "drop");

    /** One change; {@code file} is the route or configuration file it comes from. */
    record Change(String activity, String kind, String detail, String file) {
    }

    private RecordDiff() {
    }

    /** The changes from {@code before} (null: nothing recorded yet) to {@code after}. */
    static List<Change> between(ProcessingRecord before, ProcessingRecord after) {
        Map<String, String> files = after.generatedFrom();
        Map<String, Activity> old = before == null ? Map.of() : byId(before.activities(), Activity::id);
        Map<String, Activity> now = byId(after.activities(), Activity::id);
        List<Change> changes = new ArrayList<>();
        for (Activity activity : now.values()) {
            Activity previous = old.get(activity.id());
            if (previous == null) {
                changes.add(new Change(activity.id(), "purpose-added", "purpose '" + activity.id() + "' ("
                        + activity.legalBasis() + ")", files.get("purposes")));
            } else {
                activity(previous, activity, files, changes);
            }
        }
        for (Activity previous : old.values()) {
            if (!now.containsKey(previous.id())) {
                changes.add(new Change(previous.id(), "purpose-removed", "purpose '" + previous.id() + "'", files.get("purposes")));
            }
        }
        return changes;
    }

    private static void activity(Activity a, Activity b, Map<String, String> files, List<Change> changes) {
        String id = b.id();
        if (!Objects.equals(a.legalBasis(), b.legalBasis())) {
            changes.add(new Change(id, "legal-basis-changed", "legal basis now " + b.legalBasis() + " instead of "
                    + a.legalBasis(), files.get("purposes")));
        }
        Map<String, Source> sourcesA = byId(a.sources(), RecordDiff::sourceKey);
        Map<String, Source> sourcesB = byId(b.sources(), RecordDiff::sourceKey);
        sourcesB.forEach((key, s) -> {
            if (!sourcesA.containsKey(key)) {
                changes.add(new Change(id, "source-added", describe(s), s.file()));
            }
        });
        sourcesA.forEach((key, s) -> {
            if (!sourcesB.containsKey(key)) {
                changes.add(new Change(id, "source-removed", describe(s), s.file()));
            }
        });
        Map<String, Recipient> recipientsA = byId(a.recipients(), RecordDiff::recipientKey);
        Map<String, Recipient> recipientsB = byId(b.recipients(), RecordDiff::recipientKey);
        recipientsB.forEach((key, r) -> {
            Recipient was = recipientsA.get(key);
            String file = r.file() == null ? files.get("routes") : r.file();
            if (was == null) {
                changes.add(new Change(id, "recipient-added", describe(r), file));
                return;
            }
            if (!Objects.equals(was.validUntil(), r.validUntil())) {
                changes.add(new Change(id, "recipient-validity-changed", describe(r) + ": valid until " + r.validUntil()
                        + " instead of " + was.validUntil(), file));
            }
            if (!was.columns().equals(r.columns())) {
                Set<String> added = new TreeSet<>(r.columns());
                added.removeAll(was.columns());
                Set<String> removed = new TreeSet<>(was.columns());
                removed.removeAll(r.columns());
                changes.add(new Change(id, "recipient-columns-changed", describe(r) + ": columns added " + added
                        + ", removed " + removed, file));
            }
            if (!was.datasets().equals(r.datasets())) {
                changes.add(new Change(id, "recipient-datasets-changed", describe(r) + ": datasets " + r.datasets()
                        + " instead of " + was.datasets(), file));
            }
            if (!Objects.equals(was.country(), r.country())) {
                changes.add(new Change(id, "recipient-country-changed", describe(r) + ": country " + r.country()
                        + " instead of " + was.country(), files.get("partners")));
            }
        });
        recipientsA.forEach((key, r) -> {
            if (!recipientsB.containsKey(key)) {
                changes.add(new Change(id, "recipient-removed", describe(r), r.file() == null ? files.get("routes") : r.file()));
            }
        });
        retention(id, "table", a.retention().tables(), b.retention().tables(), files.get("retention"), changes);
        retention(id, "archive of partner", a.retention().archive(), b.retention().archive(), files.get("retention"), changes);
        Map<String, DataCategory> dataA = byId(a.personalData(), RecordDiff::dataKey);
        Map<String, DataCategory> dataB = byId(b.personalData(), RecordDiff::dataKey);
        dataB.forEach((key, d) -> {
            DataCategory was = dataA.get(key);
            if (was == null) {
                changes.add(new Change(id, "field-added", describe(d) + " carried (" + d.protection() + ")",
                        fileOf(d, b, files)));
            } else if (!was.protection().equals(d.protection())) {
                boolean weaker = STRENGTH.indexOf(d.protection()) < STRENGTH.indexOf(was.protection());
                changes.add(new Change(id, weaker ? "protection-weakened" : "protection-strengthened", describe(d)
                        + ": now " + d.protection() + " instead of " + was.protection(), files.get("policies")));
            }
        });
        dataA.forEach((key, d) -> {
            if (!dataB.containsKey(key)) {
                changes.add(new Change(id, "field-removed", describe(d) + " no longer carried", fileOf(d, a, files)));
            }
        });
        Set<String> criteriaA = a.dpia() == null ? Set.of() : a.dpia().criteria().stream()
                .map(ProcessingRecord.Criterion::id).collect(Collectors.toSet());
        if (b.dpia() != null) {
            b.dpia().criteria().stream().filter(c -> !criteriaA.contains(c.id())).forEach(c ->
                    changes.add(new Change(id, "dpia-criterion-met", c.id() + ": " + c.evidence(), null)));
        }
    }

    private static void retention(String id, String what, Map<String, String> a, Map<String, String> b, String file,
                                  List<Change> changes) {
        b.forEach((name, age) -> {
            String was = a.get(name);
            if (was == null || was.equals(age)) {
                return;
            }
            long before = RecordBuilder.NOT_CONFIGURED.equals(was) ? Long.MAX_VALUE : RecordBuilder.seconds(was);
            long after = RecordBuilder.NOT_CONFIGURED.equals(age) ? Long.MAX_VALUE : RecordBuilder.seconds(age);
            changes.add(new Change(id, after < before ? "retention-shortened" : "retention-extended",
                    what + " '" + name + "': " + age + " instead of " + was, file));
        });
    }

    private static String fileOf(DataCategory d, Activity activity, Map<String, String> files) {
        if (!d.destination().equals("warehouse")) {
            return files.get("agreements");
        }
        return activity.sources().stream().filter(s -> d.tables().contains(s.table())).map(Source::file)
                .filter(Objects::nonNull).findFirst().orElse(files.get("connectors"));
    }

    private static String sourceKey(Source s) {
        return s.kind() + '|' + s.partner() + '|' + s.connector() + '|' + s.route();
    }

    private static String recipientKey(Recipient r) {
        return r.kind() + '|' + r.id() + '|' + r.agreement();
    }

    private static String dataKey(DataCategory d) {
        return d.field() + '|' + d.destination();
    }

    private static String describe(Source s) {
        return s.kind() + " " + (s.route() != null ? "'" + s.route() + "' " : "") + "of partner '" + s.partner()
                + "' (connector " + s.connector() + ", " + s.dataClass() + ")";
    }

    private static String describe(Recipient r) {
        return r.kind().equals("warehouse") ? "warehouse" : "partner '" + r.id() + "' under agreement '" + r.agreement() + "'";
    }

    private static String describe(DataCategory d) {
        return "field '" + d.field() + "' to " + d.destination();
    }

    private static <T> Map<String, T> byId(List<T> items, Function<T, String> key) {
        Map<String, T> map = new TreeMap<>();
        items.forEach(item -> map.putIfAbsent(key.apply(item), item));
        return map;
    }
}
