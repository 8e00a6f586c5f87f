package io.caravan.deliver;

import io.caravan.config.ConfigFiles;
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
 * {@code subject_token} (consent is checked on it); the schedule is a valid Quartz cron expression; the date is a
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
            if (errors.isEmpty()) {
                byId.put(id, new Agreement(id, node.path("title").asText(id), partner, table, columns, purpose,
                        policyId, validUntil, schedule, format, transport));
            } else {
                byId.putIfAbsent(id, null);
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, file + ": " + String.join("\n" + file + ": ", errors));
        }
        return new AgreementRegistry(file, java.util.Collections.unmodifiableMap(byId));
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
