package io.caravan.governance;

import io.caravan.connector.CanonicalFields;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.FieldSpec;
import io.caravan.connector.WarehouseTable;
import io.caravan.consent.Purpose;
import io.caravan.deliver.Agreement;
import io.caravan.governance.ProcessingRecord.Activity;
import io.caravan.governance.ProcessingRecord.DataCategory;
import io.caravan.governance.ProcessingRecord.Measures;
import io.caravan.governance.ProcessingRecord.Recipient;
import io.caravan.governance.ProcessingRecord.Retention;
import io.caravan.governance.ProcessingRecord.Source;
import io.caravan.governance.ProcessingRecord.Transfer;
import io.caravan.governance.RecordInputs.FeedInfo;
import io.caravan.governance.RecordInputs.PartnerInfo;
import io.caravan.governance.RecordInputs.RouteInfo;
import io.caravan.pseudonymise.FieldAction;
import io.caravan.pseudonymise.Policy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Generates the {@link ProcessingRecord} from {@link RecordInputs}: one activity per purpose of
 * {@code config/purposes.yaml}, in id order, built from
 * <ul>
 *   <li>the routes with a {@code consent:<purpose>} step (their connector, policy and table),</li>
 *   <li>the consent feeds that record consent for the purpose and that a running route reads,</li>
 *   <li>the sharing agreements for the purpose (recipient, validity, exported columns under the
 *       agreement's policy; sources = the connectors that write the shared table).</li>
 * </ul>
 * Deterministic (everything sorted), pure and thread-safe; it reads names and periods of the
 * configuration only, so the record never holds a row value, a key or a password.
 */
final class RecordBuilder {
    static final String NOT_CONFIGURED = "not configured";
    static final String UNKNOWN = "unknown";

    /** EU member states and the other EEA countries (Iceland, Liechtenstein, Norway), ISO 3166 alpha-2. */
    static final Set<String> EEA = Set.of("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR",
            "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO");

    /** Categories of data subjects by the record type (warehouse table) that carries them. */
    static final Map<String, String> SUBJECTS = Map.of(
            "lead", "prospects who asked about a vehicle (leads)",
            "sale", "vehicle buyers",
            "contract", "finance and lease customers",
            "insurance", "motor insurance applicants and policyholders",
            "consent_event", "people who gave or withdrew consent in a preference centre");

    static final List<String> ACCESS_ROLES = List.of(
            "viewer: reads the ops API and console (ledger, records, contracts; tokens and counts, no raw identifier)",
            "operator: runs syncs and exports, records consents, erasures and re-identifications (audited)",
            "admin: key administration and route reloads");

    private final RecordInputs in;

    RecordBuilder(RecordInputs in) {
        this.in = in;
    }

    ProcessingRecord build() {
        List<Activity> activities = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (in.controller() == null) {
            warnings.add("controller contact not configured (caravan.governance.controller.name, .email)");
        }
        if (in.dpo() == null) {
            warnings.add("data-protection officer contact not configured (caravan.governance.dpo.name, .email)");
        }
        for (String id : in.purposes().ids()) {
            Activity activity = activity(in.purposes().require(id));
            activity = activity.withDpia(DpiaScreening.screen(activity, in.tcf().getOrDefault(id, List.of())));
            activity.flags().forEach(flag -> warnings.add("purpose '" + id + "': " + flag));
            activities.add(activity);
        }
        return new ProcessingRecord(in.controller(), in.dpo(), warnings, in.files(), activities);
    }

    private Activity activity(Purpose purpose) {
        String id = purpose.id();
        Map<String, Source> sources = new TreeMap<>();
        Map<String, DataCategory> data = new TreeMap<>();
        Set<String> tables = new TreeSet<>();
        Set<String> subjects = new TreeSet<>();
        Set<String> keyDomains = new TreeSet<>();
        Set<String> archivedPartners = new TreeSet<>();
        Map<String, Set<String>> classTables = new TreeMap<>();
        Map<String, Set<String>> classPartners = new TreeMap<>();
        List<Recipient> recipients = new ArrayList<>();
        List<Transfer> transfers = new ArrayList<>();
        List<String> flags = new ArrayList<>();

        for (RouteInfo route : in.routes()) {
            if (!route.steps().stream().map(RecordBuilder::step).anyMatch(s -> s.equals("consent:" + id))) {
                continue;
            }
            Optional<ConnectorDescriptor> connector = route.steps().stream().map(RecordBuilder::step)
                    .filter(s -> s.startsWith("harmonise:") || s.startsWith("fetch:"))
                    .map(s -> s.substring(s.indexOf(':') + 1)).map(in.connectors()::find)
                    .flatMap(Optional::stream).findFirst();
            Optional<Policy> policy = target(route, "pseudonymise").flatMap(in.policies()::find);
            String table = target(route, "warehouse").orElse(connector.map(c -> c.table().tableName()).orElse(null));
            if (connector.isEmpty()) {
                continue;
            }
            ConnectorDescriptor c = connector.get();
            sources.put("route " + route.id(), new Source("route", c.partner(), partnerName(c.partner()), country(c.partner()),
                    c.id(), c.dataClass(), route.id(), table, route.file()));
            if (table != null) {
                tables.add(table);
                Optional.ofNullable(SUBJECTS.get(table)).filter(s -> hasPersonalFields(c)).ifPresent(subjects::add);
                classTables.computeIfAbsent(c.dataClass(), k -> new TreeSet<>()).add(table);
            }
            if (archives(route)) {
                archivedPartners.add(c.partner());
                classPartners.computeIfAbsent(c.dataClass(), k -> new TreeSet<>()).add(c.partner());
            }
            policy.ifPresent(p -> {
                keyDomains.add(p.keyDomain());
                for (FieldSpec field : new TreeMap<>(c.fields()).values()) {
                    FieldAction action = p.action(field.name());
                    merge(data, new DataCategory(field.name(), CanonicalFields.isPersonal(field.name()), "warehouse", p.id(),
                            action.yamlName(), action.outputColumn(field.name()), table == null ? List.of() : List.of(table)));
                    if (p.encryptAlso().contains(field.name())) {
                        // kept a second time, reversibly: AES-SIV ciphertext beside the token (policy encryptAlso)
                        merge(data, new DataCategory(field.name(), CanonicalFields.isPersonal(field.name()), "warehouse", p.id(),
                                FieldAction.ENCRYPT.yamlName(), FieldAction.ENCRYPT.outputColumn(field.name()),
                                table == null ? List.of() : List.of(table)));
                    }
                }
            });
        }

        for (FeedInfo feed : in.feeds()) {
            if (!feed.purposes().contains(id)) {
                continue;
            }
            String route = in.routes().stream().filter(r -> r.steps().stream().map(RecordBuilder::step)
                    .anyMatch(s -> s.equals("consent-feed:" + feed.id()))).map(RouteInfo::id).findFirst().orElse(null);
            if (route == null) {
                continue; // a feed no running route reads processes nothing
            }
            String file = in.routes().stream().filter(r -> r.id().equals(route)).map(RouteInfo::file).findFirst()
                    .orElse(in.files().get("consentFeeds"));
            sources.put("feed " + feed.id(), new Source("consent-feed", feed.partner(), partnerName(feed.partner()),
                    country(feed.partner()), feed.id(), "zero_party", route, "consent_event", file));
            tables.add("consent_event");
            subjects.add(SUBJECTS.get("consent_event"));
            keyDomains.add("warehouse");
            classTables.computeIfAbsent("zero_party", k -> new TreeSet<>()).add("consent_event");
            if (route != null && in.routes().stream().filter(r -> r.id().equals(route)).anyMatch(RecordBuilder::archives)) {
                archivedPartners.add(feed.partner());
                classPartners.computeIfAbsent("zero_party", k -> new TreeSet<>()).add(feed.partner());
            }
            for (String identifier : new TreeSet<>(feed.identifiers())) {
                merge(data, new DataCategory(identifier, true, "warehouse", "consent-feed", "hmac", "subject_token",
                        List.of("consent_event")));
            }
        }

        Set<String> warehouseTables = new TreeSet<>(tables);
        if (!warehouseTables.isEmpty()) {
            recipients.add(new Recipient("warehouse", "warehouse", "Caravan warehouse (PostgreSQL, schema caravan)", null,
                    null, null, null, List.copyOf(warehouseTables), List.of(), null));
        }

        for (Agreement agreement : in.agreements().all()) {
            if (!agreement.purpose().equals(id)) {
                continue;
            }
            String partner = agreement.partner();
            String country = country(partner);
            String agreementsFile = in.files().get("agreements");
            recipients.add(new Recipient("partner", partner, partnerName(partner), country, agreement.id(),
                    agreement.validUntil().toString(), agreement.schedule(), List.of(agreement.table()), agreement.columns(),
                    agreementsFile));
            if (UNKNOWN.equals(country)) {
                transfers.add(new Transfer(partner, UNKNOWN, "unknown"));
                flags.add("recipient '" + partner + "' has no country in " + in.files().get("partners")
                        + " (transfer outside the EU/EEA cannot be ruled out)");
            } else if (!EEA.contains(country)) {
                transfers.add(new Transfer(partner, country, "outside-eea"));
                flags.add("recipient '" + partner + "' is outside the EU/EEA (" + country
                        + "): document the transfer's safeguard (Art. 44-49)");
            }
            tables.add(agreement.table());
            Optional<Policy> policy = in.policies().find(agreement.policy());
            policy.ifPresent(p -> keyDomains.add(p.keyDomain()));
            for (String column : agreement.columns()) {
                DataCategory category = exported(column, partner, policy, agreement.table());
                if (agreement.decrypt().contains(column)) {
                    // decrypted at export time for this partner: it receives the value itself (audited per run)
                    category = new DataCategory(category.field(), true, partner, category.policy(), FieldAction.KEEP.yamlName(),
                            category.field(), category.tables());
                }
                merge(data, category);
            }
            WarehouseTable.byName(agreement.table()).ifPresent(shared -> {
                for (ConnectorDescriptor c : in.connectors().all()) {
                    if (c.table() != shared) {
                        continue;
                    }
                    sources.putIfAbsent("shared " + c.id(), new Source("warehouse-table", c.partner(), partnerName(c.partner()),
                            country(c.partner()), c.id(), c.dataClass(), null, shared.tableName(),
                            c.file() == null ? null : display(c.file())));
                    if (hasPersonalFields(c)) {
                        Optional.ofNullable(SUBJECTS.get(shared.tableName())).ifPresent(subjects::add);
                    }
                    classTables.computeIfAbsent(c.dataClass(), k -> new TreeSet<>()).add(shared.tableName());
                }
            });
        }

        Map<String, String> tableRetention = new TreeMap<>();
        for (String table : tables) {
            String age = in.retention().get(table);
            tableRetention.put(table, age == null ? NOT_CONFIGURED : age);
            if (age == null && (SUBJECTS.containsKey(table) || WarehouseTable.byName(table).isPresent())) {
                flags.add("no retention configured for table '" + table + "' (caravan.retention.tables." + table + ")");
            }
        }
        Map<String, String> archive = new TreeMap<>();
        archivedPartners.forEach(p -> archive.put(p, archiveAge(p)));
        Map<String, String> classes = new TreeMap<>();
        Set<String> dataClasses = new TreeSet<>(classTables.keySet());
        dataClasses.addAll(classPartners.keySet());
        for (String dataClass : dataClasses) {
            List<String> ages = new ArrayList<>();
            classTables.getOrDefault(dataClass, Set.of()).forEach(t -> ages.add(tableRetention.getOrDefault(t, NOT_CONFIGURED)));
            classPartners.getOrDefault(dataClass, Set.of()).forEach(p -> ages.add(archive.get(p)));
            classes.put(dataClass, longest(ages));
        }

        if (sources.isEmpty() && recipients.isEmpty()) {
            flags.add("no route, consent feed or agreement uses this purpose");
        }
        List<String> atRest = new ArrayList<>();
        if (!archive.isEmpty()) {
            atRest.add("kept partner files: one streaming AES-256-GCM key per file (Tink), wrapped by the archive master key "
                    + "(key domain archive), crypto-shredded after the archive retention");
            keyDomains.add("archive");
        }
        if (data.values().stream().anyMatch(d -> d.protection().equals("hmac"))) {
            atRest.add("identifiers stored only as HMAC-SHA256 tokens, one key per key domain; erased subjects kept only as "
                    + "tokens in the suppression list (key domain suppression)");
            keyDomains.add("suppression");
        }
        if (data.values().stream().anyMatch(d -> d.protection().equals("encrypt"))) {
            atRest.add("fields with the encrypt action: deterministic AES-SIV (RFC 5297), re-identification by operators only, audited");
        }
        return new Activity(id, purpose.title(), purpose.description(), purpose.basis().dbName(), List.copyOf(subjects),
                List.copyOf(data.values()), List.copyOf(sources.values()), recipients, transfers,
                new Retention(tableRetention, archive, classes),
                new Measures(List.copyOf(keyDomains), atRest, ACCESS_ROLES), null, flags);
    }

    /** What an exported column is: a policy's output column traced back to its field. */
    private static DataCategory exported(String column, String partner, Optional<Policy> policy, String table) {
        String policyId = policy.map(Policy::id).orElse(null);
        if (column.equals("subject_token")) {
            return new DataCategory("subject (email or phone)", true, partner, policyId, "hmac", column, List.of(table));
        }
        if (policy.isPresent()) {
            for (Map.Entry<String, FieldAction> action : policy.get().actions().entrySet()) {
                if (action.getValue() != FieldAction.DROP && column.equals(action.getValue().outputColumn(action.getKey()))) {
                    return new DataCategory(action.getKey(), CanonicalFields.isPersonal(action.getKey()), partner, policyId,
                            action.getValue().yamlName(), column, List.of(table));
                }
            }
        }
        boolean personal = column.endsWith("_token") || column.equals("postcode_area") || column.equals("birth_year");
        return new DataCategory(column, personal, partner, policyId, "keep", column, List.of(table));
    }

    private static void merge(Map<String, DataCategory> data, DataCategory category) {
        String key = category.field() + '\u0000' + category.destination() + '\u0000' + category.policy() + '\u0000'
                + category.protection() + '\u0000' + category.column();
        DataCategory existing = data.get(key);
        if (existing == null) {
            data.put(key, category);
            return;
        }
        Set<String> tables = new TreeSet<>(existing.tables());
        tables.addAll(category.tables());
        data.put(key, new DataCategory(existing.field(), existing.personal(), existing.destination(), existing.policy(),
                existing.protection(), existing.column(), List.copyOf(tables)));
    }

    private static boolean hasPersonalFields(ConnectorDescriptor c) {
        return c.fields().keySet().stream().anyMatch(CanonicalFields::isPersonal);
    }

    /** Routes whose files are kept in the encrypted archive after pickup: file and sftp consumers. */
    private static boolean archives(RouteInfo route) {
        return route.from() != null && (route.from().startsWith("file:") || route.from().startsWith("sftp:"));
    }

    private String archiveAge(String partner) {
        String age = in.archivePartners().get(partner);
        return age != null ? age : in.archiveMaxAge() == null ? NOT_CONFIGURED : in.archiveMaxAge();
    }

    private String partnerName(String partner) {
        PartnerInfo info = in.partners().get(partner);
        return info == null ? partner : info.name();
    }

    /** The partner's declared ISO country, or {@link #UNKNOWN}. */
    String country(String partner) {
        PartnerInfo info = in.partners().get(partner);
        return info == null || info.country() == null ? UNKNOWN : info.country();
    }

    private static Optional<String> target(RouteInfo route, String scheme) {
        return route.steps().stream().map(RecordBuilder::step).filter(s -> s.startsWith(scheme + ":"))
                .map(s -> s.substring(scheme.length() + 1)).findFirst();
    }

    /** {@code scheme:target} of a step URI, without query and without {@code //}. */
    static String step(String uri) {
        int q = uri.indexOf('?');
        String s = q < 0 ? uri : uri.substring(0, q);
        return s.replaceFirst("^([a-z-]+)://", "$1:");
    }

    /** The longest of ISO-8601 periods; {@link #NOT_CONFIGURED} wins (unbounded). */
    static String longest(List<String> ages) {
        String best = null;
        long bestSeconds = -1;
        for (String age : ages) {
            if (age == null || NOT_CONFIGURED.equals(age)) {
                return NOT_CONFIGURED;
            }
            long seconds = seconds(age);
            if (seconds > bestSeconds) {
                best = age;
                bestSeconds = seconds;
            }
        }
        return best == null ? NOT_CONFIGURED : best;
    }

    /** An ISO-8601 period in days ({@code P730D}) or duration ({@code PT12H}) in seconds; -1 when unreadable. */
    static long seconds(String age) {
        try {
            if (age.startsWith("P") && !age.contains("T")) {
                Period period = Period.parse(age);
                return (period.getYears() * 365L + period.getMonths() * 30L + period.getDays()) * 86_400L;
            }
            return Duration.parse(age).getSeconds();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static String display(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    static Map<String, String> sorted(Map<String, String> map) {
        return new LinkedHashMap<>(new TreeMap<>(map));
    }
}
