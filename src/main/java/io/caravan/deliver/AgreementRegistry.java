package io.caravan.deliver;

import io.caravan.config.ConfigFiles;
import io.caravan.connector.DataClass;
import io.caravan.error.ConfigException;
import tools.jackson.databind.JsonNode;
import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.Policy;
import io.caravan.pseudonymise.PolicyRegistry;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.quartz.CronExpression;

/**
 * The sharing agreements of {@code config/agreements.yaml}, validated at start-up.
 *
 * <p>The file is checked against {@code agreements.schema.json}, then for what a schema cannot
 * say: ids are unique; the purpose is one of {@code purposes.yaml}; the policy is one of
 * {@code policies.yaml} and its key domain is the agreement's partner (so a partner's tokens are
 * made with its own key); the dataset is a table or view of schema {@code caravan} and every
 * listed column is one of its columns <em>and</em> one the policy releases
 * ({@link Policy#outputColumns()}); a dataset exporting any {@code *_token} column has a
 * {@code subject_token} (consent is checked on it); the dataset has a {@code data_class} column and
 * at least one data class is allowed by the agreement ({@code dataClasses}, default every class but
 * {@code third_party}), its policy and its purpose together (checked on each row at export time);
 * the schedule is a valid Quartz cron expression; the date is a
 * date. Every error names the file and the JSON path, all at once
 * ({@code config/agreements.yaml: $.agreements[0].dataset.columns[2]: column 'email' is not released by policy 'partner-x'}),
 * and never repeats a value beyond names. Transport strings may use {@code ${...}} placeholders
 * (resolved by the caller's resolver, e.g. the Spring environment) so paths and hosts can come
 * from the deployment.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgreementRegistry {
    private static final String SCHEMA = "/io/caravan/deliver/agreements.schema.json";
    private static final String DATA_CLASS = "data_class";

    private final Path file;
    private final Map<String, Agreement> agreements;

    private AgreementRegistry(Path file, Map<String, Agreement> agreements) {
        this.file = file;
        this.agreements = agreements;
    }

    /**
     * Loads and validates {@code file}.
     *
     * @param columnsOf    the columns of a table or view of schema {@code caravan}, empty if there is none
     * @param placeholders resolves {@code ${...}} in transport settings
     * @throws ConfigException naming the file and every problem's path
     */
    public static AgreementRegistry load(Path file, PolicyRegistry policies, PurposeRegistry purposes,
                                         Function<String, List<String>> columnsOf, UnaryOperator<String> placeholders) {
        return load(file, policies, purposes, columnsOf, placeholders, Map.of());
    }

    /**
     * Loads and validates {@code file}, with the smallest audience each ad platform may receive
     * ({@code caravan.activation.minimum-audience.<platform>}; a platform not named gets
     * {@link #DEFAULT_MINIMUM_AUDIENCE}). An activation's {@code minimumAudience} may raise it, never lower it.
     */
    public static AgreementRegistry load(Path file, PolicyRegistry policies, PurposeRegistry purposes,
                                         Function<String, List<String>> columnsOf, UnaryOperator<String> placeholders,
                                         Map<String, Integer> minimumAudiences) {
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        List<String> errors = new ArrayList<>();
        Map<String, Agreement> byId = new LinkedHashMap<>();
        Map<String, List<String>> tableColumns = new HashMap<>();
        JsonNode list = root.path("agreements");
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String path = "$.agreements[" + i + "]";
            String id = node.path("id").asString();
            if (byId.containsKey(id)) {
                errors.add(path + ".id: duplicate agreement id '" + id + "'");
            }
            String partner = node.path("partner").asString();
            String purpose = node.path("purpose").asString();
            if (purposes.find(purpose).isEmpty()) {
                errors.add(path + ".purpose: unknown purpose '" + purpose + "' (config/purposes.yaml defines "
                        + String.join(", ", new java.util.TreeSet<>(purposes.ids())) + ")");
            }
            if (node.path("kind").asString("share").equals("activation")) {
                Activation activation = activation(node, path, purposes.find(purpose).orElse(null), columnsOf,
                        tableColumns, minimumAudiences, errors);
                LocalDate validUntil = date(node, path, errors);
                String schedule = schedule(node, path, errors);
                Agreement.Transport transport = transport(node.path("transport"), path + ".transport", placeholders, errors);
                if (errors.isEmpty()) {
                    byId.put(id, new Agreement(id, node.path("title").asText(id), partner, activation.segment().table(),
                            List.of(), purpose, null, validUntil, schedule, Agreement.Format.CSV, transport, null, activation, null, null, null));
                } else {
                    byId.putIfAbsent(id, null);
                }
                continue;
            }
            String policyId = node.path("policy").asString();
            Optional<Policy> policy = policies.find(policyId);
            if (policy.isEmpty()) {
                errors.add(path + ".policy: unknown policy '" + policyId + "' (config/policies.yaml defines "
                        + String.join(", ", policies.all().stream().map(Policy::id).sorted().toList()) + ")");
            } else if (!policy.get().keyDomain().equals(partner)) {
                errors.add(path + ".policy: policy '" + policyId + "' has key domain '" + policy.get().keyDomain()
                        + "', not the partner '" + partner + "'");
            }
            String table = node.path("dataset").path("table").asString();
            List<String> available = tableColumns.computeIfAbsent(table, columnsOf);
            List<String> columns = new ArrayList<>();
            JsonNode columnNodes = node.path("dataset").path("columns");
            if (available.isEmpty()) {
                errors.add(path + ".dataset.table: no table or view caravan." + table + " in the warehouse");
            }
            for (int c = 0; c < columnNodes.size(); c++) {
                String column = columnNodes.get(c).asString();
                columns.add(column);
                if (column.equals("sealed_identifiers")) {
                    errors.add(path + ".dataset.columns[" + c + "]: sealed_identifiers is the identity vault of the"
                            + " re-key job and is never exported");
                } else if (!available.isEmpty() && !available.contains(column)) {
                    errors.add(path + ".dataset.columns[" + c + "]: no column '" + column + "' in caravan." + table);
                } else if (policy.isPresent() && !policy.get().outputColumns().contains(column)) {
                    errors.add(path + ".dataset.columns[" + c + "]: column '" + column + "' is not released by policy '"
                            + policyId + "'");
                }
            }
            Map<String, List<String>> where = new LinkedHashMap<>();
            node.path("dataset").path("where").properties().forEach(entry -> {
                if (!available.isEmpty() && !available.contains(entry.getKey())) {
                    errors.add(path + ".dataset.where." + entry.getKey() + ": no column '" + entry.getKey() + "' in caravan." + table);
                }
                where.put(entry.getKey(), entry.getValue().valueStream().map(JsonNode::asString).toList());
            });
            List<String> decrypt = new ArrayList<>();
            JsonNode decryptNodes = node.path("decrypt");
            for (int d = 0; d < decryptNodes.size(); d++) {
                String column = decryptNodes.get(d).asString();
                String field = column.substring(0, column.length() - "_enc".length());
                decrypt.add(column);
                if (!columns.contains(column)) {
                    errors.add(path + ".decrypt[" + d + "]: '" + column + "' is not one of the dataset's columns");
                } else if (policy.isPresent() && !policy.get().encrypts(field)) {
                    errors.add(path + ".decrypt[" + d + "]: policy '" + policyId + "' does not release '" + field
                            + "' with encrypt, so it is not decrypted for this partner");
                }
            }
            java.util.Set<DataClass> dataClasses = DataClass.of(
                    node.path("dataClasses").valueStream().map(JsonNode::asString).toList(), Agreement.SHARED_BY_DEFAULT);
            if (!available.isEmpty() && !available.contains(DATA_CLASS)) {
                errors.add(path + ".dataset.table: caravan." + table + " has no data_class column, so data classes"
                        + " cannot be checked at export time");
            }
            java.util.Set<DataClass> allowed = java.util.EnumSet.copyOf(dataClasses);
            policy.ifPresent(p -> allowed.retainAll(p.dataClasses()));
            purposes.find(purpose).ifPresent(p -> allowed.retainAll(p.dataClasses()));
            if (allowed.isEmpty()) {
                errors.add(path + ".dataClasses: no data class is allowed by the agreement " + DataClass.ids(dataClasses)
                        + ", policy '" + policyId + "' " + policy.map(p -> DataClass.ids(p.dataClasses()).toString()).orElse("")
                        + " and purpose '" + purpose + "' "
                        + purposes.find(purpose).map(p -> DataClass.ids(p.dataClasses()).toString()).orElse("") + " together");
            }
            if (!available.isEmpty() && !available.contains("subject_token")
                    && columns.stream().anyMatch(c -> c.endsWith("_token"))) {
                errors.add(path + ".dataset.table: caravan." + table + " has token columns but no subject_token, "
                        + "so consent cannot be checked at export time");
            }
            LocalDate validUntil = null;
            try {
                validUntil = LocalDate.parse(node.path("validUntil").asString());
            } catch (DateTimeParseException e) {
                errors.add(path + ".validUntil: not a date (yyyy-mm-dd)");
            }
            String schedule = node.hasNonNull("schedule") ? node.path("schedule").asString() : null;
            if (schedule != null && !CronExpression.isValidExpression(schedule)) {
                errors.add(path + ".schedule: not a valid Quartz cron expression");
            }
            Agreement.Format format = Agreement.Format.valueOf(node.path("format").asString().toUpperCase(Locale.ROOT));
            Agreement.Transport transport = transport(node.path("transport"), path + ".transport", placeholders, errors);
            KAnonymity kAnonymity = kAnonymity(node.path("kAnonymity"), path + ".kAnonymity", columns, errors);
            if (errors.isEmpty()) {
                byId.put(id, new Agreement(id, node.path("title").asText(id), partner, table, columns, purpose,
                        policyId, validUntil, schedule, format, transport, kAnonymity, null, dataClasses, where, decrypt));
            } else {
                byId.putIfAbsent(id, null);
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, file + ": " + String.join("\n" + file + ": ", errors));
        }
        return new AgreementRegistry(file, java.util.Collections.unmodifiableMap(byId));
    }

    /** The smallest audience an ad platform receives when configuration names none. */
    public static final int DEFAULT_MINIMUM_AUDIENCE = 100;

    private static LocalDate date(JsonNode node, String path, List<String> errors) {
        try {
            return LocalDate.parse(node.path("validUntil").asString());
        } catch (DateTimeParseException e) {
            errors.add(path + ".validUntil: not a date (yyyy-mm-dd)");
            return null;
        }
    }

    private static String schedule(JsonNode node, String path, List<String> errors) {
        String schedule = node.hasNonNull("schedule") ? node.path("schedule").asString() : null;
        if (schedule != null && !CronExpression.isValidExpression(schedule)) {
            errors.add(path + ".schedule: not a valid Quartz cron expression");
        }
        return schedule;
    }

    /** An activation's platform, segment, identifiers and minimum; null when it has problems (in {@code errors}). */
    private static Activation activation(JsonNode node, String path, io.caravan.consent.Purpose purpose,
                                         Function<String, List<String>> columnsOf, Map<String, List<String>> tableColumns,
                                         Map<String, Integer> minimumAudiences, List<String> errors) {
        int before = errors.size();
        if (purpose != null && purpose.basis() != io.caravan.consent.LegalBasis.CONSENT) {
            errors.add(path + ".purpose: an activation needs a purpose with legal basis consent (opt-in), not "
                    + purpose.basis().name().toLowerCase(Locale.ROOT));
        }
        String platformId = node.path("platform").asString();
        AudiencePlatform platform = AudiencePlatform.of(platformId).orElse(null);
        JsonNode segmentNode = node.path("segment");
        String segPath = path + ".segment";
        String table = segmentNode.path("table").asString();
        List<String> available = tableColumns.computeIfAbsent(table, columnsOf);
        if (available.isEmpty()) {
            errors.add(segPath + ".table: no table or view caravan." + table + " in the warehouse");
        } else if (!available.contains("subject_token") || !available.contains(io.caravan.pseudonymise.IdentitySeal.COLUMN)) {
            errors.add(segPath + ".table: caravan." + table + " has no subject_token and sealed identifiers, so it "
                    + "cannot name an audience");
        }
        String timeColumn = null;
        int days = 0;
        if (segmentNode.has("within")) {
            timeColumn = segmentNode.path("within").path("column").asString();
            days = segmentNode.path("within").path("days").asInt();
            if (!available.isEmpty() && !available.contains(timeColumn)) {
                errors.add(segPath + ".within.column: no column '" + timeColumn + "' in caravan." + table);
            }
        }
        Map<String, List<String>> match = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : segmentNode.path("match").properties()) {
            String column = entry.getKey();
            if (!available.isEmpty() && !available.contains(column)) {
                errors.add(segPath + ".match." + column + ": no column '" + column + "' in caravan." + table);
            }
            if (column.endsWith("_token") || column.equals(io.caravan.pseudonymise.IdentitySeal.COLUMN)) {
                errors.add(segPath + ".match." + column + ": a segment cannot select by tokens or sealed identifiers");
            }
            List<String> values = new ArrayList<>();
            JsonNode value = entry.getValue();
            if (value.isArray()) {
                value.forEach(v -> values.add(v.asString()));
            } else {
                values.add(value.asString());
            }
            match.put(column, values);
        }
        String excludeTable = null;
        List<String> excludeOn = new ArrayList<>();
        if (segmentNode.has("without")) {
            excludeTable = segmentNode.path("without").path("table").asString();
            List<String> other = tableColumns.computeIfAbsent(excludeTable, columnsOf);
            if (other.isEmpty()) {
                errors.add(segPath + ".without.table: no table or view caravan." + excludeTable + " in the warehouse");
            } else if (!other.contains("subject_token")) {
                errors.add(segPath + ".without.table: caravan." + excludeTable + " has no subject_token");
            }
            JsonNode on = segmentNode.path("without").path("on");
            for (int o = 0; o < on.size(); o++) {
                String column = on.get(o).asString();
                excludeOn.add(column);
                if ((!available.isEmpty() && !available.contains(column)) || (!other.isEmpty() && !other.contains(column))) {
                    errors.add(segPath + ".without.on[" + o + "]: '" + column + "' is not a column of both caravan." + table
                            + " and caravan." + excludeTable);
                }
            }
        }
        List<String> identifiers = new ArrayList<>();
        node.path("identifiers").forEach(v -> identifiers.add(v.asString()));
        if (identifiers.isEmpty()) {
            identifiers.addAll(Activation.IDENTIFIERS);
        }
        int floor = platform == null ? DEFAULT_MINIMUM_AUDIENCE
                : minimumAudiences.getOrDefault(platform.id(), DEFAULT_MINIMUM_AUDIENCE);
        int minimum = node.has("minimumAudience") ? node.path("minimumAudience").asInt() : floor;
        if (minimum < floor) {
            errors.add(path + ".minimumAudience: " + minimum + " is below the floor of " + floor + " configured for "
                    + platformId + " (caravan.activation.minimum-audience." + platformId + ")");
        }
        if (errors.size() > before || platform == null) {
            return null;
        }
        return new Activation(platform, new Activation.Segment(table, timeColumn, days, match, excludeTable, excludeOn),
                identifiers, minimum);
    }

    /** The k-anonymity gate, or null when the agreement has none; problems go to {@code errors}. */
    private static KAnonymity kAnonymity(JsonNode node, String path, List<String> columns, List<String> errors) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        int before = errors.size();
        List<String> quasi = new ArrayList<>();
        JsonNode qiNodes = node.path("quasiIdentifiers");
        for (int q = 0; q < qiNodes.size(); q++) {
            String column = qiNodes.get(q).asString();
            quasi.add(column);
            if (!columns.contains(column)) {
                errors.add(path + ".quasiIdentifiers[" + q + "]: '" + column + "' is not a column this agreement exports");
            }
        }
        List<String> generalise = new ArrayList<>();
        JsonNode genNodes = node.path("generalise");
        for (int g = 0; g < genNodes.size(); g++) {
            String column = genNodes.get(g).asString();
            generalise.add(column);
            if (!quasi.contains(column)) {
                errors.add(path + ".generalise[" + g + "]: '" + column + "' is not one of the quasiIdentifiers");
            } else if (!KAnonymity.STEPS.containsKey(column)) {
                errors.add(path + ".generalise[" + g + "]: no further generalisation step for '" + column + "' (there is one for "
                        + String.join(", ", new java.util.TreeSet<>(KAnonymity.STEPS.keySet())) + ")");
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new KAnonymity(node.path("k").asInt(), quasi, generalise);
    }

    private static Agreement.Transport transport(JsonNode node, String path, UnaryOperator<String> placeholders,
                                                 List<String> errors) {
        Function<String, String> text = field -> {
            if (!node.hasNonNull(field)) {
                return null;
            }
            try {
                return placeholders.apply(node.path(field).asString());
            } catch (RuntimeException e) {
                errors.add(path + "." + field + ": unresolved placeholder");
                return null;
            }
        };
        switch (node.path("type").asString()) {
            case "sftp" -> {
                int port = 22;
                String portText = text.apply("port");
                if (portText != null) {
                    try {
                        port = Integer.parseInt(portText.strip());
                    } catch (NumberFormatException e) {
                        errors.add(path + ".port: not a port number");
                    }
                }
                String directory = text.apply("directory");
                return new Agreement.PartnerSftp(text.apply("host"), port, text.apply("username"),
                        text.apply("privateKeyFile"), text.apply("knownHostsFile"), directory == null ? "" : directory);
            }
            case "https" -> {
                return new Agreement.Https(text.apply("url"), text.apply("trustCertificate"));
            }
            default -> {
                return new Agreement.Outbox();
            }
        }
    }

    /** A registry without agreements (no agreements file). */
    public static AgreementRegistry none(Path file) {
        return new AgreementRegistry(file, Map.of());
    }

    /** An agreement by id. */
    public Optional<Agreement> find(String id) {
        return Optional.ofNullable(id == null ? null : agreements.get(id));
    }

    /** Every agreement, in file order. */
    public List<Agreement> all() {
        return List.copyOf(agreements.values());
    }

    /** An agreement's id, partner and last valid day (for expiry notices). */
    public record Validity(String agreementId, String partnerId, java.time.LocalDate validUntil) {
    }

    /** Every agreement's validity, in file order. */
    public List<Validity> validities() {
        return agreements.values().stream().map(a -> new Validity(a.id(), a.partner(), a.validUntil())).toList();
    }

    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return "AgreementRegistry[" + file + ", " + agreements.keySet() + "]";
    }
}
